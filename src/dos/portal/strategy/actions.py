"""The only code that changes the strategy. Views, admin forms, the CLI and the demo call it.

Each function checks its named permission first (``require``), validates every field
(``full_clean``) and saves inside one transaction, so that bad input saves nothing. Changes
are attributed to the actor in the history (:mod:`dos.portal.strategy.history`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dos.portal.accounts.permissions import SYSTEM, has_perm, require
from dos.portal.strategy import history
from dos.portal.strategy.models import (
    ActionField,
    Evaluation,
    EvaluationCriterion,
    EvaluationRound,
    EvaluationScore,
    Kpi,
    KpiValue,
    Milestone,
    Project,
    ProjectLink,
    Strategy,
    SustainableDevelopmentGoal,
)
from dos.portal.tenancy.models import City

PROJECT_FIELDS = frozenset(
    {
        "code",
        "slug",
        "title",
        "summary",
        "description",
        "title_en",
        "summary_en",
        "description_en",
        "lead_department",
        "partners",
        "phase",
        "status",
        "progress",
        "start_date",
        "end_date",
        "budget",
        "federally_funded",
        "funding_programme",
        "funding_amount",
        "contact_email",
        "is_example",
    }
)
PROJECT_RELATIONS = frozenset({"action_fields", "cities", "sdg_goals"})
MILESTONE_FIELDS = frozenset({"title", "description", "planned_date", "actual_date", "done"})
KPI_FIELDS = frozenset(
    {
        "name",
        "description",
        "kind",
        "unit",
        "baseline",
        "target",
        "target_date",
        "direction",
        "is_key",
        "source",
        "entity_type",
        "attribute",
        "aggregation",
        "period",
        "threshold",
        "city",
        "position",
    }
)
STRATEGY_FIELDS = frozenset(
    {
        "title",
        "vision",
        "guidelines",
        "title_en",
        "vision_en",
        "guidelines_en",
        "start_year",
        "end_year",
    }
)
SYSTEM_ACTOR = SYSTEM
"""The actor of imports and other platform jobs."""
ACTION_FIELD_FIELDS = frozenset(
    {
        "code",
        "slug",
        "name",
        "description",
        "name_en",
        "description_en",
        "colour",
        "icon",
        "position",
    }
)


class _Cities:
    """Stands for an object of the given cities in a permission check."""

    def __init__(self, ids: set[int]) -> None:
        self.ids = ids

    def dos_city_ids(self) -> set[int] | None:
        return self.ids or None


def _assign(obj: Any, fields: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(obj, name, value)


def _resolve(model: Any, values: Iterable[Any], key: str, field: str) -> list[Any]:
    """Model instances from instances or keys (codes, slugs, numbers); unknown keys fail."""
    found, missing = [], []
    for value in values:
        if isinstance(value, model):
            found.append(value)
            continue
        obj = model.objects.filter(**{key: value}).first()
        (found if obj else missing).append(obj or value)
    if missing:
        raise ValidationError(
            {field: _("Unknown: %(values)s.") % {"values": ", ".join(map(str, missing))}}
        )
    return found


def _relations(fields: dict[str, Any]) -> dict[str, list[Any]]:
    relations = {}
    if "action_fields" in fields:
        relations["action_fields"] = _resolve(
            ActionField, fields.pop("action_fields"), "code", "action_fields"
        )
    if "cities" in fields:
        relations["cities"] = _resolve(City, fields.pop("cities"), "slug", "cities")
    if "sdg_goals" in fields:
        relations["sdg_goals"] = _resolve(
            SustainableDevelopmentGoal, fields.pop("sdg_goals"), "number", "sdg_goals"
        )
    return relations


def _check_city_scope(actor: Any, perm: str, cities: list[City]) -> None:
    """The actor must hold ``perm`` for the project's resulting cities as well."""
    if not has_perm(actor, perm, _Cities({c.pk for c in cities})):
        raise ValidationError({"cities": _("You may only assign projects to cities you maintain.")})


