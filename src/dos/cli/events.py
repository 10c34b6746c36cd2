"""``dos events remind``: the reminder mail the day before an event (run it daily)."""

from __future__ import annotations

import argparse
from typing import Any

from dos.cli import setup


def register(sub: Any) -> None:
    p = sub.add_parser("events", help="event reminders")
    events_sub = p.add_subparsers(dest="events_command", metavar="ACTION", required=True)
    remind = events_sub.add_parser(
        "remind",
        help="mail everyone with a seat at an event that starts tomorrow",
        description="Send the reminder mail to everyone with a confirmed seat at an event "
        "starting tomorrow (local date). Each person is reminded once: running it again "
        "sends nothing twice. Run it once a day, e.g. from cron.",
    )
    remind.set_defaults(handler=run_remind)


def run_remind(args: argparse.Namespace) -> int:
    setup.django()
    from dos.portal.accounts.permissions import SYSTEM
    from dos.portal.events.actions import registrations_remind

    sent = registrations_remind(SYSTEM)
    print(f"{sent} reminder{'s' if sent != 1 else ''} sent")
    return 0
