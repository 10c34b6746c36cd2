"""Public pages of the strategy: overview, action fields, projects, roadmap, portfolio."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from dos.portal.strategy import charts, history, queries
from dos.portal.strategy.forms import CompareForm, ProjectFilterForm
from dos.portal.strategy.models import ActionField, ChangeRecord, Project, Strategy
from dos.portal.web.pagecache import public_page

CACHE_SECONDS = 300


def _strategy() -> Strategy | None:
    return Strategy.objects.order_by("pk").first()


@require_safe
@public_page
def overview(request: HttpRequest) -> HttpResponse:
    """The strategy at a glance: vision, guidelines, action fields, key figures."""
    return render(
        request,
        "strategy/overview.html",
        {
            "strategy": _strategy(),
            "summaries": queries.field_summaries(),
            "key_kpis": _kpi_cards(queries.key_kpis()),
            "project_count": Project.objects.count(),
        },
    )


def _kpi_cards(kpis: list[Any]) -> list[dict[str, Any]]:
    cards = []
    for kpi in kpis:
        latest = queries.latest_value(kpi)
        cards.append(
            {
                "kpi": kpi,
                "latest": latest,
                "achievement": kpi.achievement(latest.value if latest else None),
            }
        )
    return cards


@require_safe
@public_page
def action_field(request: HttpRequest, slug: str) -> HttpResponse:
    field = get_object_or_404(ActionField, slug=slug)
    return render(
        request,
        "strategy/action_field.html",
        {"field": field, "projects": queries.projects().filter(action_fields=field)},
    )


@require_safe
@public_page
def project_list(request: HttpRequest, city: str | None = None) -> HttpResponse:
    """All projects, filtered by action field, city, phase, status, funding and SDG.

    The filter form and the list of results are rendered once per filter, language, path and
    strategy version (see :func:`queries.version`) and then served from the cache.
    """
    data = request.GET.copy()
    if city is not None:
        data.setdefault("city", city)
    filtered = any(request.GET.values())
    key = f"strategy:list:{queries.version()}:{get_language()}:{request.path}:{data.urlencode()}"
    cached = cache.get(key)
    if cached is None:
        form = ProjectFilterForm(data)
        projects = list(form.apply(queries.projects()))
        cached = (
            render_to_string(
                "strategy/_project_filters.html",
                {"form": form, "filtered": filtered},
                request=request,
            ),
            render_to_string(
                "strategy/_project_results.html", {"projects": projects}, request=request
            ),
        )
        cache.set(key, cached, CACHE_SECONDS)
    filters, results = cached
    return render(request, "strategy/project_list.html", {"filters": filters, "results": results})


@require_safe
@public_page
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A project's Steckbrief: state, milestones, KPIs with charts, evaluations (cached per
    strategy version, language and day)."""
    today = timezone.localdate()
    key = f"strategy:project:{slug}:{queries.version()}:{get_language()}:{today}"
    cached = cache.get(key)
    if cached is None:
        try:
            project = queries.project_detail(slug)
        except Project.DoesNotExist:
            raise Http404(slug) from None
        article = render_to_string(
            "strategy/_project_article.html", _project_context(project, today), request=request
        )
        cached = (f"{project.code} {project.text('title')}", article, project.pk)
        cache.set(key, cached, CACHE_SECONDS)
    title, article, pk = cached
    # What other apps link to the project (ideas, news) depends on the visitor and changes
    # without a strategy change, so it is rendered outside the cached Steckbrief.
    project = Project.objects.only("pk", "slug", "code", "title").get(pk=pk)
    return render(
        request,
        "strategy/project_detail.html",
        {"title": title, "article": article, "project": project},
    )


def _project_context(project: Project, today: dt.date) -> dict[str, Any]:
    kpis = []
    colour = next((f.colour for f in project.action_fields.all()), "#1a5f9e")
    for kpi in project.kpis.all():
        values = list(kpi.values.all())
        latest = values[-1] if values else None
        kpis.append(
            {
                "kpi": kpi,
                "values": values,
                "latest": latest,
                "achievement": kpi.achievement(latest.value if latest else None),
                "chart": charts.line_chart(
                    kpi.name,
                    [(v.date, v.value) for v in values],
                    unit=kpi.unit,
                    baseline=kpi.baseline,
                    target=kpi.target,
                    colour=colour,
                ),
            }
        )
    evaluations = [(e, e.weighted_score()) for e in project.evaluations.all()]
    return {"project": project, "kpis": kpis, "evaluations": evaluations, "today": today}