@transaction.atomic
def project_create(actor: Any, **fields: Any) -> Project:
    """Add a project (permission ``strategy.add_project`` for its cities).

    ``action_fields`` (codes or objects, at least one), ``cities`` (slugs or objects; empty
    for the whole region) and ``sdg_goals`` (numbers) may be given with the fields.
    """
    relations = _relations(fields)
    cities = relations.get("cities", [])
    require(actor, "strategy.add_project", _Cities({c.pk for c in cities}))
    if not relations.get("action_fields"):
        raise ValidationError({"action_fields": _("Choose at least one action field.")})
    project = Project()
    _assign(project, fields, PROJECT_FIELDS)
    project.full_clean()
    with history.acting(actor):
        project.save()
        for name, values in relations.items():
            getattr(project, name).set(values)
    return project


@transaction.atomic
def project_update(actor: Any, project: Project, **fields: Any) -> Project:
    """Change a project (permission ``strategy.change_project`` for its cities, before and
    after the change)."""
    require(actor, "strategy.change_project", project)
    relations = _relations(fields)
    if "cities" in relations:
        _check_city_scope(actor, "strategy.change_project", relations["cities"])
    if "action_fields" in relations and not relations["action_fields"]:
        raise ValidationError({"action_fields": _("Choose at least one action field.")})
    _assign(project, fields, PROJECT_FIELDS)
    project.full_clean()
    with history.acting(actor):
        project.save()
        for name, values in relations.items():
            getattr(project, name).set(values)
    return project


@transaction.atomic
def project_delete(actor: Any, project: Project) -> None:
    """Remove a project with its milestones, KPIs and evaluations (its history stays)."""
    require(actor, "strategy.delete_project", project)
    with history.acting(actor):
        project.delete()


@transaction.atomic
def project_link_add(actor: Any, project: Project, *, label: str, url: str) -> ProjectLink:
    """Add a link to a project (permission ``strategy.change_project``)."""
    require(actor, "strategy.change_project", project)
    link = ProjectLink(project=project, label=label, url=url, position=project.links.count())
    link.full_clean()
    with history.acting(actor):
        link.save()
    return link


def _save_part(actor: Any, part: Any, fields: dict[str, Any], allowed: Any) -> Any:
    """Assign ``fields`` (of ``allowed``) to a milestone or KPI of a project, validate and save
    it with its history (permission ``strategy.change_project`` on the project)."""
    require(actor, "strategy.change_project", part.project)
    _assign(part, fields, allowed)
    part.full_clean()
    with history.acting(actor):
        part.save()
    return part


@transaction.atomic
def milestone_create(actor: Any, project: Project, **fields: Any) -> Milestone:
    """Add a milestone to a project (permission ``strategy.change_project``)."""
    return _save_part(actor, Milestone(project=project), fields, MILESTONE_FIELDS)


@transaction.atomic
def milestone_update(actor: Any, milestone: Milestone, **fields: Any) -> Milestone:
    """Change a milestone, e.g. mark it done with its actual date."""
    return _save_part(actor, milestone, fields, MILESTONE_FIELDS)


@transaction.atomic
def milestone_delete(actor: Any, milestone: Milestone) -> None:
    """Remove a milestone."""
    require(actor, "strategy.change_project", milestone.project)
    with history.acting(actor):
        milestone.delete()


@transaction.atomic
def kpi_create(actor: Any, project: Project, **fields: Any) -> Kpi:
    """Add a KPI to a project; a live KPI's query is validated against the data models."""
    return _save_part(actor, Kpi(project=project), fields, KPI_FIELDS)


@transaction.atomic
def kpi_update(actor: Any, kpi: Kpi, **fields: Any) -> Kpi:
    """Change a KPI's definition."""
    return _save_part(actor, kpi, fields, KPI_FIELDS)


@transaction.atomic
def kpi_value_record(
    actor: Any, kpi: Kpi, *, date: dt.date, value: Decimal | int | float | str, note: str = ""
) -> KpiValue:
    """Enter the KPI's value measured on ``date`` (replaces a value of the same day)."""
    require(actor, "strategy.change_project", kpi.project)
    entry = KpiValue.objects.filter(kpi=kpi, date=date).first() or KpiValue(kpi=kpi, date=date)
    try:
        entry.value = Decimal(str(value))
    except ArithmeticError:
        raise ValidationError({"value": _("Enter a number.")}) from None
    entry.note = note
    entry.full_clean(validate_constraints=False)
    with history.acting(actor):
        entry.save()
    return entry


