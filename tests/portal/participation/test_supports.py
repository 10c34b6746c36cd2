"""Supports: once per verified user, in the right phase; threshold and deadline; paper."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dos.portal.participation import phases
from dos.portal.participation.actions import (
    idea_submit,
    idea_support,
    idea_unsupport,
    ideas_tick,
    paper_signatures_add,
)
from dos.portal.participation.models import IdeaStatus, Phase, Support
from tests.factories import UserFactory
from tests.portal.participation.conftest import login

pytestmark = pytest.mark.django_db


def test_support_once(idea, other_citizen) -> None:
    idea = idea_support(other_citizen, idea)
    assert idea.support_count == 1
    with pytest.raises(ValidationError) as exc:
        idea_support(other_citizen, idea)
    assert exc.value.messages == ["Sie unterstützen diese Idee bereits."]
    idea.refresh_from_db()
    assert idea.support_count == 1 and Support.objects.count() == 1


def test_support_refused_for_unverified(idea, unverified) -> None:
    with pytest.raises(PermissionDenied):
        idea_support(unverified, idea)
    assert Support.objects.count() == 0


def test_support_refused_in_wrong_phase(idea, other_citizen) -> None:
    Phase.objects.filter(process=idea.process, kind=phases.IDEA_COLLECTION).update(
        kind=phases.EVALUATION
    )
    with pytest.raises(ValidationError) as exc:
        idea_support(other_citizen, idea)
    assert "In dieser Phase" in exc.value.messages[0]
    assert Support.objects.count() == 0


def test_support_refused_for_idea_in_precheck(process, city, citizen, other_citizen) -> None:
    from dos.portal.participation.models import CityRules

    CityRules.objects.filter(city=city).update(precheck_ideas=True)
    idea = idea_submit(citizen, process, title="Neu", description="Text")
    with pytest.raises(PermissionDenied):
        idea_support(other_citizen, idea)


def test_unsupport(idea, other_citizen) -> None:
    idea_support(other_citizen, idea)
    idea = idea_unsupport(other_citizen, idea)
    assert idea.support_count == 0
    with pytest.raises(ValidationError):
        idea_unsupport(other_citizen, idea)


def test_threshold_refers_the_idea_and_notifies(idea, citizen) -> None:
    supporters = UserFactory.create_batch(3)
    mail.outbox.clear()
    for user in supporters:
        idea = idea_support(user, idea)
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.REFERRED
    assert [c.status for c in idea.status_changes.all()][-2:] == ["threshold_reached", "referred"]
    # The author and every supporter hear of it, in the portal and by e-mail.
    for user in [citizen, *supporters]:
        assert user.participation_notices.filter(text__contains="weitergeleitet").exists()
    assert {m.to[0] for m in mail.outbox} >= {u.email for u in [citizen, *supporters]}
    assert all("List-Unsubscribe" in m.extra_headers for m in mail.outbox)
    with pytest.raises(ValidationError):
        idea_support(UserFactory(), idea)


def test_deadline_closes_an_idea_without_enough_supports(idea, citizen) -> None:
    idea_support(UserFactory(), idea)
    later = timezone.now() + datetime.timedelta(weeks=6, days=1)
    assert ideas_tick(later) == {"referred": 0, "closed": 1}
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.CLOSED
    assert "6 Wochen" in idea.status_changes.last().answer
    assert citizen.participation_notices.filter(text__contains="geschlossen").exists()
    assert ideas_tick(later) == {"referred": 0, "closed": 0}  # idempotent


def test_tick_leaves_running_ideas_alone(idea) -> None:
    assert ideas_tick() == {"referred": 0, "closed": 0}
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.COLLECTING


def test_paper_signatures_count_towards_the_threshold(idea, moderator) -> None:
    paper_signatures_add(moderator, idea, count=3, note="Stand auf dem Wochenmarkt")
    idea.refresh_from_db()
    assert idea.support_count == 3 and idea.status == IdeaStatus.REFERRED
    assert idea.paper_signatures.get().note == "Stand auf dem Wochenmarkt"


def test_paper_signatures_refused_for_other_city_and_citizens(
    idea, other_moderator, other_citizen
) -> None:
    for actor in (other_moderator, other_citizen):
        with pytest.raises(PermissionDenied):
            paper_signatures_add(actor, idea, count=5, note="Liste")
    idea.refresh_from_db()
    assert idea.support_count == 0


def test_paper_signatures_bad_input(idea, moderator) -> None:
    with pytest.raises(ValidationError) as exc:
        paper_signatures_add(moderator, idea, count=0, note="")
    assert set(exc.value.message_dict) == {"count", "note"}
    assert idea.paper_signatures.count() == 0


def test_support_view(client, idea, other_citizen) -> None:
    login(client, other_citizen)
    url = f"/beteiligung/idee/{idea.pk}/unterstuetzen/"
    response = client.post(url, follow=True)
    assert "Danke für Ihre Unterstützung!" in response.content.decode()
    response = client.post(url, follow=True)
    assert "Sie unterstützen diese Idee bereits." in response.content.decode()
    assert Support.objects.count() == 1
    response = client.post(url, {"withdraw": "1"}, follow=True)
    assert Support.objects.count() == 0


def test_stored_texts_are_in_the_portal_language(idea, citizen) -> None:
    from django.utils import translation

    later = timezone.now() + datetime.timedelta(weeks=7)
    with translation.override("en"):  # the CLI runs in English
        ideas_tick(later)
    idea.refresh_from_db()
    assert "Unterstützungen" in idea.status_changes.last().answer
    assert "geschlossen" in citizen.participation_notices.first().text
