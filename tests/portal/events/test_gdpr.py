"""Registrations in the account's data export; deletion frees seats and removes them."""

from __future__ import annotations

import pytest

from dos.portal.accounts.actions import account_delete, account_export
from dos.portal.events import actions
from dos.portal.events.models import Registration
from tests.factories import UserFactory
from tests.portal.events.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_export_lists_registrations() -> None:
    event = EventFactory(title="Open Lab")
    user = UserFactory()
    actions.registration_create(user, event)
    data = account_export(user, user)["events"]["registrations"]
    assert [(r["event"], r["status"]) for r in data] == [("Open Lab", "confirmed")]


def test_deleting_the_account_frees_the_seat_for_the_waiting_list(mails) -> None:
    event = EventFactory(capacity=1)
    leaving, waiting = UserFactory(), UserFactory()
    actions.registration_create(leaving, event)
    actions.registration_create(waiting, event)
    with mails():
        account_delete(leaving, leaving)
    assert not Registration.objects.filter(user=leaving).exists()
    assert event.registrations.get(user=waiting).status == "confirmed"
    assert [m.to for m in mails.outbox] == [[waiting.email]]
