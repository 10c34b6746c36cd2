"""Public pages: the upcoming-events lists with filters, the event and venue pages, home."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from dos.portal.events import actions
from dos.portal.events.models import Event
from dos.portal.strategy.models import ActionField
from tests.factories import UserFactory, schwerte
from tests.portal.events.conftest import login
from tests.portal.events.factories import EventFactory, VenueFactory

pytestmark = pytest.mark.django_db


def test_city_list_shows_upcoming_published_events_of_the_city_and_region(client: Client):
    EventFactory(title="Offener Laborabend")
    EventFactory(
        title="Vergangen",
        starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() - timedelta(days=2) + timedelta(hours=2),
    )
    EventFactory(title="Entwurf", status=Event.Status.DRAFT)
    EventFactory(title="Schwerter Termin", city=schwerte())
    EventFactory(title="Regionaler Termin", city=None, venue=None, online_url="https://m.example/")
    html = client.get("/dortmund/veranstaltungen/").content.decode()
    assert "Veranstaltungen in Dortmund" in html
    assert "Offener Laborabend" in html and "Regionaler Termin" in html
    for hidden in ("Vergangen", "Entwurf", "Schwerter Termin"):
        assert hidden not in html


def test_region_list_filters_by_city_venue_action_field_and_format(client: Client) -> None:
    field = ActionField.objects.create(code="UM", slug="umwelt", name="Umwelt")
    measured = EventFactory(title="Feinstaub messen")
    measured.action_fields.add(field)
    factory4 = VenueFactory(city=schwerte(), name="Factory 4", slug="factory-4")
    EventFactory(title="Bautag Schwerte", city=factory4.city, venue=factory4)
    EventFactory(title="Webinar", city=None, venue=None, online_url="https://m.example/")

    def titles(query: str) -> set[str]:
        html = client.get(f"/veranstaltungen/?{query}").content.decode()
        return {t for t in ("Feinstaub messen", "Bautag Schwerte", "Webinar") if t in html}

    assert titles("") == {"Feinstaub messen", "Bautag Schwerte", "Webinar"}
    assert titles("city=schwerte") == {"Bautag Schwerte", "Webinar"}
    assert titles("venue=factory-4") == {"Bautag Schwerte"}
    assert titles("action_field=umwelt") == {"Feinstaub messen"}
    assert titles("mode=online") == {"Webinar"}
    assert titles("mode=onsite") == {"Feinstaub messen", "Bautag Schwerte"}
    bad = client.get("/veranstaltungen/?city=atlantis")
    assert bad.status_code == 200
    assert "errorlist" in bad.content.decode()


def test_list_query_count_does_not_grow_with_events(client: Client, django_assert_max_num_queries):
    field = ActionField.objects.create(code="DP", slug="daten", name="Daten")
    for _ in range(15):
        event = EventFactory()
        event.action_fields.add(field)
        actions.registration_create(UserFactory(), event)
    with django_assert_max_num_queries(10):
        response = client.get("/veranstaltungen/")
    assert response.content.decode().count('class="card event-card"') == 15


def test_event_page_shows_place_accessibility_seats_and_strategy_links(client: Client) -> None:
    venue = VenueFactory(name="Projektor", accessible_toilet=False, accessibility_notes="Aufzug")
    event = EventFactory(venue=venue, capacity=3, description="<p>Wir <strong>löten</strong></p>")
    field = ActionField.objects.create(code="EU", slug="energie-umwelt", name="Energie und Umwelt")
    event.action_fields.add(field)
    actions.registration_create(UserFactory(), event)
    html = client.get(event.get_absolute_url()).content.decode()
    assert f'<h1 id="event-title">{event.title}</h1>' in html
    assert "Projektor" in html and "Aufzug" in html
    assert "<strong>löten</strong>" in html
    assert "noch 2 Plätze frei" in html
    assert "Zum Anmelden einloggen" in html
    assert "kalender.ics" in html
    assert f'<a href="{field.get_absolute_url()}">Energie und Umwelt</a>' in html


def test_register_and_cancel_through_the_event_page(client: Client) -> None:
    event = EventFactory(capacity=1)
    user = UserFactory()
    login(client, user)
    html = client.post(f"{event.get_absolute_url()}anmelden/", follow=True).content.decode()
    assert "Sie sind angemeldet." in html
    assert event.registrations.get(user=user).status == "confirmed"
    html = client.post(f"{event.get_absolute_url()}abmelden/", follow=True).content.decode()
    assert "Ihre Anmeldung wurde storniert." in html
    assert event.registrations.get(user=user).status == "cancelled"


def test_waiting_position_on_the_event_page(client: Client) -> None:
    event = EventFactory(capacity=1)
    actions.registration_create(UserFactory(), event)
    user = UserFactory()
    actions.registration_create(user, event)
    login(client, user)
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Sie sind Nummer 1 auf der Warteliste." in html


def test_region_url_of_a_city_event_redirects(client: Client) -> None:
    event = EventFactory()
    response = client.get(f"/veranstaltungen/{event.slug}/")
    assert response.status_code == 302
    assert response["Location"] == event.get_absolute_url()
    assert client.get(f"/schwerte/veranstaltungen/{event.slug}/kalender.ics").status_code == 404


def test_venue_page(client: Client) -> None:
    venue = VenueFactory(name="Projektor", step_free_access=None)
    EventFactory(title="Laborabend", venue=venue)
    html = client.get(venue.get_absolute_url()).content.decode()
    assert "<h1>Projektor</h1>" in html
    assert "noch nicht geprüft" in html
    assert "Laborabend" in html
    assert client.get("/schwerte/veranstaltungen/orte/" + venue.slug + "/").status_code == 404


def test_region_home_includes_upcoming_events(client: Client) -> None:
    EventFactory(title="Sensor-Bautag")
    html = client.get("/").content.decode()
    assert "Kommende Veranstaltungen" in html
    assert "Sensor-Bautag" in html


def test_online_link_of_a_registration_event_only_for_confirmed_attendees(client: Client):
    event = EventFactory(venue=None, online_url="https://meet.example.org/raum-42", capacity=1)
    html = client.get(event.get_absolute_url()).content.decode()
    assert "raum-42" not in html
    assert "raum-42" not in client.get(f"{event.get_absolute_url()}kalender.ics").content.decode()
    attendee, waiting = UserFactory(), UserFactory()
    actions.registration_create(attendee, event)
    actions.registration_create(waiting, event)
    login(client, waiting)
    assert "raum-42" not in client.get(event.get_absolute_url()).content.decode()
    login(client, attendee)
    assert (
        'href="https://meet.example.org/raum-42"'
        in client.get(event.get_absolute_url()).content.decode()
    )
