"""The only code that changes regions and cities."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from dos.portal.accounts.permissions import require
from dos.portal.tenancy.models import City, Region

CITY_FIELDS = (
    "slug",
    "name",
    "ags",
    "latitude",
    "longitude",
    "primary_colour",
    "secondary_colour",
    "position",
)


def region_update(actor: Any, *, name: str, description: str = "") -> Region:
    """Rename or describe the region (permission ``tenancy.change_region``)."""
    region = Region.current()
    require(actor, "tenancy.change_region", region)
    region.name = name
    region.description = description
    region.full_clean()
    region.save()
    return region


@transaction.atomic
def city_add(actor: Any, **fields: Any) -> City:
    """Add a partner city (permission ``tenancy.add_city``); validates every field first."""
    require(actor, "tenancy.add_city", None)
    unknown = set(fields) - set(CITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown city fields: {', '.join(sorted(unknown))}")
    city = City(region=Region.current(), **fields)
    city.full_clean()
    city.save()
    return city


@transaction.atomic
def city_update(actor: Any, city: City, **fields: Any) -> City:
    """Change a city's settings (permission ``tenancy.change_city`` for that city)."""
    require(actor, "tenancy.change_city", city)
    for name, value in fields.items():
        if name not in CITY_FIELDS or name == "slug":
            raise TypeError(f"field {name} cannot be changed here")
        setattr(city, name, value)
    city.full_clean()
    city.save()
    return city
