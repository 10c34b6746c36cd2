"""Moderation per city: pre-check, hide/restore with a reason, reports, answers, the log."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dos.portal.participation.actions import (
    idea_answer,
    idea_hide,
    idea_restore,
    idea_submit,
    idea_support,
    report_create,
)
from dos.portal.participation.models import CityRules, IdeaStatus, ModerationLogEntry, Report
from tests.portal.participation.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(process, city, citizen):
    CityRules.objects.filter(city=city).update(precheck_ideas=True)
    return idea_submit(citizen, process, title="Wartet", description="Text")


def test_moderators_of_the_city_hear_of_waiting_work(
    process, city, citizen, other_citizen, moderator, other_moderator
) -> None:
    CityRules.objects.filter(city=city).update(precheck_ideas=True)
    idea = idea_submit(citizen, process, title="Wartet auf Prüfung", description="Text")
    assert moderator.participation_notices.filter(text__contains="Vorprüfung").exists()
    assert not other_moderator.participation_notices.exists()
    report_create(other_citizen, idea=idea, reason="Doppelt eingereicht")
    assert moderator.participation_notices.filter(text__contains="Doppelt eingereicht").exists()
    assert not other_moderator.participation_notices.exists()


def test_precheck_publishes_with_an_answer(waiting, moderator, citizen, other_citizen) -> None:
    from dos.portal.participation.actions import follow_set

    follow_set(other_citizen, process=waiting.process, following=True)
    idea_answer(moderator, waiting, status=IdeaStatus.COLLECTING, answer="Passt, danke!")
    waiting.refresh_from_db()
    assert waiting.published and waiting.status == IdeaStatus.COLLECTING
    assert waiting.support_deadline is not None
    assert waiting.status_changes.last().answer == "Passt, danke!"
    assert citizen.participation_notices.filter(text__contains="Sammelt").exists()
    assert other_citizen.participation_notices.filter(text__contains="Neue Idee").exists()
    assert ModerationLogEntry.objects.filter(action="answer:collecting", idea=waiting).exists()


def test_precheck_refused_for_other_city_and_citizens(waiting, other_moderator, citizen) -> None:
    for actor in (other_moderator, citizen):
        with pytest.raises(PermissionDenied):
            idea_answer(actor, waiting, status=IdeaStatus.COLLECTING, answer="ok")
    waiting.refresh_from_db()
    assert waiting.status == IdeaStatus.PRECHECK and not waiting.published


def test_answer_needs_text_and_a_valid_transition(idea, moderator) -> None:
    with pytest.raises(ValidationError) as exc:
        idea_answer(moderator, idea, status=IdeaStatus.ACCEPTED, answer="")
    assert set(exc.value.message_dict) == {"answer", "status"}
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.COLLECTING


def test_accepted_idea_links_its_project(idea, moderator, citizen, other_citizen) -> None:
    from dos.portal.strategy.models import Project

    idea_support(other_citizen, idea)
    idea.status = IdeaStatus.REFERRED
    idea.save()
    project = Project.objects.create(code="MO 09", slug="fahrradstrassen", title="Fahrradstraßen")
    idea_answer(moderator, idea, status=IdeaStatus.ACCEPTED, answer="Der Ausschuss stimmt zu.")
    with pytest.raises(ValidationError):
        idea_answer(moderator, idea, status=IdeaStatus.IMPLEMENTED, answer="Fertig.")
    idea_answer(
        moderator, idea, status=IdeaStatus.IMPLEMENTED, answer="Umgesetzt.", project=project
    )
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.IMPLEMENTED and idea.project == project
    assert list(project.source_ideas.all()) == [idea]
    # Author and supporter hear of both steps.
    for user in (citizen, other_citizen):
        texts = list(user.participation_notices.values_list("text", flat=True))
        assert any("Angenommen" in t for t in texts) and any("Umgesetzt" in t for t in texts)


def test_report_and_hide_and_restore(idea, other_citizen, moderator, citizen) -> None:
    report_create(other_citizen, idea=idea, reason="Beleidigend")
    assert Report.objects.get().resolved_at is None
    idea_hide(moderator, idea, reason="Verstößt gegen die Regeln")
    idea.refresh_from_db()
    assert idea.hidden and idea.hidden_reason == "Verstößt gegen die Regeln"
    assert Report.objects.get().resolved_at is not None
    assert citizen.participation_notices.filter(text__contains="Verstößt gegen die Regeln").exists()
    idea_restore(moderator, idea, reason="Nach Rücksprache in Ordnung")
    idea.refresh_from_db()
    assert not idea.hidden
    actions = list(ModerationLogEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["report", "hide_idea", "restore_idea"]


def test_hide_refused_for_other_city_and_needs_a_reason(idea, other_moderator, moderator) -> None:
    with pytest.raises(PermissionDenied):
        idea_hide(other_moderator, idea, reason="Nein")
    with pytest.raises(ValidationError) as exc:
        idea_hide(moderator, idea, reason="  ")
    assert "reason" in exc.value.message_dict
    idea.refresh_from_db()
    assert not idea.hidden


def test_report_needs_sign_in_and_reason(idea, other_citizen) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        report_create(AnonymousUser(), idea=idea, reason="x")
    with pytest.raises(ValidationError):
        report_create(other_citizen, idea=idea, reason="")
    assert Report.objects.count() == 0


def test_hidden_idea_is_gone_for_the_public_but_shown_to_author(
    client, idea, moderator, citizen
) -> None:
    idea_hide(moderator, idea, reason="Werbung")
    assert client.get(idea.get_absolute_url()).status_code == 404
    login(client, citizen)
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "Werbung" in page


def test_moderation_queue_is_scoped(client, waiting, moderator, other_moderator, citizen) -> None:
    login(client, moderator)
    assert "Wartet" in client.get("/beteiligung/moderation/").content.decode()
    login(client, other_moderator)
    assert "Wartet" not in client.get("/beteiligung/moderation/").content.decode()
    login(client, citizen)
    assert client.get("/beteiligung/moderation/").status_code == 403


def test_answer_view(client, idea, moderator, other_moderator) -> None:
    login(client, other_moderator)
    response = client.post(
        f"/beteiligung/idee/{idea.pk}/antworten/", {"status": "collecting", "answer": "x"}
    )
    assert response.status_code == 403
    idea.status = IdeaStatus.REFERRED
    idea.save()
    login(client, moderator)
    response = client.post(
        f"/beteiligung/idee/{idea.pk}/antworten/",
        {"status": "declined", "answer": "Leider nicht finanzierbar."},
        follow=True,
    )
    assert "Leider nicht finanzierbar." in response.content.decode()
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.DECLINED
