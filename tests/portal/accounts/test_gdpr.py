import json

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from dos.portal.accounts.actions import account_delete, account_export
from dos.portal.accounts.models import User
from dos.portal.accounts.roles import EDITOR
from tests.factories import UserFactory, dortmund, user_with_role

pytestmark = pytest.mark.django_db


def test_export_contains_the_users_data() -> None:
    user = user_with_role(EDITOR, dortmund())
    data = account_export(user, user)
    assert data["format"] == "dos-personal-data/1"
    assert data["accounts"]["email"] == user.email
    assert data["accounts"]["public_name"] == user.public_name
    assert data["accounts"]["roles"][0] == {
        "role": "editor",
        "city": "dortmund",
        "granted_at": data["accounts"]["roles"][0]["granted_at"],
    }
    assert data["accounts"]["email_addresses"][0]["verified"] is True


def test_nobody_else_can_export_a_users_data() -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        account_export(UserFactory(), UserFactory())


def test_export_download_in_the_portal(client: Client) -> None:
    user = UserFactory()
    client.force_login(user)
    response = client.post("/konto/export/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert json.loads(response.content)["accounts"]["email"] == user.email
    assert client.get("/konto/export/").status_code == 405


def test_deletion_removes_personal_data_and_keeps_the_row() -> None:
    user = user_with_role(EDITOR, dortmund())
    pk = user.pk
    account_delete(user, user)
    user = User.objects.get(pk=pk)
    assert user.email is None
    assert user.public_name == ""
    assert not user.is_active and not user.is_staff
    assert not user.has_usable_password()
    assert user.display_name == "gelöschter Nutzer"
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not user.memberships.exists()


def test_delete_account_in_the_portal_needs_the_password(client: Client) -> None:
    user = UserFactory()
    client.force_login(user)
    wrong = client.post("/konto/loeschen/", {"password": "falsch", "confirm": "on"})
    assert wrong.status_code == 200
    assert "Das Passwort ist nicht korrekt." in wrong.content.decode()
    assert User.objects.get(pk=user.pk).is_active
    right = client.post("/konto/loeschen/", {"password": "ein-gutes-passwort", "confirm": "on"})
    assert right.status_code == 302
    assert User.objects.get(pk=user.pk).deleted_at is not None
    # logged out
    assert client.get("/konto/").status_code == 302
