"""``{% load participation %}{% project_participation project %}``: for the project page of
the strategy app – the ideas the project came from and a follow button."""

from __future__ import annotations

from typing import Any

from django import template

from dos.portal.participation.links import ideas_for_project
from dos.portal.participation.models import Follow

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
        "ideas": ideas_for_project(project),
        "following": following,
        "user": user,
        "csrf_token": context.get("csrf_token"),
    }
