"""Every change is recorded with who, when and what; a project's state at a date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dos.portal.accounts.permissions import SYSTEM
from dos.portal.accounts.roles import EDITOR
from dos.portal.strategy import actions, history
from dos.portal.strategy.models import ChangeRecord
from tests.factories import dortmund, user_with_role
from tests.portal.strategy.factories import ActionFieldFactory

pytestmark = pytest.mark.django_db


def test_create_change_and_delete_are_recorded(django_capture_on_commit_callbacks) -> None:
    ActionFieldFactory(code="DP")
    editor = user_with_role(EDITOR, dortmund())
    with django_capture_on_commit_callbacks(execute=True):
        project = actions.project_create(
            editor,
            code="DP 01",
            slug="datenplattform",
            title="Datenplattform",
            action_fields=["DP"],
            cities=["dortmund"],
            progress=10,
        )
    with django_capture_on_commit_callbacks(execute=True):
        actions.project_update(editor, project, progress=35)
        actions.milestone_create(
            editor, project, title="Ausschreibung", planned_date=dt.date(2024, 3, 1)
        )
    records = list(ChangeRecord.objects.filter(subject=f"project:{project.pk}").order_by("pk"))
    assert [r.action for r in records] == ["created", "changed"]
    assert records[0].actor == editor and records[0].actor_label == editor.display_name
    assert {"field": "cities", "old": None, "new": ["dortmund"]} in records[0].changes
    changed = {c["field"]: (c["old"], c["new"]) for c in records[1].changes}
    assert changed["progress"] == (10, 35)
    assert changed["milestone “Ausschreibung” · title"] == (None, "Ausschreibung")

    pk = project.pk
    with django_capture_on_commit_callbacks(execute=True):
        actions.project_delete(SYSTEM, project)
    last = ChangeRecord.objects.filter(subject=f"project:{pk}").first()
    assert last.action == "deleted" and last.actor_label == "system"


def test_state_at_a_date(django_capture_on_commit_callbacks) -> None:
    ActionFieldFactory(code="DP")
    with django_capture_on_commit_callbacks(execute=True):
        project = actions.project_create(
            SYSTEM, code="DP 02", slug="zwilling", title="Zwilling", action_fields=["DP"]
        )
    ChangeRecord.objects.update(at=timezone.now() - dt.timedelta(days=10))
    with django_capture_on_commit_callbacks(execute=True):
        actions.project_update(SYSTEM, project, progress=80, phase="evaluation")
    earlier = history.state_at(project, timezone.now() - dt.timedelta(days=5))
    assert earlier["progress"] == 0 and earlier["phase"] == "idea"
    now = history.state_at(project, timezone.now())
    fields = {c["field"] for c in history.diff(earlier, now)}
    assert fields == {"progress", "phase"}
    assert history.state_at(project, timezone.now() - dt.timedelta(days=20)) is None


def test_a_failed_change_records_nothing(django_capture_on_commit_callbacks) -> None:
    ActionFieldFactory(code="DP")
    with django_capture_on_commit_callbacks(execute=True):
        project = actions.project_create(
            SYSTEM, code="DP 03", slug="x", title="X", action_fields=["DP"]
        )
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        actions.project_update(SYSTEM, project, progress=120)
    assert ChangeRecord.objects.filter(subject=f"project:{project.pk}").count() == 1
