"""Comments: threaded, editable for 15 minutes, pre-check, official answers, reports."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dos.portal.participation import phases
from dos.portal.participation.actions import (
    comment_create,
    comment_edit,
    comment_hide,
    comment_restore,
    report_create,
)
from dos.portal.participation.models import CityRules, Comment, Idea, Phase
from tests.portal.participation.conftest import login

pytestmark = pytest.mark.django_db


def test_comment_and_reply_notify_followers(idea, citizen, other_citizen) -> None:
    comment = comment_create(other_citizen, idea, body="Gute Idee!")
    assert citizen.participation_notices.filter(text__contains="Neuer Kommentar").exists()
    reply = comment_create(citizen, idea, body="Danke!", parent=comment)
    assert reply.parent == comment and reply.published


def test_comment_refused_for_unverified_and_wrong_phase(idea, unverified, other_citizen) -> None:
    with pytest.raises(PermissionDenied):
        comment_create(unverified, idea, body="Hallo")
    Phase.objects.filter(process=idea.process, kind=phases.IDEA_COLLECTION).update(
        kind=phases.INFORMATION
    )
    idea = Idea.objects.get(pk=idea.pk)
    with pytest.raises(ValidationError) as exc:
        comment_create(other_citizen, idea, body="Hallo")
    assert "keine Kommentare" in exc.value.messages[0]
    assert Comment.objects.count() == 0


def test_comment_bad_input(idea, other_citizen) -> None:
    for body in ("", "<script>x</script>", "z" * 3001):
        with pytest.raises(ValidationError) as exc:
            comment_create(other_citizen, idea, body=body)
        assert "body" in exc.value.message_dict
    assert Comment.objects.count() == 0


def test_official_answer_only_for_staff(idea, other_citizen, moderator) -> None:
    with pytest.raises(PermissionDenied):
        comment_create(other_citizen, idea, body="Offiziell", official=True)
    comment = comment_create(moderator, idea, body="Wir prüfen das.", official=True)
    assert comment.official


def test_edit_window(idea, other_citizen, citizen) -> None:
    comment = comment_create(other_citizen, idea, body="Erst")
    comment_edit(other_citizen, comment, body="Korrigiert")
    comment.refresh_from_db()
    assert comment.body == "Korrigiert" and comment.edited_at
    with pytest.raises(PermissionDenied):
        comment_edit(citizen, comment, body="Fremd")
    Comment.objects.filter(pk=comment.pk).update(
        created_at=comment.created_at - datetime.timedelta(minutes=16)
    )
    comment.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        comment_edit(other_citizen, comment, body="Zu spät")
    assert "15 Minuten" in exc.value.messages[0]
    comment.refresh_from_db()
    assert comment.body == "Korrigiert"


def test_precheck_of_comments(idea, city, other_citizen, moderator, citizen) -> None:
    CityRules.objects.filter(city=city).update(precheck_comments=True)
    comment = comment_create(other_citizen, idea, body="Bitte prüfen")
    assert not comment.published
    assert not citizen.participation_notices.filter(text__contains="Kommentar").exists()
    comment_restore(moderator, comment, reason="In Ordnung")
    comment.refresh_from_db()
    assert comment.published


def test_report_and_hide_comment(idea, other_citizen, citizen, moderator, other_moderator) -> None:
    comment = comment_create(other_citizen, idea, body="Unfreundlich")
    report_create(citizen, comment=comment, reason="Beleidigung")
    with pytest.raises(PermissionDenied):
        comment_hide(other_moderator, comment, reason="x")
    comment_hide(moderator, comment, reason="Beleidigung")
    comment.refresh_from_db()
    assert comment.hidden
    assert other_citizen.participation_notices.filter(text__contains="ausgeblendet").exists()


def test_comment_views(client, idea, other_citizen) -> None:
    login(client, other_citizen)
    url = f"/beteiligung/idee/{idea.pk}/kommentieren/"
    response = client.post(url, {"body": "Sehr gut", "website": ""}, follow=True)
    assert "Sehr gut" in response.content.decode()
    client.post(url, {"body": "Bot", "website": "spam"})
    assert Comment.objects.count() == 1
    comment = Comment.objects.get()
    response = client.post(
        f"/beteiligung/kommentar/{comment.pk}/bearbeiten/", {"body": "Sehr gut!"}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Sehr gut!"
    response = client.post(
        f"/beteiligung/melden/kommentar/{comment.pk}/", {"reason": "Test"}, follow=True
    )
    assert "Moderation sieht sich Ihre Meldung an" in response.content.decode()
