"""GDPR: every app may declare ``export(user) -> dict`` and ``erase(user)`` in ``gdpr.py``.

:func:`collect_exports` and :func:`erase_everywhere` call them for all installed apps, so a new
app joins the data export and the account deletion by adding that module.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from types import ModuleType
from typing import Any

from django.apps import apps


def _modules() -> list[tuple[str, ModuleType]]:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("dos.portal."):
            continue
        try:
            found.append((config.label, import_module(f"{config.name}.gdpr")))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.gdpr":
                raise
    return found


def collect_exports(user: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for label, module in _modules():
        export: Callable[[Any], Any] | None = getattr(module, "export", None)
        if export is not None:
            out[label] = export(user)
    return out


def erase_everywhere(user: Any) -> None:
    for _label, module in _modules():
        erase: Callable[[Any], None] | None = getattr(module, "erase", None)
        if erase is not None:
            erase(user)
