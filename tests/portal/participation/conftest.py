"""Fixtures of the participation tests: two cities, a running process, people in roles."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from dos.portal.accounts.roles import EDITOR, MODERATOR
from dos.portal.participation import phases
from dos.portal.participation.models import CityRules, Phase, Process
from tests.factories import UserFactory, dortmund, schwerte, user_with_role


@pytest.fixture(autouse=True)
def _clean_cache() -> Any:
    cache.clear()  # rate-limit counters must not leak between tests
    # Actions called outside a request speak the active language; other tests (the CLI
    # activates English) must not decide which one.
    translation.activate("de")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # Argon2 is right for production and far too slow for hundreds of test users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_process(city: Any, kind: str = phases.IDEA_COLLECTION, slug: str = "") -> Process:
    """A process whose phase ``kind`` runs today."""
    process = Process.objects.create(
        city=city,
        slug=slug or f"prozess-{city.slug if city else 'region'}-{kind}".replace("_", "-"),
        title=f"Prozess {kind}",
        description="Worum es geht.",
    )
    today = timezone.localdate()
    Phase.objects.create(
        process=process,
        kind=phases.INFORMATION,
        starts_on=today - datetime.timedelta(days=40),
        ends_on=today - datetime.timedelta(days=31),
    )
    Phase.objects.create(
        process=process,
        kind=kind,
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=30),
    )
    return process


@pytest.fixture
def city(db: Any) -> Any:
    return schwerte()


@pytest.fixture
def other_city(db: Any) -> Any:
    return dortmund()


@pytest.fixture
def rules(city: Any) -> CityRules:
    rules = CityRules.for_city(city)
    rules.precheck_ideas = False
    rules.support_threshold = 3
    rules.support_weeks = 6
    rules.save()
    return rules


@pytest.fixture
def process(city: Any, rules: CityRules) -> Process:
    return make_process(city)


@pytest.fixture
def citizen(db: Any) -> Any:
    return UserFactory(public_name="Radlerin44")


@pytest.fixture
def other_citizen(db: Any) -> Any:
    return UserFactory(public_name="Stadtgaertner7")


@pytest.fixture
def unverified(db: Any) -> Any:
    return UserFactory(public_name="Neuling", verified=False)


@pytest.fixture
def moderator(city: Any) -> Any:
    return user_with_role(MODERATOR, city)


@pytest.fixture
def other_moderator(other_city: Any) -> Any:
    return user_with_role(MODERATOR, other_city)


@pytest.fixture
def editor(city: Any) -> Any:
    return user_with_role(EDITOR, city)


@pytest.fixture
def action_field(db: Any) -> Any:
    from dos.portal.strategy.models import ActionField

    return ActionField.objects.create(
        code="MO",
        slug="mobilitaet",
        name="Mobilität",
        description="Radwege, Bus und Bahn, Parken, Verkehr und Wege durch die Stadt.",
    )


@pytest.fixture
def idea(process: Process, citizen: Any) -> Any:
    from dos.portal.participation.actions import idea_submit

    return idea_submit(
        citizen, process, title="Sichere Radwege zur Schule", description="Getrennte Radwege."
    )


def login(client: Any, user: Any) -> None:
    """Sign ``user`` in (through allauth's backend: the role backend only authorises)."""
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
