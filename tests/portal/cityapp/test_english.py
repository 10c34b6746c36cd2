"""English versions in the app API: English where written, German otherwise, ETag per language."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from dos.portal.accounts.permissions import SYSTEM
from dos.portal.content import actions as content
from tests.portal.cityapp.test_content import get
from tests.portal.events.factories import EventFactory, VenueFactory
from tests.portal.strategy.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def _news(city: Any) -> None:
    english = content.post_create(
        SYSTEM,
        kind="news",
        city=city,
        title="Sensoren installiert",
        teaser="Neue Sensoren in der Innenstadt.",
        title_en="Sensors installed",
        teaser_en="New sensors in the town centre.",
    )
    german = content.post_create(
        SYSTEM, kind="news", city=city, title="Nur auf Deutsch", teaser="Kein Englisch."
    )
    earlier = timezone.now() - timedelta(hours=1)
    content.post_publish(SYSTEM, english, at=earlier)
    content.post_publish(SYSTEM, german, at=earlier - timedelta(hours=1))


def test_news_in_english_with_german_fallback(client: Any, apps: dict[str, Any]) -> None:
    _news(apps["dortmund"]["city"])
    english = get(client, apps, "news?lang=en")
    assert english["Content-Language"] == "en"
    body = english.json()
    assert body["language"] == "en"
    assert [(n["title"], n["teaser"], n["language"]) for n in body["results"]] == [
        ("Sensors installed", "New sensors in the town centre.", "en"),
        ("Nur auf Deutsch", "Kein Englisch.", "de"),
    ]
    german = get(client, apps, "news", HTTP_ACCEPT_LANGUAGE="de").json()
    assert [n["title"] for n in german["results"]] == ["Sensoren installiert", "Nur auf Deutsch"]
    assert {n["language"] for n in german["results"]} == {"de"}
    # Accept-Language chooses English as well, and ?q= searches the English texts.
    by_header = get(client, apps, "news", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8").json()
    assert by_header["results"][0]["title"] == "Sensors installed"
    assert [n["title"] for n in get(client, apps, "news?lang=en&q=town").json()["results"]] == [
        "Sensors installed"
    ]


def test_events_and_places_in_english(client: Any, apps: dict[str, Any]) -> None:
    city = apps["dortmund"]["city"]
    venue = VenueFactory(
        city=city,
        name="Stadtlabor",
        description="Ein Ort zum Basteln.",
        name_en="City lab",
        description_en="A place to tinker.",
        accessibility_notes="Eingang ebenerdig.",
        accessibility_notes_en="Step-free entrance.",
    )
    EventFactory(
        city=city,
        venue=venue,
        title="Lötabend",
        summary="Wir löten.",
        title_en="Soldering evening",
        summary_en="We solder.",
        starts_at=timezone.now() + timedelta(days=1),
    )
    EventFactory(
        city=city, venue=venue, title="Nur deutsch", starts_at=timezone.now() + timedelta(days=2)
    )
    events = get(client, apps, "events?lang=en").json()["results"]
    assert [(e["title"], e["language"]) for e in events] == [
        ("Soldering evening", "en"),
        ("Nur deutsch", "de"),
    ]
    assert events[0]["summary"] == "We solder." and events[0]["venue"]["name"] == "City lab"
    assert events[0]["registration_url"].endswith("/anmelden/")
    place = get(client, apps, "places?lang=en").json()["results"][0]
    assert (place["name"], place["description"], place["accessibility"]["notes"]) == (
        "City lab",
        "A place to tinker.",
        "Step-free entrance.",
    )
    german = get(client, apps, "places?lang=de").json()["results"][0]
    assert (german["name"], german["language"]) == ("Stadtlabor", "de")


def test_projects_in_english(client: Any, apps: dict[str, Any]) -> None:
    ProjectFactory(
        title="Smarte Schulen",
        summary="Digitale Schulen.",
        title_en="Smart schools",
        summary_en="Digital schools.",
        cities=[apps["dortmund"]["city"]],
    )
    ProjectFactory(title="Regionale Datenplattform", summary="Für alle.")
    english = {p["title"]: p for p in get(client, apps, "projects?lang=en").json()["results"]}
    assert english["Smart schools"]["summary"] == "Digital schools."
    assert english["Smart schools"]["language"] == "en"
    assert english["Regionale Datenplattform"]["language"] == "de"
    german = get(client, apps, "projects?lang=de").json()["results"]
    assert {p["title"] for p in german} == {"Smarte Schulen", "Regionale Datenplattform"}


def test_etag_differs_by_language(client: Any, apps: dict[str, Any]) -> None:
    """Also where no English text exists (the body would otherwise be the same): a client's
    German copy must not be confirmed as current for an English request."""
    VenueFactory(city=apps["dortmund"]["city"], name="Nur deutsch")
    german = get(client, apps, "places?lang=de")
    english = get(client, apps, "places?lang=en")
    assert german.status_code == english.status_code == 200
    assert german["ETag"] != english["ETag"]
    assert german.json()["results"] == english.json()["results"]
    assert "Accept-Language" in english["Vary"]
    stale = get(
        client, apps, "places", HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=german["ETag"]
    )
    assert stale.status_code == 200 and stale["Content-Language"] == "en"
    same = get(client, apps, "places?lang=en", HTTP_IF_NONE_MATCH=english["ETag"])
    assert same.status_code == 304
