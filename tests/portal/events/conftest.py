from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    """Argon2 is slow by design; these tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def mails(django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]) -> Any:
    """Run the on-commit callbacks (mails) of a block and return the outbox."""

    class Capture:
        outbox = mailoutbox

        def __call__(self) -> Any:
            return django_capture_on_commit_callbacks(execute=True)

    return Capture()


def login(client: Any, user: Any) -> None:
    """Log ``user`` in (the first backend authorises only, so name allauth's)."""
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
