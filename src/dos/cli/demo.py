"""``dos demo``: load the demo region (idempotent)."""

from __future__ import annotations

import argparse
from typing import Any

from dos.cli import CommandError, setup


def register(sub: Any) -> None:
    p = sub.add_parser(
        "demo",
        help="load the demo region (Dortmund and Schwerte)",
        description="Load or update the demo region. Running it again changes "
        "nothing that is already there.",
    )
    p.add_argument(
        "--days",
        type=int,
        default=None,
        help="days of hourly sensor history to backfill (default 7); more days take longer",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.days is not None and args.days < 0:
        raise CommandError("--days must be 0 or more")
    setup.django()
    from dos.demo import load_all, sensors

    if args.days is not None:
        sensors.BACKFILL_DAYS = args.days

    load_all(print)
    return 0
