"""English versions of events and venues: sanitised, edited in the back office, copied to a
series' dates, shown on English pages and calendars, German where none was written."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from dos.portal.accounts.permissions import SYSTEM
from dos.portal.accounts.roles import CITY_ADMIN
from dos.portal.events import actions
from dos.portal.events.models import Event, EventSeries
from tests.factories import dortmund, user_with_role
from tests.portal.events.factories import EventFactory, VenueFactory

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _venue() -> Any:
    return VenueFactory(
        name="Stadtlabor",
        description="Ein Ort zum Basteln.",
        accessibility_notes="Eingang ebenerdig.",
        name_en="City lab",
        description_en="A place to tinker.",
        accessibility_notes_en="Step-free entrance.",
    )


def _event(**fields: Any) -> Event:
    event = EventFactory.build(
        venue=_venue(),
        title="Lötabend",
        summary="Wir löten.",
        description="<p>Mit Werkzeug.</p>",
        title_en="Soldering evening",
        summary_en="We solder.",
        description_en='<p>With tools.</p><script>alert(1)</script><img src="x">',
        **fields,
    )
    return actions.event_save(SYSTEM, event)


def test_english_description_is_sanitised_like_the_german() -> None:
    event = _event()
    assert event.description_en == "<p>With tools.</p>"
    assert event.text("description", "en") == "<p>With tools.</p>"
    assert event.text("description", "de") == "<p>Mit Werkzeug.</p>"


def test_english_texts_need_the_english_title() -> None:
    event = EventFactory.build(venue=_venue(), summary_en="Only a summary")
    with pytest.raises(ValidationError) as caught:
        actions.event_save(SYSTEM, event)
    assert "title_en" in caught.value.message_dict


def test_event_and_venue_pages_in_english(client: Client) -> None:
    event = _event()
    german_only = EventFactory(title="Nur deutsch", venue=event.venue)
    html = client.get(event.get_absolute_url(), **EN).content.decode()
    assert '<h1 id="event-title">Soldering evening</h1>' in html
    assert "We solder." in html and "<p>With tools.</p>" in html and ">City lab</a>" in html
    assert "Lötabend" not in html
    listing = client.get("/dortmund/veranstaltungen/", **EN).content.decode()
    assert "Soldering evening" in listing and "We solder." in listing
    assert ">City lab</option>" in listing  # the venue filter
    assert f'<h3 lang="de"><a href="{german_only.get_absolute_url()}">Nur deutsch</a>' in listing
    venue = client.get(event.venue.get_absolute_url(), **EN).content.decode()
    assert "<h1>City lab</h1>" in venue and "A place to tinker." in venue
    assert "Step-free entrance." in venue
    german = client.get(event.get_absolute_url()).content.decode()
    assert '<h1 id="event-title">Lötabend</h1>' in german and "Soldering" not in german
    calendar = client.get(event.get_absolute_url() + "kalender.ics", **EN).content.decode()
    assert "SUMMARY:Soldering evening" in calendar and "LOCATION:City lab" in calendar


def test_series_dates_get_the_english_texts() -> None:
    first = _event(starts_at=timezone.now() + timedelta(days=3))
    series = EventSeries(title="Lötabende", frequency="weekly", count=3)
    dates = actions.series_generate(SYSTEM, first, series)
    assert [e.title_en for e in dates] == ["Soldering evening"] * 3
    series.title_en = "Soldering evenings"
    series.save()
    html = Client().get(dates[1].get_absolute_url(), **EN).content.decode()
    assert "Part of the series “Soldering evenings”" in html
    assert {e.description_en for e in dates} == {"<p>With tools.</p>"}


def test_organiser_edits_the_english_version_in_the_back_office(client: Client) -> None:
    admin = user_with_role(CITY_ADMIN, dortmund())
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    event = EventFactory(title="Lötabend")
    form = client.get(f"/admin/events/event/{event.pk}/change/").content.decode()
    assert "Englisch (optional)" in form and 'name="description_en"' in form
    starts = timezone.localtime(event.starts_at)
    ends = timezone.localtime(event.ends_at)
    data = {
        "title": event.title,
        "slug": event.slug,
        "summary": "",
        "description": "",
        "status": event.status,
        "title_en": "Soldering evening",
        "summary_en": "We solder.",
        "description_en": "<p>Hi</p><script>x</script>",
        "city": event.city_id,
        "starts_at_0": starts.date().isoformat(),
        "starts_at_1": starts.strftime("%H:%M:%S"),
        "ends_at_0": ends.date().isoformat(),
        "ends_at_1": ends.strftime("%H:%M:%S"),
        "venue": event.venue_id,
        "online_url": "",
        "registration_required": "on",
        "capacity": event.capacity,
        "waiting_list_limit": event.waiting_list_limit,
        "organiser": event.organiser,
    }
    response = client.post(f"/admin/events/event/{event.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event.refresh_from_db()
    assert (event.title_en, event.summary_en, event.description_en) == (
        "Soldering evening",
        "We solder.",
        "<p>Hi</p>",
    )
    venue = client.get(f"/admin/events/venue/{event.venue_id}/change/").content.decode()
    assert "Englisch (optional)" in venue and 'name="accessibility_notes_en"' in venue
