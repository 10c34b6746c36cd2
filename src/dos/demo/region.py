"""The region and its two first cities, from ../shared/data/dos2030-facts.json."""

from __future__ import annotations

from typing import Any

REGION = {
    "name": "Smart-City-Region Dortmund–Schwerte",
    "description": (
        "Dortmund und Schwerte gestalten gemeinsam die digitale Zukunft ihrer Städte: "
        "„Smart sind wir nur gemeinsam“. Die gemeinsame Strategie DOS 2030 bündelt "
        "12 Handlungsfelder und 45 Projekte – offen für weitere Partnerstädte."
    ),
}

CITIES: list[dict[str, Any]] = [
    {
        "slug": "dortmund",
        "name": "Dortmund",
        "ags": "05913000",
        "latitude": 51.5136,
        "longitude": 7.4653,
        "primary_colour": "#1a5f9e",
        "secondary_colour": "#f2b705",
        "position": 1,
    },
    {
        "slug": "schwerte",
        "name": "Schwerte",
        "ags": "05978036",
        "latitude": 51.4458,
        "longitude": 7.5653,
        "primary_colour": "#7a1e2c",
        "secondary_colour": "#e0a800",
        "position": 2,
    },
]

ADMIN_EMAIL = "admin@dos.localhost"


def load(say: Any) -> None:
    """Create or update the region, the cities and the demo admin."""
    from dos.portal.accounts.actions import admin_create
    from dos.portal.accounts.models import User
    from dos.portal.tenancy.models import City, Region

    region = Region.current()
    for key, value in REGION.items():
        setattr(region, key, value)
    region.save()
    for data in CITIES:
        city, created = City.objects.update_or_create(
            slug=data["slug"], defaults={**data, "region": region}
        )
        say(f"city {city.name}: {'added' if created else 'up to date'}")
    if User.objects.filter(email=ADMIN_EMAIL).exists():
        say(f"admin {ADMIN_EMAIL} exists (new password: dos createadmin --email {ADMIN_EMAIL})")
    else:
        _user, password = admin_create(ADMIN_EMAIL)
        say(f"admin account created – log in at /admin/ with {ADMIN_EMAIL} / {password}")
        say("(the password is shown only this once)")
