"""``dos cityapp sync``: mirror defect reports the broker has not seen yet."""

from __future__ import annotations

import argparse
from typing import Any

from dos.cli import CommandError, setup


def register(sub: Any) -> None:
    p = sub.add_parser("cityapp", help="city app back end: mirror defect reports to the broker")
    app_sub = p.add_subparsers(dest="cityapp_command", metavar="ACTION", required=True)
    sync = app_sub.add_parser(
        "sync",
        help="mirror defect reports to the broker",
        description="Mirror every defect report whose latest state the broker has not seen "
        "(e.g. after the broker was unreachable) as an NGSI-LD Open311ServiceRequest entity.",
    )
    sync.add_argument("--city", help="only this city (slug)")
    sync.set_defaults(handler=run_sync)


def run_sync(args: argparse.Namespace) -> int:
    setup.django()
    from dos.portal.accounts.permissions import SYSTEM
    from dos.portal.cityapp.actions import requests_sync
    from dos.portal.tenancy.models import City

    city = None
    if args.city:
        city = City.objects.filter(slug=args.city).first()
        if city is None:
            raise CommandError(f"unknown city {args.city}")
    done, failed = requests_sync(SYSTEM, city=city)
    print(f"{done} reports mirrored, {failed} failed")
    return 1 if failed else 0
