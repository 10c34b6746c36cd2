"""Who manages events and sees attendees: organisers of the event's city, nobody else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from dos.portal.accounts.roles import CITY_ADMIN, EDITOR, MODERATOR
from dos.portal.events import actions
from dos.portal.events.models import Event, Venue
from tests.factories import UserFactory, dortmund, schwerte, user_with_role
from tests.portal.events.conftest import login
from tests.portal.events.factories import EventFactory, VenueFactory

pytestmark = pytest.mark.django_db


def test_dortmund_editor_changes_a_dortmund_event() -> None:
    event = EventFactory(title="Alt")
    editor = user_with_role(EDITOR, dortmund())
    event.title = "Neu"
    actions.event_save(editor, event)
    assert Event.objects.get(pk=event.pk).title == "Neu"


def test_schwerte_editor_cannot_change_a_dortmund_event() -> None:
    event = EventFactory(title="Alt")
    editor = user_with_role(EDITOR, schwerte())
    event.title = "Gekapert"
    with pytest.raises(PermissionDenied):
        actions.event_save(editor, event)
    assert Event.objects.get(pk=event.pk).title == "Alt"


def test_schwerte_editor_cannot_move_a_dortmund_event_to_schwerte() -> None:
    event = EventFactory()
    editor = user_with_role(EDITOR, schwerte())
    event.city = schwerte()
    event.venue = VenueFactory(city=event.city)
    with pytest.raises(PermissionDenied):
        actions.event_save(editor, event)
    assert Event.objects.get(pk=event.pk).city.slug == "dortmund"


def test_citizen_and_moderator_cannot_create_events() -> None:
    venue = VenueFactory()
    for actor in (UserFactory(), user_with_role(MODERATOR, dortmund())):
        event = EventFactory.build(city=venue.city, venue=venue)
        with pytest.raises(PermissionDenied):
            actions.event_save(actor, event)
    assert not Event.objects.exists()


def test_city_admin_creates_an_event_and_the_description_is_sanitised() -> None:
    venue = VenueFactory()
    admin = user_with_role(CITY_ADMIN, dortmund())
    event = EventFactory.build(
        city=venue.city,
        venue=venue,
        description='<p onclick="x()">Hallo <script>alert(1)</script><img src="https://t.example/p.gif">'
        '<a href="javascript:alert(1)">x</a> <a href="https://dortmund.de">ok</a></p>',
    )
    actions.event_save(admin, event)
    stored = Event.objects.get(pk=event.pk).description
    assert "script" not in stored and "<img" not in stored and "onclick" not in stored
    assert "javascript" not in stored
    assert 'href="https://dortmund.de"' in stored


def test_end_before_start_and_no_place_are_named_at_the_field() -> None:
    admin = user_with_role(CITY_ADMIN, dortmund())
    event = EventFactory.build(city=dortmund(), venue=None, online_url="")
    event.ends_at = event.starts_at - timedelta(hours=1)
    with pytest.raises(ValidationError) as exc:
        actions.event_save(admin, event)
    assert set(exc.value.message_dict) == {"ends_at", "venue"}
    assert not Event.objects.exists()


def test_venue_of_another_city_is_refused() -> None:
    admin = user_with_role(CITY_ADMIN, dortmund())
    event = EventFactory.build(city=dortmund(), venue=VenueFactory(city=schwerte()))
    with pytest.raises(ValidationError, match="anderen Stadt"):
        actions.event_save(admin, event)


def test_venue_save_needs_the_city_role() -> None:
    venue = VenueFactory.build(city=dortmund())
    with pytest.raises(PermissionDenied):
        actions.venue_save(user_with_role(EDITOR, schwerte()), venue)
    actions.venue_save(user_with_role(EDITOR, dortmund()), venue)
    assert Venue.objects.filter(slug=venue.slug).exists()


def test_attendee_list_for_the_organiser_only(client: Client) -> None:
    event = EventFactory()
    attendee = UserFactory(public_name="Sensorfan")
    actions.registration_create(attendee, event)
    url = f"{event.get_absolute_url()}teilnehmende/"

    login(client, user_with_role(EDITOR, dortmund()))
    page = client.get(url)
    assert page.status_code == 200
    assert "Sensorfan" in page.content.decode()
    csv = client.get(url.rstrip("/") + ".csv")
    assert csv.status_code == 200
    assert csv["Content-Type"].startswith("text/csv")
    body = csv.content.decode("utf-8-sig")
    assert body.splitlines()[0] == "Status;Öffentlicher Name;E-Mail;Angemeldet am"
    assert f"bestätigt;Sensorfan;{attendee.email};" in body

    for outsider in (user_with_role(EDITOR, schwerte()), UserFactory()):
        login(client, outsider)
        assert client.get(url).status_code == 403
        assert client.get(url.rstrip("/") + ".csv").status_code == 403
    client.logout()
    assert client.get(url).status_code == 403


def test_organiser_may_cancel_someone_else_but_not_in_another_city() -> None:
    event = EventFactory()
    registration = actions.registration_create(UserFactory(), event)
    with pytest.raises(PermissionDenied):
        actions.registration_cancel(user_with_role(EDITOR, schwerte()), registration)
    actions.registration_cancel(user_with_role(EDITOR, dortmund()), registration)
    registration.refresh_from_db()
    assert registration.status == "cancelled"


def test_drafts_are_hidden_from_the_public_but_not_from_organisers(client: Client) -> None:
    event = EventFactory(status=Event.Status.DRAFT)
    assert client.get(event.get_absolute_url()).status_code == 404
    login(client, user_with_role(EDITOR, dortmund()))
    assert client.get(event.get_absolute_url()).status_code == 200


def test_admin_change_list_shows_only_own_city_events(client: Client) -> None:
    EventFactory(title="Dortmunder Termin")
    EventFactory(title="Schwerter Termin", city=schwerte())
    login(client, user_with_role(EDITOR, schwerte()))
    html = client.get("/admin/events/event/").content.decode()
    assert "Schwerter Termin" in html
    assert "Dortmunder Termin" not in html


def test_publish_and_delete_need_the_city_role() -> None:
    event = EventFactory(status=Event.Status.DRAFT)
    with pytest.raises(PermissionDenied):
        actions.event_publish(user_with_role(EDITOR, schwerte()), event)
    assert Event.objects.get(pk=event.pk).status == "draft"
    actions.event_publish(user_with_role(EDITOR, dortmund()), event)
    assert Event.objects.get(pk=event.pk).status == "published"
    with pytest.raises(PermissionDenied):
        actions.event_delete(UserFactory(), event)
    actions.registration_create(UserFactory(), event)
    with pytest.raises(ValidationError, match="angemeldet"):
        actions.event_delete(user_with_role(EDITOR, dortmund()), event)
    assert Event.objects.filter(pk=event.pk).exists()


def test_editor_creates_an_event_in_the_back_office(client: Client) -> None:
    venue = VenueFactory()
    login(client, user_with_role(EDITOR, dortmund()))
    assert client.get("/admin/events/event/add/").status_code == 200
    response = client.post(
        "/admin/events/event/add/",
        {
            "title": "Datenspaziergang",
            "slug": "datenspaziergang",
            "summary": "",
            "description": "<p>Los <script>x</script></p>",
            "status": "published",
            "city": dortmund().pk,
            "starts_at_0": "2030-05-02",
            "starts_at_1": "17:00",
            "ends_at_0": "2030-05-02",
            "ends_at_1": "19:00",
            "venue": venue.pk,
            "online_url": "",
            "registration_required": "on",
            "capacity": "20",
            "waiting_list_limit": "5",
            "organiser": "Smart-City-Büro Dortmund",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get(slug="datenspaziergang")
    assert event.description == "<p>Los </p>"
    assert event.city.slug == "dortmund"


def test_schwerte_editor_cannot_open_a_dortmund_event_in_the_back_office(client: Client):
    event = EventFactory()
    login(client, user_with_role(EDITOR, schwerte()))
    response = client.get(f"/admin/events/event/{event.pk}/change/")
    assert response.status_code in (302, 403, 404)
    assert "Sensor-Workshop" not in response.content.decode()


def test_series_in_the_back_office(client: Client) -> None:
    first = EventFactory(slug="labor")
    login(client, user_with_role(EDITOR, dortmund()))
    response = client.post(
        "/admin/events/eventseries/add/",
        {
            "title": "Laborabende",
            "frequency": "weekly",
            "interval": "1",
            "count": "3",
            "until": "",
            "first_event": first.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Event.objects.filter(series__title="Laborabende").count() == 3


def test_csv_export_defuses_formulas_in_pseudonyms() -> None:
    event = EventFactory()
    actions.registration_create(UserFactory(public_name='=HYPERLINK("http://x")'), event)
    body = actions.attendees_csv(user_with_role(EDITOR, dortmund()), event)
    assert ";\"'=HYPERLINK(" in body
