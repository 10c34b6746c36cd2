"""``dos events remind``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from dos.cli import main
from tests.factories import UserFactory
from tests.portal.events.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_remind_command_sends_once(capsys, mailoutbox) -> None:
    from dos.portal.events import actions

    start = (timezone.localtime() + timedelta(days=1)).replace(hour=12, minute=0)
    event = EventFactory(starts_at=start, ends_at=start + timedelta(hours=1))
    actions.registration_create(UserFactory(), event)
    mailoutbox.clear()
    with translation.override("de"):  # the CLI switches to English; keep other tests German
        assert main(["events", "remind"]) == 0
        assert capsys.readouterr().out.strip() == "1 reminder sent"
        assert main(["events", "remind"]) == 0
        assert capsys.readouterr().out.strip() == "0 reminders sent"
    assert len(mailoutbox) == 1
