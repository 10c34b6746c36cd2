"""Template context every page gets: region, cities, current city, navigation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from dos.portal.tenancy.models import City, Region
from dos.portal.web import navigation


def shell(request: HttpRequest) -> dict[str, Any]:
    city = getattr(request, "city", None)
    cities = list(City.objects.all())
    nav = navigation.items(request)
    return {
        "region": Region.objects.order_by("pk").first(),
        "cities": cities,
        "city": city,
        "nav_items": nav,
        "base_url": settings.BASE_URL,
    }
