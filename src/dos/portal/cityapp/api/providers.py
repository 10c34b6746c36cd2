"""What the content endpoints list: public items of one city (and the region-wide ones) as
plain dicts. Each provider reads only published content with a fixed number of queries.

Choice labels (phase, status) follow the answer language. Texts are served in English when
English is asked for and the editors wrote an English version (see
:class:`~dos.portal.web.translated.EnglishVersion`), in German otherwise; each item's
``language`` says which (ideas are written by citizens and stay in their language).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone, translation

from dos.portal.tenancy.models import City


def _url(path: str) -> str:
    return f"{settings.BASE_URL}{path}"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _day(request: HttpRequest, name: str) -> date | None:
    value = request.GET.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name} must be a date like 2026-12-01") from None


def news(city: City, language: str, request: HttpRequest) -> list[dict[str, Any]]:
    """Published news of the city and the region, newest first; ``?tag=`` filters."""
    from dos.portal.content.models import Post

    posts = (
        Post.objects.visible()
        .for_city(city)
        .filter(kind=Post.Kind.NEWS)
        .select_related("city")
        .prefetch_related("tags")
        .order_by("-published_at", "-pk")
    )
    tag = request.GET.get("tag")
    if tag:
        posts = posts.filter(tags__slug=tag)
    return [
        {
            "id": post.pk,
            "title": post.text("title", language),
            "teaser": post.text("teaser", language),
            "language": post.text_language(language),
            "published_at": _iso(post.published_at),
            "tags": [t.slug for t in post.tags.all()],
            "region_wide": post.city_id is None,
            "url": _url(post.get_absolute_url()),
        }
        for post in posts
    ]


def events(city: City, language: str, request: HttpRequest) -> list[dict[str, Any]]:
    """Upcoming published events of the city and the region; ``?from=`` / ``?to=`` dates."""
    from dos.portal.events.models import Event

    found = (
        Event.objects.upcoming()
        .filter(Q(city=city) | Q(city__isnull=True))
        .select_related("city", "venue")
    )
    start, end = _day(request, "from"), _day(request, "to")
    if start:
        found = found.filter(ends_at__date__gte=start)
    if end:
        found = found.filter(starts_at__date__lte=end)
    items = []
    for event in found:
        page = event.get_absolute_url()
        venue = event.venue
        items.append(
            {
                "id": event.pk,
                "title": event.text("title", language),
                "summary": event.text("summary", language),
                "language": event.text_language(language),
                "starts_at": _iso(timezone.localtime(event.starts_at)),
                "ends_at": _iso(timezone.localtime(event.ends_at)),
                "organiser": event.organiser,
                "venue": {
                    "id": venue.pk,
                    "name": venue.text("name", language),
                    "address": venue.address,
                    "latitude": venue.latitude,
                    "longitude": venue.longitude,
                }
                if venue
                else None,
                "online_url": event.online_url or None,
                "registration_required": event.registration_required,
                "registration_url": _url(page + "anmelden/")
                if event.registration_required
                else None,
                "url": _url(page),
            }
        )
    return items


def places(city: City, language: str, request: HttpRequest) -> list[dict[str, Any]]:
    """The city's venues (places of interest) with their accessibility."""
    from dos.portal.events.models import Venue

    return [
        {
            "id": venue.pk,
            "name": venue.text("name", language),
            "description": venue.text("description", language),
            "language": venue.text_language(language),
            "address": venue.address,
            "latitude": venue.latitude,
            "longitude": venue.longitude,
            "website": venue.website or None,
            "accessibility": {
                "step_free_access": venue.step_free_access,
                "accessible_toilet": venue.accessible_toilet,
                "induction_loop": venue.induction_loop,
                "notes": venue.text("accessibility_notes", language),
            },
            "url": _url(venue.get_absolute_url()),
        }
        for venue in Venue.objects.filter(city=city).order_by("name")
    ]


def projects(city: City, language: str, request: HttpRequest) -> list[dict[str, Any]]:
    """The city's projects and the region-wide ones; ``?phase=`` and ``?action_field=`` filter."""
    from dos.portal.strategy.models import Phase, Project, Status

    found = (
        Project.objects.filter(Q(cities=city) | Q(cities__isnull=True))
        .distinct()
        .prefetch_related("action_fields")
        .order_by("code", "title")
    )
    phase = request.GET.get("phase")
    if phase:
        if phase not in Phase.values:
            raise ValueError(f"phase must be one of {', '.join(Phase.values)}")
        found = found.filter(phase=phase)
    field = request.GET.get("action_field")
    if field:
        found = found.filter(action_fields__slug=field)
    with translation.override(language):  # the labels once, not per project
        phases = {value: str(label) for value, label in Phase.choices}
        statuses = {value: str(label) for value, label in Status.choices}
    return [
        {
            "id": project.pk,
            "code": project.code,
            "title": project.text("title", language),
            "summary": project.text("summary", language),
            "language": project.text_language(language),
            "phase": project.phase,
            "phase_label": phases.get(project.phase, project.phase),
            "status": project.status,
            "status_label": statuses.get(project.status, project.status),
            "progress": project.progress,
            "start_date": _iso(project.start_date),
            "end_date": _iso(project.end_date),
            "action_fields": [f.slug for f in project.action_fields.all()],
            "url": _url(project.get_absolute_url()),
        }
        for project in found
    ]


def pages(city: City, language: str, request: HttpRequest) -> list[dict[str, Any]]:
    """The city's published information pages (text as sanitised HTML)."""
    from dos.portal.content.models import Page

    items = []
    for page in Page.objects.filter(city=city, is_published=True).order_by(
        "navigation_order", "title"
    ):
        title, body = page.localized(language)
        items.append(
            {
                "id": page.pk,
                "slug": page.slug,
                "title": title,
                "body_html": body,
                "url": _url(page.get_absolute_url()),
            }
        )
    return items


def ideas(city: City, language: str, request: HttpRequest) -> list[dict[str, Any]]:
    """Public ideas of the city with their status and official answers; ``?status=`` filters."""
    from django.db.models import Prefetch

    from dos.portal.participation.models import Idea, IdeaStatus, StatusChange

    found = (
        Idea.objects.filter(city=city, published=True, hidden=False)
        .select_related("district")
        .prefetch_related(
            Prefetch(
                "status_changes", StatusChange.objects.exclude(answer="").order_by("created_at")
            )
        )
        .order_by("-created_at", "-pk")
    )
    status = request.GET.get("status")
    if status:
        if status not in IdeaStatus.values:
            raise ValueError(f"status must be one of {', '.join(IdeaStatus.values)}")
        found = found.filter(status=status)
    with translation.override(language):
        return [
            {
                "id": idea.pk,
                "title": idea.title,
                "description": idea.description,
                "status": idea.status,
                "status_label": str(idea.get_status_display()),
                "supports": idea.support_count,
                "district": idea.district.name if idea.district else None,
                "latitude": idea.latitude,
                "longitude": idea.longitude,
                "created_at": _iso(idea.created_at),
                "official_answers": [
                    {
                        "status": change.status,
                        "status_label": str(change.get_status_display()),
                        "answer": change.answer,
                        "answered_at": _iso(change.created_at),
                    }
                    for change in idea.status_changes.all()
                ],
                "url": _url(idea.get_absolute_url()),
            }
            for idea in found
        ]
