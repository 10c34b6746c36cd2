"""Links to the strategy: action fields of ideas, the projects accepted ideas became,
and the action-field suggestion while typing."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from dos.portal.participation import similarity
from dos.portal.participation.models import Idea, Process


def action_field_choices(process: Process | None = None) -> list[tuple[str, str]]:
    from dos.portal.strategy.models import ActionField

    return [(str(f.pk), f.name) for f in ActionField.objects.all()]


def action_field_name(idea: Idea) -> str:
    return idea.action_field.name if idea.action_field_id and idea.action_field else ""


def project_choices(idea: Idea) -> list[tuple[str, str]]:
    """Projects of the idea's city or of the whole region."""
    from dos.portal.strategy.models import Project

    projects = Project.objects.filter(Q(cities=idea.city_id) | Q(cities=None)).distinct()
    return [(str(p.pk), str(p)) for p in projects]


def resolve(model_name: str, pk: str | int | None) -> Any:
    """The ActionField or Project with ``pk`` (None when empty or unknown)."""
    from dos.portal.strategy import models

    if not pk or not str(pk).isdigit():
        return None
    return getattr(models, model_name).objects.filter(pk=int(pk)).first()


def suggest_action_fields(text: str, limit: int = 2) -> list[dict[str, Any]]:
    """The action fields whose description and ideas resemble ``text``, best first."""
    from dos.portal.strategy.models import ActionField

    fields = list(ActionField.objects.all())
    titles: dict[int, list[str]] = {}
    for field_id, title in Idea.objects.filter(
        action_field__isnull=False, published=True, hidden=False
    ).values_list("action_field_id", "title")[:2000]:
        titles.setdefault(field_id, []).append(title)
    documents = [
        (f, " ".join([f.name, f.name, f.description, *titles.get(f.pk, [])])) for f in fields
    ]
    ranked = similarity.rank(text, documents, limit=limit, minimum=0.05)
    return [{"id": f.pk, "name": f.name, "score": round(s, 3)} for f, s in ranked]  # type: ignore[attr-defined]


def ideas_for_project(project: Any) -> list[Idea]:
    """The public ideas a project came from (for the project page)."""
    return list(Idea.objects.filter(project=project, published=True, hidden=False))
