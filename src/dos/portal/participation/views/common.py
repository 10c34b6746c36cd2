"""What the views share: public querysets, turning action errors into form errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from dos.portal.accounts.permissions import has_perm
from dos.portal.participation.models import Idea


def public_ideas() -> QuerySet[Idea]:
    """Ideas everyone may see, with what the lists show in one query."""
    return (
        Idea.objects.filter(published=True, hidden=False)
        .select_related("city", "district", "author", "process")
        .annotate(
            comment_count=Count(
                "comments", filter=Q(comments__published=True, comments__hidden=False)
            )
        )
        .order_by("-created_at", "-pk")
    )


def can_see(user: Any, idea: Idea) -> bool:
    """Public ideas for all; unpublished or hidden ones for their author and moderators."""
    if idea.is_public:
        return True
    if getattr(user, "pk", None) and user.pk == idea.author_id:
        return True
    return has_perm(user, "participation.moderate_idea", idea)


def apply_errors(form: forms.Form | None, request: HttpRequest, exc: ValidationError) -> None:
    """Put an action's ValidationError on the form fields it names (or as a message)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            if form is not None and field in form.fields:
                for error in errors:
                    form.add_error(field, error)
            else:
                for error in errors:
                    messages.error(request, error)
    else:
        for error in exc.messages:
            if form is not None:
                form.add_error(None, error)
            else:
                messages.error(request, error)
