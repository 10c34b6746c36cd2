"""Export and import of the strategy as JSON (everything) or CSV (one row per project).

An import validates every row through the actions and applies completely or not at all: all
problems are collected as :class:`RowError` (row number, field, reason) and reported together.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from dos.portal.strategy import actions, history
from dos.portal.strategy.models import (
    ActionField,
    EvaluationRound,
    Kpi,
    Milestone,
    Project,
    ProjectLink,
    Strategy,
)
from dos.portal.tenancy.models import City

FORMAT_VERSION = 1
CSV_COLUMNS = [
    "code",
    "slug",
    "title",
    "summary",
    "description",
    "title_en",
    "summary_en",
    "description_en",
    "action_fields",
    "cities",
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
    "sdg_goals",
    "contact_email",
    "is_example",
]
LIST_COLUMNS = {"action_fields", "cities", "sdg_goals"}
DATE_COLUMNS = {"start_date", "end_date"}
DECIMAL_COLUMNS = {"budget", "funding_amount"}
BOOL_COLUMNS = {"federally_funded", "is_example"}
TRUE = {"1", "true", "yes", "ja", "x"}
FALSE = {"", "0", "false", "no", "nein"}


@dataclass(frozen=True)
class RowError:
    """One problem of an import: where (row, field) and why."""

    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, field {self.field}: {self.reason}"


class ImportFailed(Exception):
    """The import was rolled back; ``errors`` says why."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s); nothing was imported")
        self.errors = errors


# --- export -------------------------------------------------------------------------------


def _value(value: Any) -> Any:
    if isinstance(value, (dt.date, Decimal)):
        return str(value) if isinstance(value, Decimal) else value.isoformat()
    return value


def project_row(project: Project) -> dict[str, Any]:
    """A project's own fields with its relations as codes, slugs and numbers."""
    row = {name: _value(getattr(project, name)) for name in CSV_COLUMNS if name not in LIST_COLUMNS}
    row["action_fields"] = [a.code for a in project.action_fields.all()]
    row["cities"] = [c.slug for c in project.cities.all()]
    row["sdg_goals"] = [g.number for g in project.sdg_goals.all()]
    return row


def export_data() -> dict[str, Any]:
    """The whole strategy as JSON-ready data."""
    strategy = Strategy.objects.order_by("pk").first()
    projects = Project.objects.prefetch_related(
        "action_fields", "cities", "sdg_goals", "milestones", "links", "kpis__values", "kpis__city"
    )
    out_projects = []
    for project in projects:
        row = project_row(project)
        row["milestones"] = [
            {
                "title": m.title,
                "description": m.description,
                "planned_date": _value(m.planned_date),
                "actual_date": _value(m.actual_date),
                "done": m.done,
            }
            for m in project.milestones.all()
        ]
        row["links"] = [{"label": x.label, "url": x.url} for x in project.links.all()]
        row["kpis"] = [_kpi_export(k) for k in project.kpis.all()]
        out_projects.append(row)
    rounds = []
    for evaluation_round in EvaluationRound.objects.prefetch_related(
        "criteria", "evaluations__project", "evaluations__scores__criterion"
    ):
        rounds.append(
            {
                "name": evaluation_round.name,
                "date": _value(evaluation_round.date),
                "description": evaluation_round.description,
                "criteria": [
                    {"name": c.name, "weight": str(c.weight)}
                    for c in evaluation_round.criteria.all()
                ],
                "evaluations": [
                    {
                        "project": e.project.code,
                        "recommendation": e.recommendation,
                        "narrative": e.narrative,
                        "scores": {s.criterion.name: s.score for s in e.scores.all()},
                    }
                    for e in evaluation_round.evaluations.all()
                ],
            }
        )
    return {
        "format": "dos-strategy",
        "version": FORMAT_VERSION,
        "strategy": {name: getattr(strategy, name) for name in sorted(actions.STRATEGY_FIELDS)}
        if strategy
        else None,
        "action_fields": [
            {"code": f.code, **{n: getattr(f, n) for n in sorted(actions.ACTION_FIELD_FIELDS)}}
            for f in ActionField.objects.all()
        ],
        "projects": out_projects,
        "evaluation_rounds": rounds,
    }


def _kpi_export(kpi: Kpi) -> dict[str, Any]:
    row = {name: _value(getattr(kpi, name)) for name in sorted(actions.KPI_FIELDS - {"city"})}
    row["city"] = kpi.city.slug if kpi.city else None
    row["values"] = [
        {"date": _value(v.date), "value": str(v.value), "note": v.note}
        for v in kpi.values.all()
        if not v.computed
    ]
    return row


