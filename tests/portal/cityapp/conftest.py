"""Fixtures: Dortmund and Schwerte with apps, client keys, services and users."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.cache import cache
from PIL import Image

from dos.portal.accounts.models import Membership, User
from dos.portal.accounts.permissions import SYSTEM
from dos.portal.accounts.roles import CITY_ADMIN, EDITOR
from dos.portal.cityapp import actions
from dos.portal.cityapp.models import Module
from dos.portal.tenancy.models import City, Region


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # Argon2 is slow on purpose; these tests check permissions, not password storage.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_city(slug: str, name: str, ags: str, lat: float, lon: float) -> City:
    return City.objects.create(
        region=Region.current(), slug=slug, name=name, ags=ags, latitude=lat, longitude=lon
    )


@pytest.fixture
def dortmund(db: Any) -> City:
    return make_city("dortmund", "Dortmund", "05913000", 51.5136, 7.4653)


@pytest.fixture
def schwerte(db: Any) -> City:
    return make_city("schwerte", "Schwerte", "05978036", 51.4458, 7.5653)


def user_with(email: str, role: str | None = None, city: City | None = None) -> User:
    user = User.objects.create_user(email=email, password="long-enough-pw-1")
    if role:
        Membership.objects.create(user=user, role=role, city=city)
        user.is_staff = True
        user.save()
    return user


@pytest.fixture
def dortmund_admin(dortmund: City) -> User:
    return user_with("admin@dortmund.test", CITY_ADMIN, dortmund)


@pytest.fixture
def schwerte_admin(schwerte: City) -> User:
    return user_with("admin@schwerte.test", CITY_ADMIN, schwerte)


@pytest.fixture
def dortmund_editor(dortmund: City) -> User:
    return user_with("editor@dortmund.test", EDITOR, dortmund)


@pytest.fixture
def schwerte_editor(schwerte: City) -> User:
    return user_with("editor@schwerte.test", EDITOR, schwerte)


@pytest.fixture
def citizen(db: Any) -> User:
    return user_with("citizen@example.test")


@pytest.fixture
def apps(dortmund: City, schwerte: City) -> dict[str, Any]:
    """Both cities' apps with a key each and the Open311 services of the demo."""
    found: dict[str, Any] = {}
    for city in (dortmund, schwerte):
        actions.app_settings_save(SYSTEM, city, app_name=f"{city.name}-App", languages=["de", "en"])
        actions.module_adopt(
            SYSTEM,
            city,
            Module.objects.get(key="defect-reporting"),
            configuration={"allow_photos": True},
            position=10,
        )
        key, raw = actions.client_key_create(SYSTEM, city, label="app", rate_limit=1000)
        services = {
            "pothole": actions.service_save(
                SYSTEM,
                city,
                code="pothole",
                name="Schlagloch",
                name_en="Pothole",
                department="Tiefbauamt",
            ),
            "illegal-dumping": actions.service_save(
                SYSTEM,
                city,
                code="illegal-dumping",
                name="Wilder Müll",
                department="Entsorgung",
                attributes=[
                    {
                        "code": "waste_type",
                        "datatype": "singlevaluelist",
                        "description": "Art",
                        "required": True,
                        "values": [{"key": "bulky", "name": "Sperrmüll"}],
                    }
                ],
            ),
        }
        found[city.slug] = {"city": city, "key": key, "raw": raw, "services": services}
    return found


def jpeg_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()
