"""The demo events load, hold registrations and a full event, and load again unchanged."""

from __future__ import annotations

import pytest

from dos.portal.events.models import Event, Registration, Venue

pytestmark = pytest.mark.django_db


def test_demo_events_load_idempotently() -> None:
    from dos.demo import events, region

    region.load(lambda _msg: None)
    events.load(lambda _msg: None)
    assert set(Venue.objects.values_list("slug", "city__slug")) == {
        ("projektor", "dortmund"),
        ("factory-4", "schwerte"),
    }
    assert Venue.objects.get(slug="projektor").address == "Kleppingstraße 28, Dortmund"
    full = Event.objects.get(slug="workshop-offene-daten")
    assert full.registrations.confirmed().count() == full.capacity == 3
    assert full.registrations.waiting().count() == 2
    assert Event.objects.filter(series__title="Offener Laborabend im Projektor").count() == 6
    assert Event.objects.filter(series__frequency="monthly").count() == 4
    assert Event.objects.filter(venue__slug="factory-4").exists()
    counts = (Event.objects.count(), Registration.objects.count())
    assert not Registration.objects.filter(user__email__isnull=False).exists()

    events.load(lambda _msg: None)
    assert (Event.objects.count(), Registration.objects.count()) == counts
