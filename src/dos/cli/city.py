"""``dos city add|list``: partner cities join without code changes."""

from __future__ import annotations

import argparse
from typing import Any

from dos.cli import CommandError, setup


def register(sub: Any) -> None:
    p = sub.add_parser("city", help="add or list the region's cities")
    city_sub = p.add_subparsers(dest="city_command", metavar="ACTION", required=True)
    add = city_sub.add_parser(
        "add",
        help="add a partner city",
        description="Add a partner city. Its slug becomes its address "
        "(/<slug>/) and its NGSI-LD tenant.",
    )
    add.add_argument("--slug", required=True, help="e.g. unna")
    add.add_argument("--name", required=True, help="e.g. Unna")
    add.add_argument("--ags", required=True, help="official municipality key, 8 digits")
    add.add_argument("--lat", type=float, required=True, help="latitude of the centre")
    add.add_argument("--lon", type=float, required=True, help="longitude of the centre")
    add.add_argument("--colour", default="#1a5f9e", help="primary colour, e.g. #1a5f9e")
    add.set_defaults(handler=run_add)
    ls = city_sub.add_parser("list", help="list the cities")
    ls.set_defaults(handler=run_list)


def run_add(args: argparse.Namespace) -> int:
    setup.django()
    from django.core.exceptions import ValidationError

    from dos.portal.accounts.permissions import SYSTEM
    from dos.portal.tenancy.actions import city_add

    try:
        city = city_add(
            SYSTEM,
            slug=args.slug,
            name=args.name,
            ags=args.ags,
            latitude=args.lat,
            longitude=args.lon,
            primary_colour=args.colour,
        )
    except ValidationError as exc:
        fields = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        raise CommandError(f"city not added: {fields}") from None
    print(f"city {city.name} added: /{city.slug}/ (NGSI-LD tenant {city.tenant})")
    return 0


def run_list(args: argparse.Namespace) -> int:
    setup.django()
    from dos.portal.tenancy.models import City

    for city in City.objects.all():
        print(f"{city.slug:<16} {city.ags}  {city.name}")
    return 0
