"""iCalendar files and feeds parse and carry UID, DTSTAMP, time zone and escaped text."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.conf import settings
from django.test import Client

from dos.portal.events.models import Event
from dos.portal.strategy.models import ActionField
from tests.factories import schwerte
from tests.portal.events.factories import EventFactory, VenueFactory

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def test_event_file_parses_with_uid_dtstamp_timezone_and_escaping(client: Client) -> None:
    start = datetime(2030, 7, 1, 18, 0, tzinfo=BERLIN)
    event = EventFactory(
        title="Sensoren bauen; Teil 1, mit Löten",
        summary="Zeilen\nund, Kommas; Semikolons",
        starts_at=start,
        ends_at=start.replace(hour=21),
        venue=VenueFactory(name="Projektor", address="Kleppingstraße 28, Dortmund"),
    )
    cal = parse(client.get(f"{event.get_absolute_url()}kalender.ics"))
    assert cal["VERSION"] == "2.0"
    assert cal["PRODID"]
    (vevent,) = cal.walk("VEVENT")
    host = urlsplit(settings.BASE_URL).hostname
    assert str(vevent["UID"]) == f"event-{event.pk}@{host}"
    assert vevent["DTSTAMP"].dt.utcoffset().total_seconds() == 0
    assert vevent["DTSTART"].dt == start
    assert vevent["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert vevent["DTEND"].dt == start.replace(hour=21)
    assert str(vevent["SUMMARY"]) == "Sensoren bauen; Teil 1, mit Löten"
    assert str(vevent["DESCRIPTION"]) == "Zeilen\nund, Kommas; Semikolons"
    assert str(vevent["LOCATION"]) == "Projektor, Kleppingstraße 28, Dortmund"
    raw = client.get(f"{event.get_absolute_url()}kalender.ics").content.decode()
    assert "SUMMARY:Sensoren bauen\\; Teil 1\\, mit Löten" in raw  # RFC 5545 §3.3.11
    assert "BEGIN:VTIMEZONE" in raw and "TZID:Europe/Berlin" in raw
    assert all(len(line.encode()) <= 75 for line in raw.split("\r\n"))  # §3.1 folding


def test_city_feed_holds_the_city_and_region_events_but_not_drafts(client: Client) -> None:
    shown = EventFactory(title="In Dortmund")
    EventFactory(title="Entwurf", status=Event.Status.DRAFT)
    EventFactory(title="In Schwerte", city=schwerte())
    EventFactory(title="Regional", city=None, venue=None, online_url="https://meet.example/x")
    cal = parse(client.get("/dortmund/veranstaltungen/kalender.ics"))
    assert sorted(str(e["SUMMARY"]) for e in cal.walk("VEVENT")) == ["In Dortmund", "Regional"]
    assert str(cal["X-WR-CALNAME"]) == "Veranstaltungen in Dortmund"
    assert shown.pk


def test_venue_and_action_field_feeds(client: Client) -> None:
    field = ActionField.objects.create(code="DP", slug="daten", name="Daten und Plattformen")
    event = EventFactory(title="Datenlabor")
    event.action_fields.add(field)
    EventFactory(title="Anderswo")
    venue_cal = parse(client.get(f"{event.venue.get_absolute_url()}kalender.ics"))
    assert [str(e["SUMMARY"]) for e in venue_cal.walk("VEVENT")] == ["Datenlabor"]
    field_cal = parse(client.get("/veranstaltungen/handlungsfelder/daten/kalender.ics"))
    (vevent,) = field_cal.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Datenlabor"
    assert vevent["CATEGORIES"].cats == ["Daten und Plattformen"]
    region_cal = parse(client.get("/veranstaltungen/kalender.ics"))
    assert len(region_cal.walk("VEVENT")) == 2
    assert (
        client.get("/veranstaltungen/handlungsfelder/gibts-nicht/kalender.ics").status_code == 404
    )
