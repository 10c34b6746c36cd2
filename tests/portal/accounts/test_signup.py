import re

import pytest
from django.core import mail
from django.test import Client

from dos.portal.accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _signup(client: Client, **extra: str):
    data = {
        "email": "neu@example.org",
        "password1": "sehr-gutes-passwort-42",
        "password2": "sehr-gutes-passwort-42",
        "public_name": "Radlerin44",
        **extra,
    }
    return client.post("/accounts/signup/", data)


def test_signup_needs_email_verification_before_login(client: Client, settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = _signup(client)
    assert response.status_code == 302
    user = User.objects.get(email="neu@example.org")
    assert user.public_name == "Radlerin44"
    assert user.password.startswith("argon2")
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    # not yet verified: login is held back until the address is confirmed
    client.logout()
    login = client.post(
        "/accounts/login/", {"login": "neu@example.org", "password": "sehr-gutes-passwort-42"}
    )
    assert "/accounts/confirm-email/" in login["Location"]
    path = link.split("testserver", 1)[-1] if "testserver" in link else "/" + link.split("/", 3)[3]
    client.post(path)
    assert user.emailaddress_set.get().verified


def test_signup_honeypot_rejects_bots(client: Client) -> None:
    response = _signup(client, website="http://spam.example")
    assert response.status_code == 200
    assert "Dieses Feld muss leer bleiben." in response.content.decode()
    assert not User.objects.filter(email="neu@example.org").exists()


def test_login_is_throttled_after_repeated_failures(client: Client, settings) -> None:
    user = UserFactory(email="ziel@example.org", username="ziel@example.org")
    for _ in range(settings.CONFIG.LOGIN_MAX_FAILURES):
        client.post("/accounts/login/", {"login": user.email, "password": "falsch"})
    client.cookies["dos_language"] = "en"
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": "ein-gutes-passwort"}
    )
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