@transaction.atomic
def kpi_refresh(
    actor: Any, kpi: Kpi, client: Any, *, today: dt.date | None = None
) -> KpiValue | None:
    """Compute a live KPI through the broker ``client`` and store today's value (marked as
    computed). Returns ``None`` when no data lies in the period; raises
    :class:`dos.portal.strategy.live.LiveUnavailable` for a query the broker cannot answer."""
    from dos.portal.strategy import live

    require(actor, "strategy.change_project", kpi.project)
    value = live.compute(kpi, client)
    if value is None:
        return None
    day = today or timezone.localdate()
    with history.acting(actor):
        entry, _created = KpiValue.objects.update_or_create(
            kpi=kpi, date=day, defaults={"value": value, "computed": True}
        )
    return entry


@transaction.atomic
def evaluation_round_create(
    actor: Any,
    *,
    name: str,
    date: dt.date,
    description: str = "",
    criteria: Iterable[tuple[str, Decimal | int | float]] = (),
) -> EvaluationRound:
    """Open an evaluation round with its weighted criteria ``(name, weight)``."""
    require(actor, "strategy.add_evaluationround", None)
    evaluation_round = EvaluationRound(name=name, date=date, description=description)
    evaluation_round.full_clean()
    with history.acting(actor):
        evaluation_round.save()
        for position, (criterion, weight) in enumerate(criteria):
            item = EvaluationCriterion(
                round=evaluation_round,
                name=criterion,
                weight=Decimal(str(weight)),
                position=position,
            )
            item.full_clean()
            item.save()
    return evaluation_round


@transaction.atomic
def evaluation_record(
    actor: Any,
    evaluation_round: EvaluationRound,
    project: Project,
    *,
    scores: Mapping[str, int],
    recommendation: str,
    narrative: str = "",
) -> Evaluation:
    """Record (or replace) a project's evaluation in a round: a score 0–5 per criterion name,
    the narrative and the recommendation (permission ``strategy.change_evaluation``)."""
    require(actor, "strategy.change_evaluation", project)
    criteria = {c.name: c for c in evaluation_round.criteria.all()}
    unknown = set(scores) - set(criteria)
    if unknown:
        raise ValidationError(
            {"scores": _("Unknown criteria: %(names)s.") % {"names": ", ".join(sorted(unknown))}}
        )
    evaluation = Evaluation.objects.filter(round=evaluation_round, project=project).first()
    evaluation = evaluation or Evaluation(round=evaluation_round, project=project)
    evaluation.narrative = narrative
    evaluation.recommendation = recommendation
    evaluation.full_clean(validate_constraints=False)
    with history.acting(actor):
        evaluation.save()
        for name, score in scores.items():
            item = EvaluationScore.objects.filter(
                evaluation=evaluation, criterion=criteria[name]
            ).first() or EvaluationScore(evaluation=evaluation, criterion=criteria[name])
            item.score = score
            try:
                item.full_clean(validate_constraints=False)
            except ValidationError as exc:
                raise ValidationError({"scores": f"{name}: {' '.join(exc.messages)}"}) from None
            item.save()
    return evaluation


@transaction.atomic
def strategy_update(actor: Any, **fields: Any) -> Strategy:
    """Change the region's strategy texts: title, vision, guidelines, period."""
    strategy = Strategy.current()
    require(actor, "strategy.change_strategy", strategy)
    _assign(strategy, fields, STRATEGY_FIELDS)
    strategy.full_clean()
    with history.acting(actor):
        strategy.save()
    return strategy


@transaction.atomic
def action_field_save(actor: Any, *, code: str, **fields: Any) -> ActionField:
    """Create or update the action field with ``code`` (region-level permission)."""
    action_field = ActionField.objects.filter(code=code).first()
    perm = "strategy.change_actionfield" if action_field else "strategy.add_actionfield"
    require(actor, perm, action_field)
    action_field = action_field or ActionField(code=code)
    _assign(action_field, fields, ACTION_FIELD_FIELDS)
    action_field.full_clean()
    with history.acting(actor):
        action_field.save()
    return action_field


__all__ = [
    "PermissionDenied",
    "action_field_save",
    "evaluation_record",
    "evaluation_round_create",
    "kpi_create",
    "kpi_refresh",
    "kpi_update",
    "kpi_value_record",
    "milestone_create",
    "milestone_delete",
    "milestone_update",
    "project_create",
    "project_delete",
    "project_link_add",
    "project_update",
    "strategy_update",
]
