"""The main navigation, filled by the apps.

An app adds entries by defining ``navigation(request) -> list[NavItem]`` on its AppConfig;
the web shell asks every installed app in INSTALLED_APPS order.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.http import HttpRequest


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    order: int = 100

    def is_active(self, path: str) -> bool:
        return path == self.url or (self.url != "/" and path.startswith(self.url))


def items(request: HttpRequest) -> list[NavItem]:
    found: list[NavItem] = []
    for config in apps.get_app_configs():
        provide = getattr(config, "navigation", None)
        if provide is not None:
            found.extend(provide(request))
    return sorted(found, key=lambda item: item.order)
