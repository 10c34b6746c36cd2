import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from dos.portal.accounts import permissions
from dos.portal.accounts.actions import membership_grant, membership_revoke
from dos.portal.accounts.models import Membership
from dos.portal.accounts.roles import CITY_ADMIN, EDITOR, REGION_ADMIN
from dos.portal.tenancy.actions import city_update
from tests.factories import UserFactory, dortmund, schwerte, user_with_role

pytestmark = pytest.mark.django_db


def test_every_declared_permission_names_its_app() -> None:
    for name in permissions.registry():
        app, _, codename = name.partition(".")
        assert app and codename, name


def test_city_admin_of_schwerte_cannot_change_dortmund() -> None:
    do, sw = dortmund(), schwerte()
    admin_sw = user_with_role(CITY_ADMIN, sw)
    city_update(admin_sw, sw, name="Schwerte (Ruhr)")
    sw.refresh_from_db()
    assert sw.name == "Schwerte (Ruhr)"
    with pytest.raises(PermissionDenied, match=r"tenancy\.change_city"):
        city_update(admin_sw, do, name="Gekapert")
    do.refresh_from_db()
    assert do.name == "Dortmund"


def test_schwerte_editor_holds_no_dortmund_permission() -> None:
    do, sw = dortmund(), schwerte()
    editor = user_with_role(EDITOR, sw)
    assert not permissions.has_perm(editor, "tenancy.change_city", do)
    assert not permissions.has_perm(editor, "tenancy.change_city", sw)  # editors don't edit cities


def test_region_admin_holds_everything_and_citizen_nothing() -> None:
    do = dortmund()
    boss = user_with_role(REGION_ADMIN, None)
    citizen = UserFactory()
    for name in permissions.registry():
        assert permissions.has_perm(boss, name, do)
        assert not permissions.has_perm(citizen, name, do)


def test_undeclared_permission_is_a_programming_error() -> None:
    with pytest.raises(KeyError, match="undeclared permission"):
        permissions.has_perm(UserFactory(), "strategy.fly_to_the_moon")


def test_granting_a_staff_role_gives_admin_access_and_revoking_takes_it() -> None:
    sw = schwerte()
    user = UserFactory()
    assert not user.is_staff
    membership = membership_grant(permissions.SYSTEM, user, EDITOR, sw)
    user.refresh_from_db()
    assert user.is_staff
    membership_revoke(permissions.SYSTEM, membership)
    user.refresh_from_db()
    assert not user.is_staff
    assert not Membership.objects.filter(user=user).exists()


def test_city_admin_grants_roles_only_in_their_city() -> None:
    do, sw = dortmund(), schwerte()
    admin_do = user_with_role(CITY_ADMIN, do)
    someone = UserFactory()
    membership_grant(admin_do, someone, EDITOR, do)
    with pytest.raises(PermissionDenied):
        membership_grant(admin_do, someone, EDITOR, sw)
    with pytest.raises(PermissionDenied):
        membership_grant(admin_do, someone, REGION_ADMIN, None)
    assert list(Membership.objects.filter(user=someone).values_list("city__slug", "role")) == [
        ("dortmund", EDITOR)
    ]


def test_unknown_role_and_city_bound_region_admin_are_refused() -> None:
    user = UserFactory()
    with pytest.raises(ValidationError):
        membership_grant(permissions.SYSTEM, user, "king", None)
    with pytest.raises(ValidationError):
        membership_grant(permissions.SYSTEM, user, REGION_ADMIN, dortmund())


def test_citizen_cannot_open_the_admin(client: Client) -> None:
    citizen = UserFactory()
    client.force_login(citizen)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_city_admin_sees_only_their_city_in_the_admin(client: Client) -> None:
    do, sw = dortmund(), schwerte()
    client.force_login(user_with_role(CITY_ADMIN, sw))
    listing = client.get("/admin/tenancy/city/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Schwerte" in html and "Dortmund" not in html
    assert client.get(f"/admin/tenancy/city/{sw.pk}/change/").status_code == 200
    # another city's page: not shown (the admin redirects with "doesn't exist")
    other = client.get(f"/admin/tenancy/city/{do.pk}/change/")
    assert other.status_code == 302
    response = client.post(f"/admin/tenancy/city/{do.pk}/change/", {"name": "Gekapert"})
    assert response.status_code in (302, 403)
    do.refresh_from_db()
    assert do.name == "Dortmund"


def test_editor_cannot_add_cities_in_the_admin(client: Client) -> None:
    client.force_login(user_with_role(EDITOR, dortmund()))
    assert client.get("/admin/tenancy/city/add/").status_code == 403
