"""Two people asking for the last seat at the same moment: one gets it (PostgreSQL leg)."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections

from dos.portal.events import actions
from dos.portal.events.models import Registration
from tests.factories import UserFactory
from tests.portal.events.factories import EventFactory

# Skipped at collection on SQLite, so that no transactional flush happens there for nothing.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="row locks are tested on PostgreSQL; SQLite serialises all writes",
    ),
]


def test_the_last_seat_goes_to_exactly_one_person() -> None:

    event = EventFactory(capacity=1, waiting_list_limit=0)
    users = [UserFactory(), UserFactory(), UserFactory(), UserFactory()]
    start = threading.Barrier(len(users))
    outcomes: list[str] = []

    def register(user) -> None:
        start.wait()
        try:
            actions.registration_create(user, event)
            outcomes.append("seat")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "refused", "refused", "seat"]
    assert Registration.objects.filter(event=event, status="confirmed").count() == 1
