"""Process lists, a process page with its ideas and map, and the open-data export."""

from __future__ import annotations

import csv

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from dos.portal.participation import links, phases
from dos.portal.participation.geo import Frame, outline_points
from dos.portal.participation.models import (
    District,
    Follow,
    Idea,
    IdeaStatus,
    Process,
    Survey,
)
from dos.portal.participation.views.common import public_ideas

STATUS_COLOURS = {
    IdeaStatus.COLLECTING: "#1a5f9e",
    IdeaStatus.THRESHOLD_REACHED: "#6b3fa0",
    IdeaStatus.REFERRED: "#6b3fa0",
    IdeaStatus.ACCEPTED: "#1e7b34",
    IdeaStatus.IMPLEMENTED: "#1e7b34",
    IdeaStatus.DECLINED: "#a4161a",
    IdeaStatus.CLOSED: "#4a5562",
}


def _processes(city_id: int | None = None) -> list[Process]:
    qs = Process.objects.select_related("city").prefetch_related("phases")
    if city_id is not None:
        qs = qs.filter(Q(city_id=city_id) | Q(city=None))
    return list(qs)


def _surveys(city_id: int | None = None) -> list[Survey]:
    qs = Survey.objects.filter(open=True).select_related("city")
    if city_id is not None:
        qs = qs.filter(Q(city_id=city_id) | Q(city=None))
    return list(qs[:20])


@require_safe
def process_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "participation/process_list.html",
        {"processes": _processes(), "surveys": _surveys()},
    )


@require_safe
def city_process_list(request: HttpRequest, city: str) -> HttpResponse:
    """The city's processes and a map of all its public ideas, filterable."""
    the_city = request.city  # type: ignore[attr-defined]
    ideas, chosen = _filtered(request, public_ideas().filter(city=the_city))
    located = list(ideas.exclude(latitude=None)[:300])
    districts = list(District.objects.filter(city=the_city))
    return render(
        request,
        "participation/process_list.html",
        {
            "processes": _processes(the_city.pk),
            "surveys": _surveys(the_city.pk),
            "map": idea_map(located, districts),
            "districts": districts,
            "statuses": IdeaStatus.choices,
            "action_fields": links.action_field_choices(),
            "chosen": chosen,
            "show_map": True,
        },
    )


def _filtered(request: HttpRequest, ideas: QuerySet[Idea]):  # type: ignore[no-untyped-def]
    status = request.GET.get("status", "")
    if status in IdeaStatus.values:
        ideas = ideas.filter(status=status)
    district = request.GET.get("district", "")
    if district.isdigit():
        ideas = ideas.filter(district_id=int(district))
    field = request.GET.get("action_field", "")
    if field.isdigit():
        ideas = ideas.filter(action_field_id=int(field))
    return ideas, {"status": status, "district": district, "action_field": field}


def idea_map(ideas: list, districts: list[District]) -> dict | None:  # type: ignore[type-arg]
    """An SVG map (no tiles: district outlines and idea points) of the located ideas."""
    located = [i for i in ideas if i.latitude is not None]
    outlines = [(d, outline_points(d)) for d in districts]
    points = [(i.latitude, i.longitude) for i in located]
    points += [p for _d, rings in outlines for ring in rings for p in ring]
    if not points:
        return None
    frame = Frame.around(points)
    shapes = []
    for district, rings in outlines:
        for ring in rings:
            shapes.append(
                {
                    "name": district.name,
                    "points": " ".join(f"{x},{y}" for x, y in (frame.xy(*p) for p in ring)),
                }
            )
    dots = []
    for idea in located:
        x, y = frame.xy(idea.latitude, idea.longitude)
        dots.append(
            # SVG numbers as text: the template would localise floats ("12,5" in German).
            {
                "idea": idea,
                "x": f"{x}",
                "y": f"{y}",
                "colour": STATUS_COLOURS.get(idea.status, "#1a5f9e"),
            }
        )
    return {"width": frame.width, "height": frame.height, "shapes": shapes, "dots": dots}


@require_safe
def process_detail(request: HttpRequest, slug: str) -> HttpResponse:
    process = get_object_or_404(
        Process.objects.select_related("city").prefetch_related("phases", "surveys"), slug=slug
    )
    ideas, chosen = _filtered(request, public_ideas().filter(process=process))
    page = Paginator(ideas, 30).get_page(request.GET.get("page"))
    districts = list(
        District.objects.filter(city_id=process.city_id)
        if process.city_id
        else District.objects.all()
    )
    following = (
        request.user.is_authenticated
        and Follow.objects.filter(user=request.user, process=process).exists()
    )
    return render(
        request,
        "participation/process_detail.html",
        {
            "process": process,
            "page": page,
            "map": idea_map(list(page.object_list), districts),
            "districts": districts,
            "statuses": IdeaStatus.choices,
            "action_fields": links.action_field_choices(process),
            "chosen": chosen,
            "following": following,
            "can_submit": process.allows(phases.SUBMIT),
            "surveys": list(process.surveys.all()),
        },
    )


def _open_rows(process: Process) -> list[dict[str, object]]:
    """Ideas without anything personal: no author, no exact location below ~100 m."""
    rows = []
    for idea in public_ideas().filter(process=process).order_by("pk"):
        rows.append(
            {
                "id": idea.pk,
                "title": idea.title,
                "city": idea.city.slug,
                "district": idea.district.name if idea.district else "",
                "action_field": links.action_field_name(idea),
                "status": idea.status,
                "supports": idea.support_count,
                "comments": idea.comment_count,
                "latitude": round(idea.latitude, 3) if idea.latitude is not None else None,
                "longitude": round(idea.longitude, 3) if idea.longitude is not None else None,
                "submitted_on": idea.created_at.date().isoformat(),
            }
        )
    return rows


@require_safe
def ideas_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """Open data: the process's public ideas, supports and statuses, anonymised."""
    process = get_object_or_404(Process, slug=slug)
    rows = _open_rows(process)
    if fmt == "json":
        response: HttpResponse = JsonResponse(
            {"process": process.slug, "title": process.title, "licence": "CC0-1.0", "ideas": rows},
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        fields = list(rows[0]) if rows else ["id", "title", "status", "supports"]
        writer = csv.DictWriter(response, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    response["Content-Disposition"] = f'inline; filename="ideen-{process.slug}.{fmt}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response
