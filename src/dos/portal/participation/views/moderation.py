"""The moderators' side: queue, hide/restore, official answers, paper signatures, log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from dos.portal.accounts.permissions import city_ids_with, has_perm
from dos.portal.participation import actions, links
from dos.portal.participation.forms import AnswerForm, PaperSignatureForm, ReasonForm
from dos.portal.participation.models import (
    Comment,
    Idea,
    IdeaStatus,
    ModerationLogEntry,
    Report,
)
from dos.portal.participation.models.idea import ANSWER_TRANSITIONS


def _errors(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(exc) or _("You may not do this."))


@login_required
@require_POST
def idea_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_object_or_404(Idea.objects.select_related("city", "author"), pk=pk)
    form = ReasonForm(request.POST)
    reason = form.data.get("reason", "")
    try:
        if request.POST.get("hide") == "1":
            actions.idea_hide(request.user, idea, reason=reason)
            messages.success(request, _("The idea is hidden."))
        else:
            actions.idea_restore(request.user, idea, reason=reason)
            messages.success(request, _("The idea is visible again."))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect(idea)


@login_required
@require_POST
def comment_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("idea__city", "author"), pk=pk)
    reason = request.POST.get("reason", "")
    try:
        if request.POST.get("hide") == "1":
            actions.comment_hide(request.user, comment, reason=reason)
            messages.success(request, _("The comment is hidden."))
        else:
            actions.comment_restore(request.user, comment, reason=reason)
            messages.success(request, _("The comment is published."))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect(f"{comment.idea.get_absolute_url()}#comment-{comment.pk}")


@login_required
@require_POST
def idea_answer(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_object_or_404(Idea.objects.select_related("city", "author", "process"), pk=pk)
    if not has_perm(request.user, "participation.answer_idea", idea):
        raise PermissionDenied(_("You may not answer this idea."))
    statuses = [
        (s, label) for s, label in IdeaStatus.choices if s in ANSWER_TRANSITIONS[idea.status]
    ]
    form = AnswerForm(request.POST, statuses=statuses, projects=links.project_choices(idea))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(idea)
    try:
        actions.idea_answer(
            request.user,
            idea,
            status=form.cleaned_data["status"],
            answer=form.cleaned_data["answer"],
            project=links.resolve("Project", form.cleaned_data.get("project")),
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The answer is published and everyone involved is told."))
    return redirect(idea)


@login_required
@require_POST
def paper_signatures(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_object_or_404(Idea.objects.select_related("city"), pk=pk)
    form = PaperSignatureForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(idea)
    try:
        actions.paper_signatures_add(
            request.user, idea, count=form.cleaned_data["count"], note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The paper signatures are added."))
    return redirect(idea)


@login_required
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    """What waits for the moderator: pre-checks, unpublished comments, open reports, log."""
    ids = city_ids_with(request.user, "participation.moderate_idea")
    if ids is not None and not ids:
        raise PermissionDenied(_("Only moderators see the moderation queue."))

    def scoped(qs, lookup: str):  # type: ignore[no-untyped-def]
        return qs if ids is None else qs.filter(**{f"{lookup}__in": ids})

    context = {
        "prechecks": scoped(
            Idea.objects.filter(status__in=[IdeaStatus.SUBMITTED, IdeaStatus.PRECHECK]),
            "city",
        ).select_related("city", "process", "author")[:100],
        "comments": scoped(
            Comment.objects.filter(published=False, hidden=False), "idea__city"
        ).select_related("idea", "author")[:100],
        "reports": scoped(Report.objects.filter(resolved_at=None), "idea__city").select_related(
            "idea", "reporter"
        )[:100],
        "comment_reports": scoped(
            Report.objects.filter(resolved_at=None, comment__isnull=False), "comment__idea__city"
        ).select_related("comment__idea", "reporter")[:100],
        "log": scoped(ModerationLogEntry.objects.all(), "city").select_related(
            "actor", "idea", "city"
        )[:100],
        "form": ReasonForm(),
        "answer_form": AnswerForm(statuses=[], projects=[]),
    }
    return render(request, "participation/moderation.html", context)