def export_csv() -> str:
    """The projects as CSV (lists joined with “;”), one row per project."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for project in Project.objects.prefetch_related("action_fields", "cities", "sdg_goals"):
        row = project_row(project)
        for name in LIST_COLUMNS:
            row[name] = ";".join(str(v) for v in row[name])
        for name in BOOL_COLUMNS:
            row[name] = "true" if row[name] else "false"
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()


# --- import -------------------------------------------------------------------------------


def _errors_of(exc: ValidationError, row: int, prefix: str = "") -> list[RowError]:
    if hasattr(exc, "error_dict"):
        return [
            RowError(row, f"{prefix}{field}", " ".join(messages))
            for field, messages in exc.message_dict.items()
        ]
    return [RowError(row, prefix.rstrip(".") or "row", " ".join(exc.messages))]


def parse_csv_row(raw: dict[str, str | None]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Typed project fields from one CSV row, and the (field, reason) of unreadable cells."""
    fields: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for name, cell in raw.items():
        if name is None or name not in CSV_COLUMNS:
            problems.append((str(name), "unknown column"))
            continue
        text = (cell or "").strip()
        try:
            if name in LIST_COLUMNS:
                items = [item.strip() for item in text.split(";") if item.strip()]
                fields[name] = [int(i) for i in items] if name == "sdg_goals" else items
            elif name in DATE_COLUMNS:
                fields[name] = dt.date.fromisoformat(text) if text else None
            elif name in DECIMAL_COLUMNS:
                fields[name] = Decimal(text.replace(",", ".")) if text else None
            elif name in BOOL_COLUMNS:
                if text.lower() not in TRUE | FALSE:
                    raise ValueError("expected true or false")
                fields[name] = text.lower() in TRUE
            elif name == "progress":
                fields[name] = int(text) if text else 0
            else:
                fields[name] = text
        except (ValueError, InvalidOperation) as exc:
            problems.append((name, f"cannot read “{text}”: {exc}"))
    return fields, problems


def _upsert_project(fields: dict[str, Any]) -> Project:
    existing = Project.objects.filter(code=fields.get("code", "")).first()
    if existing:
        return actions.project_update(actions.SYSTEM_ACTOR, existing, **fields)
    return actions.project_create(actions.SYSTEM_ACTOR, **fields)


def _import_rows(rows: Iterable[tuple[int, dict[str, Any], list[tuple[str, str]]]]) -> int:
    errors: list[RowError] = []
    count = 0
    seen: dict[str, int] = {}
    for number, fields, problems in rows:
        errors.extend(RowError(number, f, reason) for f, reason in problems)
        if problems:
            continue
        code = str(fields.get("code", ""))
        if code in seen:
            errors.append(RowError(number, "code", f"duplicate of row {seen[code]}"))
            continue
        seen[code] = number
        nested = {k: fields.pop(k) for k in ("milestones", "links", "kpis") if k in fields}
        try:
            with transaction.atomic():
                project = _upsert_project(fields)
                errors.extend(_import_nested(project, nested, number))
        except ValidationError as exc:
            errors.extend(_errors_of(exc, number))
            continue
        except TypeError as exc:
            errors.append(RowError(number, "row", str(exc)))
            continue
        count += 1
    if errors:
        raise ImportFailed(errors)
    return count


def _import_nested(project: Project, nested: dict[str, Any], row: int) -> list[RowError]:
    errors: list[RowError] = []
    for index, data in enumerate(nested.get("milestones", []), start=1):
        try:
            milestone = Milestone.objects.filter(project=project, title=data.get("title")).first()
            values = {
                **data,
                "planned_date": _date(data.get("planned_date")),
                "actual_date": _date(data.get("actual_date")),
            }
            if milestone:
                actions.milestone_update(actions.SYSTEM_ACTOR, milestone, **values)
            else:
                actions.milestone_create(actions.SYSTEM_ACTOR, project, **values)
        except (ValidationError, ValueError, TypeError) as exc:
            errors.extend(_nested_errors(exc, row, f"milestones[{index}]."))
    for index, data in enumerate(nested.get("links", []), start=1):
        if not ProjectLink.objects.filter(project=project, url=data.get("url")).exists():
            try:
                actions.project_link_add(actions.SYSTEM_ACTOR, project, **data)
            except (ValidationError, TypeError) as exc:
                errors.extend(_nested_errors(exc, row, f"links[{index}]."))
    for index, data in enumerate(nested.get("kpis", []), start=1):
        try:
            _import_kpi(project, dict(data))
        except (ValidationError, ValueError, TypeError, InvalidOperation) as exc:
            errors.extend(_nested_errors(exc, row, f"kpis[{index}]."))
    return errors


