"""Read-only queries of the strategy for pages, exports and PDFs, with bounded query counts."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Prefetch, QuerySet, Sum

from dos.portal.strategy.models import (
    ActionField,
    Evaluation,
    EvaluationRound,
    EvaluationScore,
    Kpi,
    Phase,
    Project,
)
from dos.portal.tenancy.models import City
from dos.portal.web import generations


def projects() -> QuerySet[Project]:
    """Projects with what a list shows, prefetched (a fixed number of queries)."""
    return Project.objects.prefetch_related("action_fields", "cities", "sdg_goals")


def project_detail(slug: str) -> Project:
    """One project with everything its page (Steckbrief) shows."""
    evaluations = Evaluation.objects.select_related("round").prefetch_related(
        Prefetch("scores", EvaluationScore.objects.select_related("criterion"))
    )
    return (
        projects()
        .prefetch_related(
            "links",
            "images",
            "milestones",
            Prefetch("kpis", Kpi.objects.prefetch_related("values")),
            Prefetch("evaluations", evaluations),
        )
        .get(slug=slug)
    )


@dataclass
class FieldSummary:
    """An action field with its number of projects and their mean progress."""

    field: ActionField
    count: int
    progress: int


def field_summaries() -> list[FieldSummary]:
    fields = ActionField.objects.annotate(
        project_count=Count("projects", distinct=True), mean_progress=Avg("projects__progress")
    )
    return [FieldSummary(f, f.project_count, round(f.mean_progress or 0)) for f in fields]


def key_kpis(limit: int = 6) -> list[Kpi]:
    """KPIs marked as key figures, with their values and project."""
    return list(
        Kpi.objects.filter(is_key=True)
        .select_related("project")
        .prefetch_related("values")
        .order_by("project__code", "position")[:limit]
    )


def latest_value(kpi: Kpi) -> Any:
    """The newest value of a KPI from its prefetched values (or None)."""
    values = list(kpi.values.all())
    return values[-1] if values else None


@dataclass
class Portfolio:
    """Counts and sums over all projects for the dashboard."""

    total: int
    by_field: list[tuple[ActionField, int, Decimal]]
    by_phase: list[tuple[str, int]]
    by_city: list[tuple[str, int]]
    federally_funded: int
    budget_total: Decimal
    funding_total: Decimal
    mean_progress: int


def portfolio() -> Portfolio:
    rows = list(projects())
    fields = ActionField.objects.annotate(
        n=Count("projects", distinct=True), budget=Sum("projects__budget")
    )
    phases = Counter(p.phase for p in rows)
    cities: Counter[str] = Counter()
    for project in rows:
        names = [c.name for c in project.cities.all()]
        if not names:
            cities["region"] += 1
        elif len(names) > 1:
            cities["joint"] += 1
        else:
            cities[names[0]] += 1
    city_order = [c.name for c in City.objects.all()] + ["joint", "region"]
    return Portfolio(
        total=len(rows),
        by_field=[(f, f.n, f.budget or Decimal(0)) for f in fields],
        by_phase=[(label, phases[value]) for value, label in Phase.choices],
        by_city=[(name, cities[name]) for name in city_order if cities[name]],
        federally_funded=sum(p.federally_funded for p in rows),
        budget_total=sum((p.budget or Decimal(0) for p in rows), Decimal(0)),
        funding_total=sum((p.funding_amount or Decimal(0) for p in rows), Decimal(0)),
        mean_progress=round(sum(p.progress for p in rows) / len(rows)) if rows else 0,
    )


@dataclass
class RoundComparison:
    """An evaluation round with each evaluated project's weighted score, best first."""

    round: EvaluationRound
    rows: list[tuple[Evaluation, Decimal | None, list[int | None]]]
    criteria: list[Any]


def latest_round_comparison() -> RoundComparison | None:
    evaluation_round = EvaluationRound.objects.prefetch_related("criteria").first()
    if evaluation_round is None:
        return None
    evaluations = (
        Evaluation.objects.filter(round=evaluation_round)
        .select_related("project")
        .prefetch_related(Prefetch("scores", EvaluationScore.objects.select_related("criterion")))
    )
    criteria = list(evaluation_round.criteria.all())
    rows = []
    for evaluation in evaluations:
        by_criterion = {s.criterion_id: s.score for s in evaluation.scores.all()}
        cells = [by_criterion.get(c.pk) for c in criteria]
        rows.append((evaluation, evaluation.weighted_score(), cells))
    rows.sort(key=lambda r: (r[1] is None, -(r[1] or 0), r[0].project.code))
    return RoundComparison(evaluation_round, rows, criteria)


def projects_by_field() -> dict[int, list[Project]]:
    """Projects (with milestones) grouped by action field id, for the roadmap."""
    grouped: dict[int, list[Project]] = defaultdict(list)
    for project in projects().prefetch_related("milestones"):
        for field in project.action_fields.all()[:1]:
            grouped[field.pk].append(project)
    return grouped


def version() -> str:
    """A key that changes whenever the strategy or a city changes (in any process), for
    caching rendered fragments: the generation tokens of both apps, one query."""
    return generations.current(("strategy", "tenancy"))
