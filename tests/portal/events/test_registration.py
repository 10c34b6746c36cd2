"""Registering, the waiting list, cancelling (in the portal and by mail link), reminders."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from dos.portal.accounts.permissions import SYSTEM
from dos.portal.events import actions
from dos.portal.events.models import Event, Registration
from dos.portal.events.tokens import InvalidCancelLink, cancel_token
from tests.factories import UserFactory
from tests.portal.events.conftest import login
from tests.portal.events.factories import EventFactory

pytestmark = pytest.mark.django_db


def cancel_path(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/veranstaltungen/abmelden/[^\s]+/)", body)
    assert match, body
    return match.group(1)


def test_register_confirms_and_mails_a_cancel_link(mails) -> None:
    event = EventFactory(title="Feinstaub messen")
    user = UserFactory()
    with mails():
        registration = actions.registration_create(user, event)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert len(mails.outbox) == 1
    mail = mails.outbox[0]
    assert mail.to == [user.email]
    assert mail.subject == "Anmeldung bestätigt: Feinstaub messen"
    assert "/veranstaltungen/abmelden/" in mail.body


def test_full_event_puts_people_on_the_waiting_list_in_order(mails) -> None:
    event = EventFactory(capacity=1, waiting_list_limit=5)
    first, second, third = UserFactory(), UserFactory(), UserFactory()
    with mails():
        actions.registration_create(first, event)
        r2 = actions.registration_create(second, event)
        r3 = actions.registration_create(third, event)
    assert (r2.status, r3.status) == (Registration.Status.WAITING,) * 2
    assert "Warteliste" in mails.outbox[1].subject
    assert "Nummer 1 auf der Warteliste" in mails.outbox[1].body
    assert "Nummer 2 auf der Warteliste" in mails.outbox[2].body


def test_cancelling_gives_the_seat_to_the_first_waiting_and_mails_them(mails) -> None:
    event = EventFactory(capacity=1, waiting_list_limit=5)
    holder, waiting1, waiting2 = UserFactory(), UserFactory(), UserFactory()
    seat = actions.registration_create(holder, event)
    actions.registration_create(waiting1, event)
    actions.registration_create(waiting2, event)
    with mails():
        actions.registration_cancel(holder, seat)
    statuses = dict(event.registrations.values_list("user_id", "status"))
    assert statuses == {
        holder.pk: "cancelled",
        waiting1.pk: "confirmed",
        waiting2.pk: "waiting",
    }
    by_recipient = {m.to[0]: m for m in mails.outbox}
    assert set(by_recipient) == {holder.email, waiting1.email}
    assert by_recipient[waiting1.email].subject.startswith("Ein Platz ist frei")
    assert "/veranstaltungen/abmelden/" in by_recipient[waiting1.email].body
    assert by_recipient[holder.email].subject.startswith("Anmeldung storniert")


def test_full_event_without_waiting_places_is_refused_and_nothing_changes(mails) -> None:
    event = EventFactory(capacity=1, waiting_list_limit=0)
    actions.registration_create(UserFactory(), event)
    latecomer = UserFactory()
    with mails(), pytest.raises(ValidationError) as exc:
        actions.registration_create(latecomer, event)
    assert exc.value.messages == ["Diese Veranstaltung ist ausgebucht."]
    assert not Registration.objects.filter(user=latecomer).exists()
    assert mails.outbox == []


def test_full_waiting_list_is_refused_through_the_page_with_a_clear_message(client: Client):
    event = EventFactory(capacity=1, waiting_list_limit=1)
    actions.registration_create(UserFactory(), event)
    actions.registration_create(UserFactory(), event)
    latecomer = UserFactory()
    login(client, latecomer)
    response = client.post(f"{event.get_absolute_url()}anmelden/", follow=True)
    assert response.status_code == 200
    assert "ausgebucht und die Warteliste ist voll" in response.content.decode()
    assert event.registrations.count() == 2
    assert not Registration.objects.filter(user=latecomer).exists()


def test_second_registration_is_refused(mails) -> None:
    event = EventFactory()
    user = UserFactory()
    actions.registration_create(user, event)
    with mails(), pytest.raises(ValidationError, match="bereits angemeldet"):
        actions.registration_create(user, event)
    assert event.registrations.filter(user=user).count() == 1
    assert mails.outbox == []


def test_registering_again_after_cancelling_reuses_the_row() -> None:
    event = EventFactory()
    user = UserFactory()
    registration = actions.registration_create(user, event)
    actions.registration_cancel(user, registration)
    again = actions.registration_create(user, event)
    assert again.pk == registration.pk
    assert again.status == Registration.Status.CONFIRMED


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": Event.Status.DRAFT}, "nicht zur Anmeldung offen"),
        ({"registration_required": False}, "keine Anmeldung"),
    ],
)
def test_registration_refused_for_drafts_and_open_events(changes, message) -> None:
    event = EventFactory(**changes)
    with pytest.raises(ValidationError, match=message):
        actions.registration_create(UserFactory(), event)
    assert not event.registrations.exists()


def test_registration_refused_once_the_event_started() -> None:
    event = EventFactory(starts_at=timezone.now() - timedelta(minutes=5))
    with pytest.raises(ValidationError, match="bereits begonnen"):
        actions.registration_create(UserFactory(), event)


def test_anonymous_and_system_cannot_register() -> None:
    from django.contrib.auth.models import AnonymousUser

    event = EventFactory()
    for actor in (AnonymousUser(), SYSTEM):
        with pytest.raises(PermissionDenied):
            actions.registration_create(actor, event)
    assert not event.registrations.exists()


def test_anonymous_register_post_redirects_to_login(client: Client) -> None:
    event = EventFactory()
    response = client.post(f"{event.get_absolute_url()}anmelden/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not event.registrations.exists()


def test_cancel_link_from_the_mail_cancels_after_confirmation(client: Client, mails) -> None:
    event = EventFactory()
    user = UserFactory()
    with mails():
        actions.registration_create(user, event)
    path = cancel_path(mails.outbox[0].body)
    page = client.get(path)
    assert page.status_code == 200
    assert "Ja, meine Anmeldung stornieren" in page.content.decode()
    assert event.registrations.get().status == "confirmed"  # GET changes nothing
    response = client.post(path, follow=True)
    assert "Ihre Anmeldung wurde storniert." in response.content.decode()
    assert event.registrations.get().status == "cancelled"


def test_expired_cancel_link_is_refused(client: Client) -> None:
    event = EventFactory()
    registration = actions.registration_create(UserFactory(), event)
    token = cancel_token(registration)
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(minutes=1), ends_at=timezone.now() + timedelta(hours=1)
    )
    with pytest.raises(InvalidCancelLink, match="expired"):
        actions.registration_cancel_by_token(token)
    response = client.post(f"/veranstaltungen/abmelden/{token}/")
    assert response.status_code == 410
    assert "bereits begonnen" in response.content.decode()
    assert Registration.objects.get(pk=registration.pk).status == "confirmed"


def test_forged_cancel_link_is_refused(client: Client) -> None:
    event = EventFactory()
    registration = actions.registration_create(UserFactory(), event)
    token = cancel_token(registration)[:-2] + "xx"
    response = client.post(f"/veranstaltungen/abmelden/{token}/")
    assert response.status_code == 410
    assert "nicht gültig" in response.content.decode()
    assert Registration.objects.get(pk=registration.pk).status == "confirmed"


def test_someone_else_cannot_cancel_my_registration() -> None:
    event = EventFactory()
    registration = actions.registration_create(UserFactory(), event)
    with pytest.raises(PermissionDenied):
        actions.registration_cancel(UserFactory(), registration)
    assert Registration.objects.get(pk=registration.pk).status == "confirmed"


def test_raising_the_capacity_promotes_the_waiting_list(mails) -> None:
    event = EventFactory(capacity=1)
    actions.registration_create(UserFactory(), event)
    waiting = actions.registration_create(UserFactory(), event)
    event.capacity = 2
    with mails():
        actions.event_save(SYSTEM, event)
    assert Registration.objects.get(pk=waiting.pk).status == "confirmed"
    assert [m.to for m in mails.outbox] == [[waiting.user.email]]


def test_reminders_go_out_once_the_day_before(mails) -> None:
    now = timezone.now()
    local = timezone.localtime(now)
    tomorrow_noon = (local + timedelta(days=1)).replace(hour=12, minute=0, second=0)
    tomorrow = EventFactory(starts_at=tomorrow_noon, ends_at=tomorrow_noon + timedelta(hours=2))
    later = EventFactory(
        starts_at=tomorrow_noon + timedelta(days=3),
        ends_at=tomorrow_noon + timedelta(days=3, hours=1),
    )
    seat = actions.registration_create(UserFactory(), tomorrow)
    actions.registration_create(UserFactory(), tomorrow)
    waiting = actions.registration_create(UserFactory(), tomorrow)  # no seat: no reminder
    actions.registration_create(UserFactory(), later)
    with mails():
        assert actions.registrations_remind(SYSTEM, now=now) == 2
        assert actions.registrations_remind(SYSTEM, now=now) == 0
    assert len(mails.outbox) == 2
    assert all(m.subject.startswith("Morgen:") for m in mails.outbox)
    assert waiting.user.email not in {m.to[0] for m in mails.outbox}
    assert Registration.objects.get(pk=seat.pk).reminded_at is not None


def test_reminders_need_the_permission() -> None:
    with pytest.raises(PermissionDenied):
        actions.registrations_remind(UserFactory())


def test_a_failing_mail_server_does_not_undo_the_registration(mails, monkeypatch, caplog):
    import smtplib

    from dos.portal.events import mails as event_mails

    def broken(*args, **kwargs):
        raise smtplib.SMTPException("server down")

    monkeypatch.setattr(event_mails, "send_mail", broken)
    event = EventFactory()
    user = UserFactory()
    with mails():
        registration = actions.registration_create(user, event)
    assert Registration.objects.get(pk=registration.pk).status == "confirmed"
    assert "server down" in caplog.text


def test_failed_reminder_is_retried_by_the_next_run(mails, monkeypatch) -> None:
    from dos.portal.events import mails as event_mails

    start = (timezone.localtime() + timedelta(days=1)).replace(hour=12, minute=0)
    event = EventFactory(starts_at=start, ends_at=start + timedelta(hours=1))
    registration = actions.registration_create(UserFactory(), event)
    original = event_mails.send_mail

    def broken(*args, **kwargs):
        raise OSError("no route")

    monkeypatch.setattr(event_mails, "send_mail", broken)
    assert actions.registrations_remind(SYSTEM) == 0
    assert Registration.objects.get(pk=registration.pk).reminded_at is None
    monkeypatch.setattr(event_mails, "send_mail", original)
    with mails():
        assert actions.registrations_remind(SYSTEM) == 1
    assert [m.subject.split(":")[0] for m in mails.outbox] == ["Morgen"]


def test_confirmation_mail_carries_the_online_link_the_waiting_mail_does_not(mails) -> None:
    event = EventFactory(venue=None, online_url="https://meet.example.org/raum-42", capacity=1)
    with mails():
        actions.registration_create(UserFactory(), event)
        actions.registration_create(UserFactory(), event)
    confirmed, waiting = mails.outbox
    assert "https://meet.example.org/raum-42" in confirmed.body
    assert "raum-42" not in waiting.body
