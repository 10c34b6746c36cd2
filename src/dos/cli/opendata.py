"""``dos opendata sync``: generate the catalogue's datasets from the broker's entity types."""

from __future__ import annotations

import argparse
from typing import Any

from dos.cli import CommandError, setup


def register(sub: Any) -> None:
    p = sub.add_parser("opendata", help="maintain the open data catalogue")
    opendata_sub = p.add_subparsers(dest="opendata_command", metavar="ACTION", required=True)
    sync = opendata_sub.add_parser(
        "sync",
        help="create or update one dataset per city and NGSI-LD entity type",
        description="Ask the broker which entity types each city's tenant holds and create "
        "or update the generated datasets. Running it again changes nothing that is current.",
    )
    sync.add_argument("--city", action="append", help="only this city (slug); repeatable")
    sync.set_defaults(handler=run_sync)


def run_sync(args: argparse.Namespace) -> int:
    setup.django()
    from dos.broker.client import BrokerError
    from dos.portal.accounts.permissions import SYSTEM
    from dos.portal.opendata.actions import dataset_sync
    from dos.portal.tenancy.models import City

    cities = None
    if args.city:
        cities = list(City.objects.filter(slug__in=args.city))
        missing = sorted(set(args.city) - {city.slug for city in cities})
        if missing:
            raise CommandError(f"unknown city: {', '.join(missing)}")
    try:
        result = dataset_sync(SYSTEM, cities)
    except BrokerError as exc:
        raise CommandError(str(exc)) from None
    for slug in result.created:
        print(f"created {slug}")
    for slug in result.updated:
        print(f"updated {slug}")
    print(f"{len(result.created)} created, {len(result.updated)} updated")
    return 0
