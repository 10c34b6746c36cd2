"""``dos demo``: load the demo region (idempotent)."""

from __future__ import annotations

import argparse
from typing import Any

from dos.cli import setup


def register(sub: Any) -> None:
    p = sub.add_parser(
        "demo",
        help="load the demo region (Dortmund and Schwerte)",
        description="Load or update the demo region. Running it again changes "
        "nothing that is already there.",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    setup.django()
    from dos.demo import load_all

    load_all(print)
    return 0