@require_safe
def project_history(request: HttpRequest, slug: str) -> HttpResponse:
    """Every recorded change of a project, and a comparison with its state at a date."""
    project = get_object_or_404(Project, slug=slug)
    records = ChangeRecord.objects.filter(subject=f"project:{project.pk}")[:200]
    form = CompareForm(request.GET or None)
    comparison = None
    if form.is_valid():
        day = form.cleaned_data["date"]
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time.max))
        then = history.state_at(project, moment)
        comparison = {
            "date": day,
            "existed": then is not None,
            "changes": history.diff(then, history.project_snapshot(project)) if then else [],
        }
    return render(
        request,
        "strategy/project_history.html",
        {"project": project, "records": records, "form": form, "comparison": comparison},
    )


@require_safe
@public_page
def roadmap(request: HttpRequest) -> HttpResponse:
    """The roadmap of the whole strategy as a Gantt chart and a table."""
    strategy = _strategy()
    first, last = (strategy.start_year, strategy.end_year) if strategy else (2020, 2027)
    grouped = queries.projects_by_field()
    rows: list[charts.RoadmapRow] = []
    table = []
    for field in ActionField.objects.all():
        if not grouped.get(field.pk):
            continue
        rows.append(
            charts.RoadmapRow(f"{field.code} – {field.text('name')}", None, None, heading=True)
        )
        for project in grouped[field.pk]:
            milestones = [(m.planned_date, m.done, m.title) for m in project.milestones.all()]
            rows.append(
                charts.RoadmapRow(
                    f"{project.code} {project.text('title')}",
                    project.start_date,
                    project.end_date,
                    colour=field.colour,
                    milestones=milestones,
                )
            )
            table.append((field, project))
    chart = charts.roadmap_chart(
        _("Roadmap %(first)s–%(last)s") % {"first": first, "last": last},
        rows,
        first,
        last,
        timezone.localdate(),
    )
    return render(
        request,
        "strategy/roadmap.html",
        {"chart": chart, "table": table, "first": first, "last": last},
    )


@require_safe
@public_page
def portfolio(request: HttpRequest) -> HttpResponse:
    """Dashboard: projects by field, phase and city, budget by field, evaluation scores."""
    data = queries.portfolio()
    by_field = charts.bar_chart(
        _("Projects by action field"),
        [charts.Bar(f.text("name"), n, f.colour) for f, n, _b in data.by_field],
    )
    by_phase = charts.bar_chart(
        _("Projects by phase"), [charts.Bar(str(label), n) for label, n in data.by_phase]
    )
    city_labels = {"joint": _("Joint projects"), "region": _("Whole region")}
    by_city = charts.bar_chart(
        _("Projects by city"),
        [charts.Bar(str(city_labels.get(name, name)), n) for name, n in data.by_city],
    )
    budget = charts.bar_chart(
        _("Budget by action field"),
        [charts.Bar(f.text("name"), b, f.colour) for f, _n, b in data.by_field],
        unit="€",
    )
    comparison = queries.latest_round_comparison()
    score_chart = None
    if comparison:
        score_chart = charts.bar_chart(
            _("Weighted score in %(round)s") % {"round": comparison.round.name},
            [
                charts.Bar(f"{e.project.code} {e.project.text('title')}", s)
                for e, s, _cells in comparison.rows
                if s is not None
            ],
        )
    return render(
        request,
        "strategy/portfolio.html",
        {
            "data": data,
            "charts": [by_field, by_phase, by_city, budget],
            "city_labels": city_labels,
            "comparison": comparison,
            "score_chart": score_chart,
        },
    )


@require_safe
def project_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The project's Steckbrief as a PDF generated from the current data."""
    from dos.portal.strategy import pdf

    try:
        content = pdf.project_pdf(slug)
    except Project.DoesNotExist:
        raise Http404(slug) from None
    return _pdf_response(content, f"steckbrief-{slug}.pdf")


@require_safe
def strategy_pdf(request: HttpRequest) -> HttpResponse:
    """The complete strategy as a PDF generated from the current data."""
    from dos.portal.strategy import pdf

    return _pdf_response(pdf.strategy_pdf(), "strategie.pdf")


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
