"""Two people asking for the last seat at the same moment: one gets it (PostgreSQL leg)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from dos.portal.events import actions
from dos.portal.events.models import Registration
from tests.factories import UserFactory
from tests.portal.events.factories import EventFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_last_seat_goes_to_exactly_one_person() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL; SQLite serialises all writes")
    from django.db import connections

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
