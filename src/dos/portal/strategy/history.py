"""Records every change of the strategy as a :class:`ChangeRecord`, whatever made it.

Signal handlers note which subject (a project, the strategy, an action field, an evaluation
round) a saved or deleted object belongs to; when the transaction commits, the subject's
complete state is serialised and compared with the state of its previous record, so that one
admin save with inlines, or one action, becomes one record. The actor comes from
:func:`acting`, which actions and the admin wrap around their work.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

_actor: ContextVar[Any] = ContextVar("dos_strategy_actor", default=None)

SKIPPED_FIELDS = {"id", "created_at", "updated_at"}


@contextlib.contextmanager
def acting(actor: Any) -> Iterator[None]:
    """Attribute the changes made inside the block to ``actor``."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return value


def fields_of(obj: models.Model, skip: set[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``obj`` as JSON-ready values (FKs as ids)."""
    skip = SKIPPED_FIELDS | (skip or set())
    return {
        f.attname: _plain(getattr(obj, f.attname))
        for f in obj._meta.concrete_fields
        if f.name not in skip and f.attname not in skip
    }


def project_snapshot(project: Any) -> dict[str, Any]:
    """The complete state of a project: fields, relations, milestones, KPIs, evaluations."""
    from dos.portal.strategy.models import Evaluation, Kpi

    state = fields_of(project)
    state["action_fields"] = sorted(a.code for a in project.action_fields.all())
    state["cities"] = sorted(c.slug for c in project.cities.all())
    state["sdg_goals"] = sorted(g.number for g in project.sdg_goals.all())
    state["links"] = {str(x.pk): fields_of(x, {"project"}) for x in project.links.all()}
    state["images"] = {str(x.pk): fields_of(x, {"project"}) for x in project.images.all()}
    state["milestones"] = {str(m.pk): fields_of(m, {"project"}) for m in project.milestones.all()}
    kpis = {}
    for kpi in Kpi.objects.filter(project=project).prefetch_related("values"):
        data = fields_of(kpi, {"project"})
        data["values"] = {v.date.isoformat(): _plain(v.value) for v in kpi.values.all()}
        kpis[str(kpi.pk)] = data
    state["kpis"] = kpis
    evaluations = {}
    for ev in Evaluation.objects.filter(project=project).prefetch_related("scores__criterion"):
        data = fields_of(ev, {"project"})
        data["scores"] = {s.criterion.name: s.score for s in ev.scores.all()}
        evaluations[str(ev.pk)] = data
    state["evaluations"] = evaluations
    return state


def round_snapshot(evaluation_round: Any) -> dict[str, Any]:
    state = fields_of(evaluation_round)
    state["criteria"] = {
        str(c.pk): fields_of(c, {"round"}) for c in evaluation_round.criteria.all()
    }
    return state


SECTION_LABELS = {
    "links": "link",
    "images": "image",
    "milestones": "milestone",
    "kpis": "KPI",
    "evaluations": "evaluation",
    "criteria": "criterion",
}


def _flatten(state: dict[str, Any] | None) -> dict[str, tuple[str, Any]]:
    """path key → (readable label, value); nested objects are keyed by their id."""
    flat: dict[str, tuple[str, Any]] = {}
    for name, value in (state or {}).items():
        if name in SECTION_LABELS and isinstance(value, dict):
            for pk, child in value.items():
                title = child.get("title") or child.get("name") or child.get("label") or pk
                prefix = f"{SECTION_LABELS[name]} “{title}”"
                for field, inner in child.items():
                    if isinstance(inner, dict):
                        for key, leaf in inner.items():
                            flat[f"{name}/{pk}/{field}/{key}"] = (f"{prefix} · {field} {key}", leaf)
                    else:
                        flat[f"{name}/{pk}/{field}"] = (f"{prefix} · {field}", inner)
        else:
            flat[name] = (name, value)
    return flat


def diff(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[dict[str, Any]]:
    """What changed between two states: a list of ``{"field", "old", "new"}``."""
    before, after = _flatten(old), _flatten(new)
    changes = []
    for key in sorted(set(before) | set(after), key=lambda k: (k.count("/"), k)):
        old_value = before.get(key, (None, None))[1]
        new_value = after.get(key, (None, None))[1]
        if old_value != new_value:
            label = (after.get(key) or before[key])[0]
            changes.append({"field": label, "old": old_value, "new": new_value})
    return changes


def _subject_of(obj: Any) -> tuple[str, int] | None:
    """Which tracked subject a changed object belongs to."""
    from dos.portal.strategy import models as m

    if isinstance(obj, m.Project):
        return ("project", obj.pk)
    if isinstance(obj, (m.Milestone, m.Kpi, m.Evaluation, m.ProjectLink, m.ProjectImage)):
        return ("project", obj.project_id)
    if isinstance(obj, m.KpiValue):
        project_id = m.Kpi.objects.filter(pk=obj.kpi_id).values_list("project_id", flat=True)
        return ("project", project_id.first()) if project_id.first() else None
    if isinstance(obj, m.EvaluationScore):
        ids = m.Evaluation.objects.filter(pk=obj.evaluation_id).values_list("project_id", flat=True)
        return ("project", ids.first()) if ids.first() else None
    if isinstance(obj, m.EvaluationCriterion):
        return ("evaluationround", obj.round_id)
    if isinstance(obj, (m.Strategy, m.ActionField, m.EvaluationRound)):
        return (obj._meta.model_name, obj.pk)
    return None


def note(obj: Any) -> None:
    """Schedule recording the state of ``obj``'s subject when the transaction commits."""
    subject = _subject_of(obj)
    if subject is None or subject[1] is None:
        return
    key = (subject[0], subject[1], _actor.get())
    # One record per subject and transaction: skip if a callback for it is already queued
    # and has not run yet (Django drops queued callbacks of a rolled-back transaction).
    for queued in connection.run_on_commit:
        pending = queued[1]
        if isinstance(pending, _Recording) and pending.key == key and not pending.done:
            return
    transaction.on_commit(_Recording(key))


class _Recording:
    """A queued on-commit recording of one subject's state."""

    def __init__(self, key: tuple[str, int, Any]) -> None:
        self.key = key
        self.done = False

    def __call__(self) -> None:
        self.done = True
        _record(self.key)


def _current_state(kind: str, pk: int) -> tuple[Any, dict[str, Any] | None, str]:
    from dos.portal.strategy import models as m

    model = {
        "project": m.Project,
        "strategy": m.Strategy,
        "actionfield": m.ActionField,
        "evaluationround": m.EvaluationRound,
    }[kind]
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        return None, None, ""
    if kind == "project":
        return obj, project_snapshot(obj), str(obj)
    if kind == "evaluationround":
        return obj, round_snapshot(obj), str(obj)
    return obj, fields_of(obj), str(obj)


def _record(key: tuple[str, int, Any]) -> None:
    from dos.portal.strategy.models import ChangeRecord

    kind, pk, actor = key
    subject = f"{kind}:{pk}"
    previous = ChangeRecord.objects.filter(subject=subject).order_by("-at", "-pk").first()
    obj, state, label = _current_state(kind, pk)
    old_state = previous.snapshot if previous else None
    if obj is None:
        if previous is None or previous.action == ChangeRecord.Action.DELETED:
            return
        action = ChangeRecord.Action.DELETED
        label = previous.subject_label
    else:
        action = ChangeRecord.Action.CHANGED if previous else ChangeRecord.Action.CREATED
    changes = diff(old_state, state)
    if action == ChangeRecord.Action.CHANGED and not changes:
        return
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    ChangeRecord.objects.create(
        at=timezone.now(),
        actor=actor if is_user else None,
        actor_label=_actor_label(actor),
        subject=subject,
        subject_label=label[:300],
        project=obj if kind == "project" else None,
        action=action,
        changes=changes,
        snapshot=state,
    )


def _actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    if getattr(actor, "pk", None) is None:
        return str(actor)
    return str(getattr(actor, "display_name", None) or actor)


def state_at(project: Any, when: dt.datetime) -> dict[str, Any] | None:
    """The project's recorded state at ``when`` (``None`` if it did not exist yet)."""
    from dos.portal.strategy.models import ChangeRecord

    record = (
        ChangeRecord.objects.filter(subject=f"project:{project.pk}", at__lte=when)
        .order_by("-at", "-pk")
        .first()
    )
    return record.snapshot if record else None


def _on_save(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        note(instance)


def _on_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    note(instance)


def _on_m2m(sender: Any, instance: Any, action: str, reverse: bool, **kwargs: Any) -> None:
    if action.startswith("post_") and not reverse:
        note(instance)


def connect() -> None:
    """Connect the handlers to the strategy models (called once by the app config)."""
    from dos.portal.strategy import models as m

    for model in (
        m.Project,
        m.ProjectLink,
        m.ProjectImage,
        m.Milestone,
        m.Kpi,
        m.KpiValue,
        m.Evaluation,
        m.EvaluationScore,
        m.EvaluationRound,
        m.EvaluationCriterion,
        m.Strategy,
        m.ActionField,
    ):
        post_save.connect(_on_save, sender=model, dispatch_uid=f"strategy-history-save-{model}")
        post_delete.connect(_on_delete, sender=model, dispatch_uid=f"strategy-history-del-{model}")
    for field in ("cities", "action_fields", "sdg_goals"):
        through = getattr(m.Project, field).through
        m2m_changed.connect(_on_m2m, sender=through, dispatch_uid=f"strategy-history-{field}")
