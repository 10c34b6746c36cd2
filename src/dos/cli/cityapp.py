"""``dos cityapp sync``: mirror defect reports the broker has not seen yet;
``dos cityapp key``: create a public client key of a city's app (printed once)."""

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
    key = app_sub.add_parser(
        "key",
        help="create a public client key of a city's app",
        description="Create a public client key of the city's app and print it once (only its "
        "SHA-256 is stored). The key may read the app API and post defect reports of that "
        "city, nothing else; revoke it on the city's app page in the portal.",
    )
    key.add_argument("--city", required=True, help="the city (slug)")
    key.add_argument("--label", default="app", help="what the key is for (default: app)")
    key.add_argument(
        "--rate-limit", type=int, default=120, help="requests per minute (1-100000, default 120)"
    )
    key.set_defaults(handler=run_key)


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


def run_key(args: argparse.Namespace) -> int:
    setup.django()
    from django.core.exceptions import ValidationError

    from dos.portal.accounts.permissions import SYSTEM
    from dos.portal.cityapp.actions import client_key_create
    from dos.portal.tenancy.models import City

    city = City.objects.filter(slug=args.city).first()
    if city is None:
        raise CommandError(f"unknown city {args.city}")
    try:
        _key, raw = client_key_create(SYSTEM, city, label=args.label, rate_limit=args.rate_limit)
    except ValidationError as exc:
        problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        raise CommandError(f"no key created: {problems}") from None
    print(raw)
    return 0
