"""``{% load participation %}{% project_participation project %}``: for the project page of
the strategy app – the ideas the project came from and a follow button."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.translation import get_language

from dos.portal.participation.links import ideas_for_project
from dos.portal.participation.models import Follow
from dos.portal.web import generations

register = template.Library()


@register.inclusion_tag("participation/_project_participation.html", takes_context=True)
def project_participation(context: dict[str, Any], project: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    following = bool(
        user is not None
        and user.is_authenticated
        and Follow.objects.filter(user=user, project=project).exists()
    )
    return {
        "project": project,
        "ideas_html": _ideas_html(project),
        "following": following,
        "user": user,
        "csrf_token": context.get("csrf_token"),
    }


def _ideas_html(project: Any) -> str:
    """The list of the project's ideas, rendered once per participation generation (see
    :mod:`dos.portal.web.generations`); only the follow button depends on the visitor."""
    token = generations.current(("participation",))
    key = f"participation:project-ideas:{project.pk}:{get_language()}:{token}"
    html: str | None = cache.get(key)
    if html is None:
        html = render_to_string(
            "participation/_project_ideas.html", {"ideas": ideas_for_project(project)}
        )
        cache.set(key, html, 300)
    return html
