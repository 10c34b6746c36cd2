import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dos.portal.accounts.permissions import SYSTEM
from dos.portal.accounts.roles import CITY_ADMIN
from dos.portal.tenancy.actions import city_add, region_update
from dos.portal.tenancy.models import City
from tests.factories import dortmund, user_with_role

pytestmark = pytest.mark.django_db

UNNA = {"slug": "unna", "name": "Unna", "ags": "05978036", "latitude": 51.53, "longitude": 7.69}


def test_partner_city_joins_and_has_its_pages(client) -> None:
    city = city_add(SYSTEM, **{**UNNA, "ags": "05978040"})
    assert City.objects.get(slug="unna").tenant == "unna"
    assert city.name == "Unna"
    assert client.get("/unna/").status_code == 200


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("slug", "admin", "reserved"),
        ("slug", "Unna Stadt", "Lower-case"),
        ("ags", "123", "8 digits"),
        ("latitude", 123.0, "less than or equal to 90"),
        ("primary_colour", "red", "colour"),
    ],
)
def test_invalid_city_is_refused_at_the_field(field: str, value: object, message: str) -> None:
    from django.utils import translation

    with translation.override("en"):
        with pytest.raises(ValidationError) as info:
            city_add(SYSTEM, **{**UNNA, field: value})
        assert field in info.value.message_dict
        assert message in " ".join(info.value.message_dict[field])
    assert not City.objects.filter(name="Unna").exists()


def test_duplicate_slug_is_refused() -> None:
    dortmund()
    with pytest.raises(ValidationError) as info:
        city_add(SYSTEM, **{**UNNA, "slug": "dortmund", "ags": "05978041"})
    assert "slug" in info.value.message_dict


def test_city_admin_cannot_add_cities_or_rename_the_region() -> None:
    admin = user_with_role(CITY_ADMIN, dortmund())
    with pytest.raises(PermissionDenied):
        city_add(admin, **UNNA)
    with pytest.raises(PermissionDenied):
        region_update(admin, name="Meine Region")
