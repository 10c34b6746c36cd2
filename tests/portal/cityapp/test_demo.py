"""The city app demo: a Dortmund module adopted by Schwerte with its own configuration, both
app configurations, services and reports in several states; loading twice changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from dos.demo import cityapp, region
from dos.portal.cityapp.models import Adoption, Module, ServiceRequest

pytestmark = pytest.mark.django_db


def test_demo_is_complete_and_idempotent(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for _ in range(2):
        region.load(lambda _msg: None)
        cityapp.load(lambda _msg: None)
    module = Module.objects.get(key="appointments")
    assert module.owner.slug == "dortmund"
    assert [v.version for v in sorted(module.versions.all(), key=lambda v: v.sort_key)] == [
        "1.0.0",
        "1.1.0",
    ]
    configs = {a.city.slug: a.configuration for a in Adoption.objects.filter(module=module)}
    assert set(configs) == {"dortmund", "schwerte"}
    assert configs["dortmund"]["offices"] != configs["schwerte"]["offices"]
    assert ServiceRequest.objects.count() == 6
    assert set(ServiceRequest.objects.values_list("state", flat=True)) == {
        "received",
        "in_progress",
        "resolved",
        "rejected",
    }
    assert Adoption.objects.filter(city__slug="schwerte").count() == 5
    assert Adoption.objects.filter(city__slug="dortmund").count() == 7


def test_demo_speaks_english_in_part(client: Any, settings: Any, monkeypatch: Any) -> None:
    """The English app gets English news, events, places and projects where the demo has
    them, and German texts (marked ``de``) for the rest. (The live KPIs, which need the
    broker's store, are left out here.)"""
    from dos.demo import content, events, strategy
    from dos.portal.accounts.permissions import SYSTEM
    from dos.portal.cityapp import actions
    from dos.portal.strategy.models import ActionField
    from dos.portal.tenancy.models import City

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setattr(strategy, "_refresh_live_kpis", lambda *_args: None)
    for step in (region, strategy, content, events, cityapp):
        step.load(lambda _msg: None)
    assert ActionField.objects.count() == 12
    assert not ActionField.objects.filter(name_en="").exists()
    _key, raw = actions.client_key_create(
        SYSTEM, City.objects.get(slug="dortmund"), label="test", rate_limit=1000
    )

    def languages(endpoint: str, title: str = "title") -> dict[str, set[str]]:
        found: dict[str, set[str]] = {"en": set(), "de": set()}
        url = f"/api/app/v1/dortmund/{endpoint}?lang=en&page_size=100"
        for item in client.get(url, HTTP_X_API_KEY=raw).json()["results"]:
            found[item["language"]].add(item[title])
        return found

    news = languages("news")
    assert (
        "DOS 2030 strategy adopted" in news["en"]
        and "Dortmund-App wächst auf 17 Module" in news["de"]
    )
    upcoming = languages("events")
    assert "Workshop: using the city's open data" in upcoming["en"]
    assert "Open lab evening at the Projektor" in upcoming["en"]
    places = languages("places", "name")
    assert places["en"] == {"Citizen Science Lab “Projektor”"}
    projects = languages("projects")
    assert "Open Data Portal" in projects["en"] and "Smarte Schulen" in projects["de"]
