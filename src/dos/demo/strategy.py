"""The strategy DOS 2030: vision, 12 action fields, 45 projects with milestones, KPIs and an
evaluation round (``dos demo``; idempotent). Data: :mod:`dos.demo.strategy_data` and
:mod:`dos.demo.strategy_projects`."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from dos.demo import english
from dos.demo import strategy_data as data
from dos.demo import strategy_projects as facts

IMPLEMENTATION_START = dt.date(2023, 4, 1)
LEADS = {
    "dortmund": "CIIO (Chief Information/Innovation Office) der Stadt Dortmund",
    "schwerte": "Büro Smart City der Stadt Schwerte",
    "both": "CIIO der Stadt Dortmund und Büro Smart City der Stadt Schwerte",
    "region": "Lenkungskreis DOS 2030",
}
CONTACTS = {
    "dortmund": "smartcity@dortmund.example",
    "schwerte": "smartcity@schwerte.example",
    "both": "dos2030@smartcity-region.example",
    "region": "dos2030@smartcity-region.example",
}
MILESTONES = [
    "Konzept abgestimmt",
    "Vergabe abgeschlossen",
    "Pilotbetrieb gestartet",
    "Rollout abgeschlossen",
    "Evaluation abgeschlossen",
]
PHASE_PROGRESS = {"idea": 5, "planning": 15, "implementation": 50, "evaluation": 85}


def _months(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + months
    return dt.date(total // 12, total % 12 + 1, min(day.day, 28))


def _city_list(key: str, cities: dict[str, Any]) -> list[Any]:
    if key == "both":
        return [cities["dortmund"], cities["schwerte"]]
    if key == "region":
        return []
    return [cities[key]]


def _schedule(rng: random.Random, phase: str) -> tuple[dt.date, dt.date]:
    if phase == "idea":
        start = dt.date(2025, rng.randint(1, 12), 1)
        return start, _months(start, rng.randint(18, 30))
    start = _months(IMPLEMENTATION_START, rng.randint(0, 10))
    if phase == "integrated":
        return start, _months(start, rng.randint(14, 26))
    return start, dt.date(rng.choice([2026, 2027, 2027]), rng.choice([6, 9, 12]), 30)


def _project_fields(entry: dict[str, Any], rng: random.Random, example: bool) -> dict[str, Any]:
    phase = entry["phase"]
    progress = entry.get("progress", PHASE_PROGRESS.get(phase, 100))
    status = entry.get("status") or (
        "done" if progress == 100 else rng.choice(["on_track"] * 5 + ["at_risk", "delayed"])
    )
    start, end = _schedule(rng, phase)
    federal = entry.get("federal", example and rng.random() < 0.55)
    budget = entry.get("budget")
    if budget is None and example:
        budget = rng.randrange(80_000, 900_000, 1000)
    funding = entry.get("funding_amount")
    if funding is None and federal and budget:
        funding = (Decimal(budget) * Decimal("0.65")).quantize(Decimal(1))
    key = entry["cities"]
    return {
        "slug": entry["slug"],
        "title": entry["title"],
        "summary": entry["summary"],
        "description": entry.get("description", ""),
        "lead_department": LEADS[key],
        "partners": entry.get("partners", ""),
        "phase": phase,
        "status": status,
        "progress": progress,
        "start_date": start,
        "end_date": end,
        "budget": budget,
        "federally_funded": bool(federal),
        "funding_programme": facts.MPSC if federal else "",
        "funding_amount": funding,
        "contact_email": CONTACTS[key],
        "is_example": example,
        "title_en": "",
        "summary_en": "",
        "description_en": "",
        **english.PROJECTS.get(entry["code"], {}),
    }


def _milestones(project: Any, rng: random.Random, today: dt.date) -> None:
    from dos.portal.strategy.models import Milestone

    titles = MILESTONES[:2] if project.phase == "idea" else MILESTONES
    span = (project.end_date - project.start_date).days
    for index, title in enumerate(titles, start=1):
        planned = project.start_date + dt.timedelta(days=span * index // (len(titles) + 1))
        reached = (
            project.progress >= 100 * index / (len(titles) + 1) and planned <= today
        ) or project.progress == 100
        actual = min(planned + dt.timedelta(days=rng.randint(-10, 45)), today) if reached else None
        Milestone.objects.update_or_create(
            project=project,
            title=title,
            defaults={"planned_date": planned, "actual_date": actual, "done": reached},
        )


def _kpis(project: Any, definitions: list[dict[str, Any]], cities: dict[str, Any]) -> None:
    from dos.portal.strategy.models import Kpi, KpiValue

    for position, definition in enumerate(definitions):
        fields = {
            k: v for k, v in definition.items() if k not in {"name", "values", "former_names"}
        }
        if "city" in fields:
            fields["city"] = cities[fields["city"]]
        if "target_date" in fields:
            fields["target_date"] = dt.date.fromisoformat(fields["target_date"])
        Kpi.objects.filter(project=project, name__in=definition.get("former_names", [])).update(
            name=definition["name"]
        )
        kpi, _created = Kpi.objects.update_or_create(
            project=project,
            name=definition["name"],
            defaults={**fields, "position": position},
        )
        kpi.full_clean()
        for day, value in definition["values"]:
            KpiValue.objects.update_or_create(
                kpi=kpi, date=dt.date.fromisoformat(day), defaults={"value": Decimal(value)}
            )


def _refresh_live_kpis(projects: list[Any], say: Callable[[str], None]) -> None:
    """Compute the live KPIs from the sensor history the sensors step has just written."""
    from asgiref.sync import async_to_sync
    from django.conf import settings

    from dos.broker.client import BrokerClient
    from dos.portal.accounts.permissions import SYSTEM
    from dos.portal.strategy import actions, live
    from dos.portal.strategy.models import Kpi

    client = BrokerClient.from_config(settings.CONFIG)
    kpis = Kpi.objects.filter(project__in=projects, source="live").select_related("project", "city")
    try:
        for kpi in kpis:
            try:
                entry = actions.kpi_refresh(SYSTEM, kpi, client)
            except live.LiveUnavailable as exc:
                say(f"strategy: {kpi.name}: not computed ({exc})")
                continue
            shown = f"{entry.value.normalize():f} {kpi.unit}" if entry else "no data in the period"
            say(f"strategy: live KPI {kpi.name}: {shown}")
    finally:
        async_to_sync(client.aclose)()


def _example_kpi(project: Any, rng: random.Random) -> list[dict[str, Any]]:
    target = rng.choice([500, 1000, 2500, 5000])
    values = []
    level = 0
    for year in range(project.start_date.year, 2026):
        level = min(target, level + rng.randint(target // 8, target // 3))
        values.append((f"{year}-12-31", level))
    return [
        {
            "name": "Nutzende pro Monat",
            "kind": "outcome",
            "unit": "Personen",
            "baseline": 0,
            "target": target,
            "target_date": project.end_date.isoformat(),
            "values": values,
        }
    ]


def _evaluation(projects: list[Any], today: dt.date) -> None:
    from dos.portal.strategy.models import (
        Evaluation,
        EvaluationCriterion,
        EvaluationRound,
        EvaluationScore,
    )

    evaluation_round, _created = EvaluationRound.objects.update_or_create(
        name="Zwischenevaluation 2025",
        defaults={
            "date": dt.date(2025, 9, 30),
            "description": "Beispielhafte Zwischenevaluation mit Demodaten: Bewertung der "
            "Projekte in Umsetzung nach gewichteten Kriterien.",
        },
    )
    criteria = []
    for position, (name, weight) in enumerate(data.EVALUATION_CRITERIA):
        criterion, _c = EvaluationCriterion.objects.update_or_create(
            round=evaluation_round,
            name=name,
            defaults={"weight": Decimal(weight), "position": position},
        )
        criteria.append(criterion)
    for project in projects:
        if project.phase not in {"implementation", "evaluation", "integrated"}:
            continue
        rng = random.Random(f"evaluation {project.code}")
        scores = [rng.randint(2, 5) for _c in criteria]
        mean = sum(scores) / len(scores)
        if project.phase == "integrated":
            recommendation = "integrate"
        else:
            recommendation = "continue" if mean >= 3.4 else "adapt" if mean >= 2.6 else "stop"
        evaluation, _c = Evaluation.objects.update_or_create(
            round=evaluation_round,
            project=project,
            defaults={
                "recommendation": recommendation,
                "narrative": "Beispielbewertung (Demodaten): Das Projekt liegt "
                f"bei {project.progress} % Fortschritt. Die Bewertung zeigt, wo es wirkt "
                "und wo nachgesteuert werden sollte.",
            },
        )
        for criterion, score in zip(criteria, scores, strict=True):
            EvaluationScore.objects.update_or_create(
                evaluation=evaluation, criterion=criterion, defaults={"score": score}
            )


def load(say: Any) -> None:
    """Create or update the strategy, its action fields and its 45 projects."""
    from dos.portal.strategy.models import (
        ActionField,
        Project,
        ProjectLink,
        Strategy,
        SustainableDevelopmentGoal,
    )
    from dos.portal.tenancy.models import City

    today = dt.date.today()
    strategy = Strategy.current()
    strategy.title = data.TITLE
    strategy.vision = data.VISION
    strategy.guidelines = data.GUIDELINES
    for name, value in english.STRATEGY.items():
        setattr(strategy, name, value)
    strategy.start_year, strategy.end_year = 2020, 2027
    strategy.save()
    fields = {}
    for position, (code, slug, name, colour, icon, description) in enumerate(data.ACTION_FIELDS):
        name_en, description_en = english.ACTION_FIELDS.get(code, ("", ""))
        fields[code], _c = ActionField.objects.update_or_create(
            code=code,
            defaults={
                "slug": slug,
                "name": name,
                "colour": colour,
                "icon": icon,
                "description": description,
                "name_en": name_en,
                "description_en": description_en,
                "position": position,
            },
        )
    cities = {c.slug: c for c in City.objects.all()}
    entries = [(e, False) for e in facts.PROJECTS] + [
        (
            {
                "code": code,
                "slug": slug,
                "title": title,
                "cities": key,
                "phase": phase,
                "summary": summary,
                "field": code.split()[0],
                "sdg": [11],
            },
            True,
        )
        for code, slug, title, key, phase, summary in data.EXAMPLES
    ]
    projects = []
    # The goals come from a data migration; make sure they are there even where a database
    # was emptied without re-running migrations (e.g. between transactional tests).
    for number in range(1, 18):
        SustainableDevelopmentGoal.objects.get_or_create(number=number)
    for entry, example in entries:
        rng = random.Random(entry["code"])
        project, _c = Project.objects.update_or_create(
            code=entry["code"], defaults=_project_fields(entry, rng, example)
        )
        project.full_clean()
        project.action_fields.set([fields[entry["field"]]])
        project.cities.set(_city_list(entry["cities"], cities))
        project.sdg_goals.set(entry["sdg"])
        if entry.get("source"):
            ProjectLink.objects.update_or_create(
                project=project,
                url=entry["source"],
                defaults={"label": f"Quelle: {urlsplit(entry['source']).netloc}"},
            )
        _milestones(project, rng, today)
        definitions = facts.KPIS.get(entry["code"]) or (
            _example_kpi(project, rng) if example else []
        )
        _kpis(project, definitions, cities)
        projects.append(project)
    _evaluation(projects, today)
    _refresh_live_kpis(projects, say)
    examples = sum(example for _e, example in entries)
    say(f"strategy: {len(fields)} action fields, {len(projects)} projects ({examples} examples)")
