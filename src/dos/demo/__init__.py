"""The demo region: Dortmund and Schwerte, loaded by ``dos demo`` (idempotent).

Each step is a module with ``load(say)``; they run in this order, each in its own transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

STEPS = [
    "dos.demo.region",
    "dos.demo.sensors",
    "dos.demo.strategy",
    "dos.demo.content",
    "dos.demo.events",
    "dos.demo.participation",
    "dos.demo.cityapp",
    "dos.demo.opendata",
    "dos.demo.dashboards",
]


def load_all(say: Callable[[str], None]) -> None:
    """Run every demo step; running it again leaves existing data as it is."""
    from django.db import transaction

    for step in STEPS:
        with transaction.atomic():
            import_module(step).load(say)
