"""Register for an event and cancel in headless Chromium; axe-core on the event pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import UserFactory
from tests.portal.events.factories import EventFactory, VenueFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def test_register_and_cancel_in_the_browser(live_url, page, axe_violations) -> None:
    venue = VenueFactory(name="Citizen Science Lab Projektor", slug="projektor")
    event = EventFactory(
        title="Sensor-Bautag", venue=venue, capacity=5, description="<p>Wir löten.</p>"
    )
    user = UserFactory(public_name="Sensorfan")

    page.goto(live_url + event.get_absolute_url())
    assert page.get_by_role("heading", level=1).inner_text() == "Sensor-Bautag"
    assert axe_violations(page) == []

    page.get_by_role("link", name="Zum Anmelden einloggen").click()
    page.get_by_label("E-Mail-Adresse").fill(user.email)
    page.get_by_label("Passwort").fill("ein-gutes-passwort")
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url(live_url + event.get_absolute_url())

    page.get_by_role("button", name="Zur Veranstaltung anmelden").click()
    page.wait_for_load_state()
    assert page.get_by_text("Sie sind angemeldet. Wir haben Ihnen eine Bestätigung").is_visible()
    assert page.get_by_text("Ihr Platz ist reserviert.").is_visible()
    assert event.registrations.get(user=user).status == "confirmed"
    assert axe_violations(page) == []
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "event-registered.png"), full_page=True)

    page.get_by_role("button", name="Meine Anmeldung stornieren").click()
    page.wait_for_load_state()
    assert page.get_by_text("Ihre Anmeldung wurde storniert.").is_visible()
    assert event.registrations.get(user=user).status == "cancelled"
    assert page.get_by_role("button", name="Zur Veranstaltung anmelden").is_visible()


def test_event_list_and_venue_page_are_accessible(live_url, page, axe_violations) -> None:
    event = EventFactory(title="Offener Laborabend")
    page.goto(live_url + "/dortmund/veranstaltungen/")
    assert page.get_by_role("link", name="Offener Laborabend").is_visible()
    assert axe_violations(page) == []
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "event-list.png"), full_page=True)
    page.goto(live_url + event.venue.get_absolute_url())
    assert axe_violations(page) == []


def test_attendee_list_is_accessible_for_the_organiser(live_url, page, axe_violations) -> None:
    from django.test import Client

    from dos.portal.accounts.roles import EDITOR
    from dos.portal.events import actions
    from tests.factories import dortmund, user_with_role

    event = EventFactory(title="Datenworkshop", capacity=1)
    actions.registration_create(UserFactory(public_name="Datenspürnase"), event)
    actions.registration_create(UserFactory(public_name="Nachteule"), event)
    client = Client()
    client.force_login(
        user_with_role(EDITOR, dortmund()),
        backend="allauth.account.auth_backends.AuthenticationBackend",
    )
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_url}]
    )
    page.goto(f"{live_url}{event.get_absolute_url()}teilnehmende/")
    assert page.get_by_role("cell", name="Datenspürnase").is_visible()
    assert page.get_by_role("cell", name="Nachteule").is_visible()
    assert axe_violations(page) == []
