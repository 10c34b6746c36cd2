"""``dos participation tick``: the participation app's regular work (support deadlines,
e-mail digests). The worker runs it; it is safe to run at any time and repeatedly."""

from __future__ import annotations

import argparse
from typing import Any

from dos.cli import setup


def register(sub: Any) -> None:
    p = sub.add_parser("participation", help="participation: support deadlines and digests")
    part_sub = p.add_subparsers(dest="participation_command", metavar="ACTION", required=True)
    tick = part_sub.add_parser(
        "tick",
        help="close or refer ideas whose support period is over; send due e-mail digests",
    )
    tick.set_defaults(handler=run_tick)


def run_tick(args: argparse.Namespace) -> int:
    setup.django()
    from dos.portal.participation.actions import digests_send, ideas_tick

    counts = ideas_tick()
    digests = digests_send()
    print(
        f"ideas referred: {counts['referred']}, closed: {counts['closed']}; digests sent: {digests}"
    )
    return 0