def _nested_errors(exc: Exception, row: int, prefix: str) -> list[RowError]:
    if isinstance(exc, ValidationError):
        return _errors_of(exc, row, prefix)
    return [RowError(row, prefix.rstrip("."), str(exc))]


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _import_kpi(project: Project, data: dict[str, Any]) -> None:
    values = data.pop("values", [])
    city = data.pop("city", None)
    data["city"] = City.objects.filter(slug=city).first() if city else None
    if city and data["city"] is None:
        raise ValidationError({"city": f"unknown city {city}"})
    for name in ("baseline", "target", "threshold"):
        if data.get(name) is not None:
            data[name] = Decimal(str(data[name]))
    data["target_date"] = _date(data.get("target_date"))
    kpi = Kpi.objects.filter(project=project, name=data.get("name")).first()
    if kpi:
        kpi = actions.kpi_update(actions.SYSTEM_ACTOR, kpi, **data)
    else:
        kpi = actions.kpi_create(actions.SYSTEM_ACTOR, project, **data)
    for value in values:
        actions.kpi_value_record(
            actions.SYSTEM_ACTOR,
            kpi,
            date=dt.date.fromisoformat(value["date"]),
            value=value["value"],
            note=value.get("note", ""),
        )


@transaction.atomic
def import_csv(text: str) -> int:
    """Create or update the projects of a CSV export; returns how many rows were applied."""
    reader = csv.DictReader(io.StringIO(text))
    missing = {"code", "title", "action_fields"} - set(reader.fieldnames or [])
    if missing:
        raise ImportFailed(
            [RowError(1, name, "required column is missing") for name in sorted(missing)]
        )
    with history.acting(actions.SYSTEM_ACTOR):
        # Row 1 is the header: data rows are numbered as a spreadsheet shows them.
        return _import_rows(
            (number, *parse_csv_row(raw)) for number, raw in enumerate(reader, start=2)
        )


@transaction.atomic
def import_data(data: dict[str, Any]) -> int:
    """Apply a JSON export: strategy texts, action fields, projects (with milestones, links,
    KPIs and values) and evaluation rounds. Projects are numbered from 1 in the report."""
    if not isinstance(data, dict) or data.get("format") != "dos-strategy":
        raise ImportFailed([RowError(0, "format", "not a DOS strategy export")])
    errors: list[RowError] = []
    if data.get("strategy"):
        try:
            actions.strategy_update(actions.SYSTEM_ACTOR, **data["strategy"])
        except (ValidationError, TypeError) as exc:
            errors.extend(_nested_errors(exc, 0, "strategy."))
    for index, field in enumerate(data.get("action_fields", []), start=1):
        try:
            actions.action_field_save(actions.SYSTEM_ACTOR, **field)
        except (ValidationError, TypeError) as exc:
            errors.extend(_nested_errors(exc, index, "action_fields."))
    if errors:
        raise ImportFailed(errors)
    count = _import_rows(
        (number, dict(row), []) for number, row in enumerate(data.get("projects", []), start=1)
    )
    _import_rounds(data.get("evaluation_rounds", []))
    return count


def _import_rounds(rounds: list[dict[str, Any]]) -> None:
    errors: list[RowError] = []
    for index, data in enumerate(rounds, start=1):
        try:
            evaluation_round = EvaluationRound.objects.filter(name=data["name"]).first()
            if evaluation_round is None:
                evaluation_round = actions.evaluation_round_create(
                    actions.SYSTEM_ACTOR,
                    name=data["name"],
                    date=dt.date.fromisoformat(data["date"]),
                    description=data.get("description", ""),
                    criteria=[(c["name"], Decimal(c["weight"])) for c in data["criteria"]],
                )
            for evaluation in data.get("evaluations", []):
                project = Project.objects.get(code=evaluation["project"])
                actions.evaluation_record(
                    actions.SYSTEM_ACTOR,
                    evaluation_round,
                    project,
                    scores=evaluation["scores"],
                    recommendation=evaluation["recommendation"],
                    narrative=evaluation.get("narrative", ""),
                )
        except (ValidationError, KeyError, ValueError, Project.DoesNotExist) as exc:
            errors.extend(_nested_errors(exc, index, "evaluation_rounds."))
    if errors:
        raise ImportFailed(errors)
