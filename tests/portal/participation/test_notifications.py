"""Following, in-portal notifications, single mails, digests, one-click unsubscribe."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from dos.portal.participation.actions import (
    comment_create,
    digests_send,
    follow_set,
    notification_settings_update,
)
from dos.portal.participation.actions.notify import unsubscribe_token
from dos.portal.participation.models import Notification, NotificationSettings
from tests.portal.participation.conftest import login

pytestmark = pytest.mark.django_db


def test_single_mail_has_a_working_unsubscribe_link(client, idea, citizen, other_citizen) -> None:
    mail.outbox.clear()
    comment_create(other_citizen, idea, body="Hallo")
    message = next(m for m in mail.outbox if m.to == [citizen.email])
    link = next(line for line in message.body.split() if "/abmelden/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 200 and "keine E-Mails" in response.content.decode()
    assert NotificationSettings.objects.get(user=citizen).email_mode == "never"
    mail.outbox.clear()
    comment_create(other_citizen, idea, body="Noch einmal")
    assert not [m for m in mail.outbox if m.to == [citizen.email]]
    assert citizen.participation_notices.count() == 2  # still in the portal


def test_forged_unsubscribe_link_is_refused(client, citizen) -> None:
    token = unsubscribe_token(citizen)[:-3] + "xyz"
    response = client.get(f"/beteiligung/abmelden/{token}/")
    assert response.status_code == 400 and "nicht gültig" in response.content.decode()
    assert not NotificationSettings.objects.filter(user=citizen).exists()


def test_daily_digest(idea, citizen, other_citizen) -> None:
    notification_settings_update(citizen, NotificationSettings.DAILY)
    mail.outbox.clear()
    comment_create(other_citizen, idea, body="Eins")
    comment_create(other_citizen, idea, body="Zwei")
    assert not [m for m in mail.outbox if m.to == [citizen.email]]
    assert digests_send() == 1
    digest = mail.outbox[-1]
    assert digest.to == [citizen.email] and digest.body.count("Neuer Kommentar") == 2
    assert "/abmelden/" in digest.body
    assert digests_send() == 0  # nothing new, and not due again before tomorrow
    comment_create(other_citizen, idea, body="Drei")
    assert digests_send(timezone.now() + datetime.timedelta(days=1, minutes=1)) == 1


def test_follow_and_unfollow_process(client, process, citizen, other_citizen) -> None:
    from dos.portal.participation.actions import idea_submit

    login(client, other_citizen)
    client.post(f"/beteiligung/{process.slug}/folgen/", {"follow": "1"})
    idea_submit(citizen, process, title="Neu", description="Text")
    assert other_citizen.participation_notices.count() == 1
    client.post(f"/beteiligung/{process.slug}/folgen/", {"follow": "0"})
    idea_submit(citizen, process, title="Noch neuer", description="Text")
    assert other_citizen.participation_notices.count() == 1


def test_follow_needs_sign_in(client, idea) -> None:
    response = client.post(f"/beteiligung/idee/{idea.pk}/folgen/", {"follow": "1"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_notification_page_and_settings(client, idea, citizen, other_citizen) -> None:
    comment_create(other_citizen, idea, body="Hallo")
    login(client, citizen)
    page = client.get("/beteiligung/benachrichtigungen/").content.decode()
    assert "Neuer Kommentar" in page
    client.post("/beteiligung/benachrichtigungen/", {"mark_read": "1"})
    assert not Notification.objects.filter(user=citizen, read_at=None).exists()
    client.post("/beteiligung/benachrichtigungen/", {"email_mode": "weekly"})
    assert NotificationSettings.objects.get(user=citizen).email_mode == "weekly"
    response = client.post("/beteiligung/benachrichtigungen/", {"email_mode": "hourly"})
    assert response.status_code == 200
    assert NotificationSettings.objects.get(user=citizen).email_mode == "weekly"


def test_follow_set_refuses_anonymous(idea) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        follow_set(AnonymousUser(), idea=idea, following=True)


def test_unread_count_in_the_navigation(client, idea, citizen, other_citizen) -> None:
    comment_create(other_citizen, idea, body="Hallo")
    login(client, citizen)
    assert "Benachrichtigungen (1)" in client.get("/beteiligung/").content.decode()
