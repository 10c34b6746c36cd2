"""The back office: editors maintain their city's and joint projects, never another city's."""

from __future__ import annotations

import pytest

from dos.portal.accounts.roles import EDITOR
from dos.portal.strategy import gdpr
from dos.portal.strategy.models import ChangeRecord, Project
from tests.factories import dortmund, schwerte, user_with_role
from tests.portal.strategy.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def _editor(client, city):
    user = user_with_role(EDITOR, city)
    user.is_staff = True
    user.save()
    client.force_login(user)
    return user


def _form(project: Project, **changes) -> dict:
    data = {
        "code": project.code,
        "slug": project.slug,
        "title": project.title,
        "summary": project.summary,
        "description": "",
        "action_fields": [a.pk for a in project.action_fields.all()],
        "cities": [c.pk for c in project.cities.all()],
        "sdg_goals": [],
        "phase": project.phase,
        "status": project.status,
        "progress": project.progress,
        "start_date": project.start_date.isoformat(),
        "end_date": project.end_date.isoformat(),
        "lead_department": "",
        "partners": "",
        "contact_email": "",
        "budget": "",
        "funding_programme": "",
        "funding_amount": "",
    }
    for prefix in ("milestones", "kpis", "links", "images"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update(changes)
    return data


def test_schwerte_editor_sees_and_edits_only_schwerte_and_joint_projects(
    client, django_capture_on_commit_callbacks
) -> None:
    own = ProjectFactory(cities=[schwerte()], title="Wetterstationen")
    joint = ProjectFactory(cities=[dortmund(), schwerte()], title="Sensorik")
    other = ProjectFactory(cities=[dortmund()], title="Brücken")
    editor = _editor(client, schwerte())

    listing = client.get("/admin/strategy/project/")
    assert listing.status_code == 200
    shown = {p.pk for p in listing.context["cl"].result_list}
    assert shown == {own.pk, joint.pk}
    assert client.get(f"/admin/strategy/project/{other.pk}/change/").status_code in (302, 403)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/strategy/project/{joint.pk}/change/", _form(joint, progress=77)
        )
    assert response.status_code == 302
    joint.refresh_from_db()
    assert joint.progress == 77
    record = ChangeRecord.objects.filter(subject=f"project:{joint.pk}").first()
    assert record.actor == editor

    refused = client.post(f"/admin/strategy/project/{other.pk}/change/", _form(other, progress=1))
    assert refused.status_code in (302, 403)
    other.refresh_from_db()
    assert other.progress != 1

    # erasing the editor's account keeps the history without their name
    gdpr.erase(editor)
    record.refresh_from_db()
    assert record.actor is None and record.actor_label != editor.display_name


def test_admin_rejects_bad_input_at_the_field(client) -> None:
    project = ProjectFactory(cities=[schwerte()], progress=20)
    _editor(client, schwerte())
    response = client.post(
        f"/admin/strategy/project/{project.pk}/change/",
        _form(project, progress=101, end_date="2020-01-01"),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "progress" in errors and "end_date" in errors
    response = client.post(
        f"/admin/strategy/project/{project.pk}/change/",
        _form(project, cities=[dortmund().pk]),
    )
    assert "cities" in response.context["adminform"].form.errors
    project.refresh_from_db()
    assert project.progress == 20 and project.dos_city_ids() == {schwerte().pk}


def test_city_editor_cannot_change_action_fields_or_the_vision(client) -> None:
    _editor(client, dortmund())
    assert client.get("/admin/strategy/actionfield/").status_code == 200
    assert client.get("/admin/strategy/actionfield/add/").status_code == 403
    assert client.get("/admin/strategy/strategy/").status_code == 200
