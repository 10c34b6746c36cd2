"""Template context every page gets: region, cities, current city, navigation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from dos.portal.tenancy.models import City, Region
from dos.portal.web import generations, navigation


def shell(request: HttpRequest) -> dict[str, Any]:
    city = getattr(request, "city", None)
    region, cities = _region_and_cities()
    nav = navigation.items(request)
    return {
        "region": region,
        "cities": cities,
        "city": city,
        "nav_items": nav,
        "base_url": settings.BASE_URL,
    }


def _region_and_cities() -> tuple[Region | None, list[City]]:
    """The region and its cities for the page header, read again only after a change to
    either (the tenancy generation, see :mod:`dos.portal.web.generations`)."""
    key = f"web:shell:{generations.current(('tenancy',))}"
    found: tuple[Region | None, list[City]] | None = cache.get(key)
    if found is None:
        found = (Region.objects.order_by("pk").first(), list(City.objects.all()))
        cache.set(key, found, 300)
    return found
