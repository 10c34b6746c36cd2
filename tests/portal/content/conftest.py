"""Fixtures of the content tests: two cities and the people who act on their content."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from dos.portal.accounts.roles import CITY_ADMIN, EDITOR
from dos.portal.tenancy.models import City
from tests.factories import UserFactory, dortmund, schwerte, user_with_role


@dataclass
class People:
    dortmund: City
    schwerte: City
    editor: Any  # Dortmund editor
    reviewer: Any  # Dortmund city admin (holds content.publish_post)
    schwerte_editor: Any
    schwerte_reviewer: Any
    region_editor: Any  # editor role region-wide
    citizen: Any


@pytest.fixture
def people(db: Any, settings: Any, tmp_path: Any) -> People:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # Argon2 makes each test user cost a second on a busy machine; these tests need no login.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    do, sw = dortmund(), schwerte()
    return People(
        dortmund=do,
        schwerte=sw,
        editor=user_with_role(EDITOR, do),
        reviewer=user_with_role(CITY_ADMIN, do),
        schwerte_editor=user_with_role(EDITOR, sw),
        schwerte_reviewer=user_with_role(CITY_ADMIN, sw),
        region_editor=user_with_role(EDITOR, None),
        citizen=UserFactory(),
    )
