"""Strategy actions: results read back, permissions allowed and refused, bad input refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dos.portal.accounts.permissions import SYSTEM
from dos.portal.accounts.roles import EDITOR
from dos.portal.strategy import actions
from dos.portal.strategy.models import Project, Strategy
from tests.factories import UserFactory, dortmund, schwerte, user_with_role
from tests.portal.strategy.factories import ActionFieldFactory, KpiFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def new_project(**extra):
    fields = {
        "code": "ZM 01",
        "slug": "stadtlabor",
        "title": "Citizen Science Lab",
        "action_fields": [ActionFieldFactory(code="ZM").code],
        "phase": "implementation",
        "progress": 30,
        "start_date": dt.date(2023, 4, 1),
        "end_date": dt.date(2027, 3, 31),
        "sdg_goals": [4, 11],
    }
    fields.update(extra)
    return fields


def test_editor_creates_a_project_of_their_city_and_reads_it_back() -> None:
    editor = user_with_role(EDITOR, schwerte())
    project = actions.project_create(editor, **new_project(cities=["schwerte"]))
    stored = Project.objects.get(code="ZM 01")
    assert stored.pk == project.pk
    assert stored.dos_city_ids() == {schwerte().pk}
    assert [g.number for g in stored.sdg_goals.all()] == [4, 11]
    assert [a.code for a in stored.action_fields.all()] == ["ZM"]


def test_region_project_has_no_city_ids() -> None:
    project = actions.project_create(SYSTEM, **new_project())
    assert project.dos_city_ids() is None


def test_schwerte_editor_cannot_change_a_dortmund_project() -> None:
    project = ProjectFactory(cities=[dortmund()], title="Brückensensorik")
    editor = user_with_role(EDITOR, schwerte())
    with pytest.raises(PermissionDenied):
        actions.project_update(editor, project, title="Gekapert")
    project.refresh_from_db()
    assert project.title == "Brückensensorik"


def test_schwerte_editor_changes_a_joint_project() -> None:
    project = ProjectFactory(cities=[dortmund(), schwerte()])
    editor = user_with_role(EDITOR, schwerte())
    actions.project_update(editor, project, progress=55, status="at_risk")
    project.refresh_from_db()
    assert (project.progress, project.status) == (55, "at_risk")


def test_schwerte_editor_cannot_hand_a_project_to_dortmund_alone() -> None:
    project = ProjectFactory(cities=[schwerte()])
    editor = user_with_role(EDITOR, schwerte())
    with pytest.raises(ValidationError) as err:
        actions.project_update(editor, project, cities=["dortmund"])
    assert "cities" in err.value.message_dict
    assert project.dos_city_ids() == {schwerte().pk}


def test_citizen_cannot_create_or_change() -> None:
    citizen = UserFactory()
    dortmund()
    with pytest.raises(PermissionDenied):
        actions.project_create(citizen, **new_project(cities=["dortmund"]))
    project = ProjectFactory(cities=[dortmund()])
    with pytest.raises(PermissionDenied):
        actions.project_update(citizen, project, progress=99)
    assert not Project.objects.filter(code="ZM 01").exists()


def test_city_editor_cannot_create_a_region_wide_project() -> None:
    editor = user_with_role(EDITOR, dortmund())
    with pytest.raises(PermissionDenied):
        actions.project_create(editor, **new_project())


def test_end_before_start_is_rejected_at_the_field_and_nothing_saved() -> None:
    with pytest.raises(ValidationError) as err:
        actions.project_create(
            SYSTEM, **new_project(start_date=dt.date(2025, 1, 1), end_date=dt.date(2024, 1, 1))
        )
    assert "end_date" in err.value.message_dict
    assert not Project.objects.exists()


def test_progress_over_100_is_rejected_and_the_project_unchanged() -> None:
    project = ProjectFactory(progress=40)
    with pytest.raises(ValidationError) as err:
        actions.project_update(SYSTEM, project, progress=101, title="Neu")
    assert "progress" in err.value.message_dict
    project.refresh_from_db()
    assert (project.progress, project.title) != (101, "Neu")
    assert project.progress == 40


def test_unknown_action_field_is_named() -> None:
    with pytest.raises(ValidationError) as err:
        actions.project_create(SYSTEM, **new_project(action_fields=["XX"]))
    assert "XX" in str(err.value.message_dict["action_fields"])


def test_milestone_done_needs_its_date() -> None:
    project = ProjectFactory()
    milestone = actions.milestone_create(
        SYSTEM, project, title="Konzept", planned_date=dt.date(2024, 1, 31)
    )
    with pytest.raises(ValidationError) as err:
        actions.milestone_update(SYSTEM, milestone, done=True)
    assert "actual_date" in err.value.message_dict
    actions.milestone_update(SYSTEM, milestone, done=True, actual_date=dt.date(2024, 2, 15))
    milestone.refresh_from_db()
    assert milestone.done and milestone.delay_days == 15


def test_kpi_values_are_recorded_and_replaced_per_day() -> None:
    kpi = KpiFactory(baseline=0, target=80)
    actions.kpi_value_record(SYSTEM, kpi, date=dt.date(2024, 12, 31), value="40")
    actions.kpi_value_record(SYSTEM, kpi, date=dt.date(2024, 12, 31), value=60)
    assert [v.value for v in kpi.values.all()] == [Decimal(60)]
    assert kpi.achievement(Decimal(60)) == 75


def test_live_kpi_with_unknown_attribute_is_rejected_at_the_field() -> None:
    project = ProjectFactory()
    with pytest.raises(ValidationError) as err:
        actions.kpi_create(
            SYSTEM,
            project,
            name="Hitzetage",
            source="live",
            entity_type="WeatherObserved",
            attribute="hotness",
            aggregation="days_above",
            period="year",
            threshold=30,
        )
    assert "attribute" in err.value.message_dict
    assert not project.kpis.exists()
    kpi = actions.kpi_create(
        SYSTEM,
        project,
        name="Hitzetage",
        source="live",
        entity_type="WeatherObserved",
        attribute="temperature",
        aggregation="days_above",
        period="year",
        threshold=30,
    )
    assert "temperature" in kpi.query_label


def test_evaluation_weighted_score_and_bad_score() -> None:
    project = ProjectFactory(cities=[dortmund()])
    rnd = actions.evaluation_round_create(
        SYSTEM,
        name="Evaluation 2025",
        date=dt.date(2025, 6, 30),
        criteria=[("Wirkung", 2), ("Kosten", 1)],
    )
    evaluation = actions.evaluation_record(
        SYSTEM, rnd, project, scores={"Wirkung": 5, "Kosten": 2}, recommendation="continue"
    )
    assert evaluation.weighted_score() == Decimal("4.00")
    with pytest.raises(ValidationError) as err:
        actions.evaluation_record(
            SYSTEM, rnd, project, scores={"Wirkung": 9}, recommendation="adapt"
        )
    assert "scores" in err.value.message_dict
    evaluation.refresh_from_db()
    assert evaluation.recommendation == "continue"
    editor = user_with_role(EDITOR, schwerte())
    with pytest.raises(PermissionDenied):
        actions.evaluation_record(
            editor, rnd, project, scores={"Wirkung": 1}, recommendation="stop"
        )


def test_strategy_texts_need_a_region_wide_editor() -> None:
    with pytest.raises(PermissionDenied):
        actions.strategy_update(user_with_role(EDITOR, dortmund()), vision="x")
    actions.strategy_update(
        user_with_role(EDITOR, None), vision="Smart sind wir nur gemeinsam.", guidelines="- a\n- b"
    )
    assert Strategy.current().guideline_list == ["a", "b"]
