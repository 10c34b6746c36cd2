"""Submitting an idea, its page, and what citizens do there (support, comment, report,
follow), plus the similar-ideas JSON endpoint used while typing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dos.portal.accounts.permissions import has_perm
from dos.portal.participation import actions, links, phases, ratelimit, similarity
from dos.portal.participation.forms import (
    AnswerForm,
    CommentForm,
    IdeaForm,
    PaperSignatureForm,
    ReasonForm,
)
from dos.portal.participation.models import Comment, Follow, Idea, Process, Support
from dos.portal.participation.models.idea import ANSWER_TRANSITIONS, IdeaStatus
from dos.portal.participation.permissions import is_verified
from dos.portal.participation.views.common import apply_errors, can_see


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "participation/rate_limited.html", status=429)


@login_required
@require_http_methods(["GET", "POST"])
def idea_create(request: HttpRequest, slug: str) -> HttpResponse:
    process = get_object_or_404(Process.objects.prefetch_related("phases"), slug=slug)
    if not process.allows(phases.SUBMIT):
        messages.error(request, _("This process does not take new ideas now."))
        return redirect(process)
    if not is_verified(request.user):
        messages.error(request, _("Please sign in with a verified e-mail address to take part."))
        return redirect(process)
    form = IdeaForm(
        request.POST or None,
        request.FILES or None,
        process=process,
        action_fields=links.action_field_choices(process),
    )
    if request.method == "POST" and form.is_valid():
        if not ratelimit.allow(request, "idea"):
            return _too_many(request)
        data = form.cleaned_data
        try:
            idea = actions.idea_submit(
                request.user,
                process,
                title=data["title"],
                description=data["description"],
                city=data["city"],
                action_field=links.resolve("ActionField", data.get("action_field")),
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
                image=data.get("image"),
                image_alt=data.get("image_alt", ""),
            )
        except ValidationError as exc:
            apply_errors(form, request, exc)
        else:
            if idea.published:
                messages.success(request, _("Thank you! Your idea is published."))
            else:
                messages.success(
                    request, _("Thank you! Your idea will be published after a short pre-check.")
                )
            return redirect(idea)
    return render(request, "participation/idea_form.html", {"process": process, "form": form})


@require_safe
def idea_detail(request: HttpRequest, pk: int) -> HttpResponse:
    comments = Comment.objects.select_related("author").order_by("created_at", "pk")
    idea = get_object_or_404(
        Idea.objects.select_related(
            "process", "city", "author", "district", "action_field", "project"
        ).prefetch_related(
            "process__phases",
            "status_changes",
            "paper_signatures",
            Prefetch("comments", queryset=comments),
        ),
        pk=pk,
    )
    user = request.user
    if not can_see(user, idea):
        raise Http404
    moderator = has_perm(user, "participation.moderate_idea", idea)
    all_comments = list(idea.comments.all())
    visible = [c for c in all_comments if c.is_public or moderator or c.author_id == user.pk]
    children: dict[int | None, list[Comment]] = {}
    for comment in visible:
        children.setdefault(comment.parent_id, []).append(comment)
    thread = _flatten(children)
    supported = user.is_authenticated and Support.objects.filter(idea=idea, user=user).exists()
    following = user.is_authenticated and Follow.objects.filter(idea=idea, user=user).exists()
    answerer = has_perm(user, "participation.answer_idea", idea)
    context = {
        "idea": idea,
        "process": idea.process,
        "thread": thread,
        "supported": supported,
        "following": following,
        "moderator": moderator,
        "answerer": answerer,
        "can_support": idea.process.allows(phases.SUPPORT_IDEA)
        and idea.status == IdeaStatus.COLLECTING,
        "can_comment": idea.process.allows(phases.COMMENT) and idea.is_public,
        "verified": is_verified(user),
        "threshold": _threshold(idea),
        "comment_form": CommentForm(),
        "report_form": ReasonForm(),
    }
    if answerer:
        statuses = [
            (s, label)
            for s, label in IdeaStatus.choices
            if s in ANSWER_TRANSITIONS.get(idea.status, frozenset())
        ]
        context["answer_form"] = AnswerForm(statuses=statuses, projects=links.project_choices(idea))
    if moderator:
        context["paper_form"] = PaperSignatureForm()
        context["moderate_form"] = ReasonForm()
    return render(request, "participation/idea_detail.html", context)


def _threshold(idea: Idea) -> dict[str, int]:
    from dos.portal.participation.models import CityRules

    rules = CityRules.for_city(idea.city)
    percent = min(100, round(100 * idea.support_count / rules.support_threshold))
    return {"needed": rules.support_threshold, "weeks": rules.support_weeks, "percent": percent}


def _flatten(children: dict[int | None, list[Comment]]) -> list[tuple[Comment, int]]:
    """Comments in thread order with their depth (replies under their parent)."""
    out: list[tuple[Comment, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for comment in children.get(parent, []):
            out.append((comment, min(depth, 4)))
            walk(comment.pk, depth + 1)

    walk(None, 0)
    return out


def _idea_or_404(pk: int) -> Idea:
    return get_object_or_404(
        Idea.objects.select_related("process", "city", "author").prefetch_related(
            "process__phases"
        ),
        pk=pk,
    )


@login_required
@require_POST
def idea_support(request: HttpRequest, pk: int) -> HttpResponse:
    idea = _idea_or_404(pk)
    if not ratelimit.allow(request, "support"):
        return _too_many(request)
    withdraw = request.POST.get("withdraw") == "1"
    try:
        if withdraw:
            actions.idea_unsupport(request.user, idea)
            messages.success(request, _("Your support has been withdrawn."))
        else:
            actions.idea_support(request.user, idea)
            messages.success(request, _("Thank you for your support!"))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
    return redirect(idea)


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("You may not do this.")


@login_required
@require_POST
def idea_follow(request: HttpRequest, pk: int) -> HttpResponse:
    idea = _idea_or_404(pk)
    if not can_see(request.user, idea):
        raise Http404
    following = request.POST.get("follow") == "1"
    actions.follow_set(request.user, idea=idea, following=following)
    messages.success(
        request, _("You follow this idea.") if following else _("You no longer follow this idea.")
    )
    return redirect(idea)


@login_required
@require_POST
def process_follow(request: HttpRequest, slug: str) -> HttpResponse:
    process = get_object_or_404(Process, slug=slug)
    following = request.POST.get("follow") == "1"
    actions.follow_set(request.user, process=process, following=following)
    messages.success(
        request,
        _("You follow this process.") if following else _("You no longer follow this process."),
    )
    return redirect(process)


@login_required
@require_POST
def project_follow(request: HttpRequest, pk: int) -> HttpResponse:
    from dos.portal.strategy.models import Project

    project = get_object_or_404(Project, pk=pk)
    following = request.POST.get("follow") == "1"
    actions.follow_set(request.user, project=project, following=following)
    messages.success(
        request,
        _("You follow this project.") if following else _("You no longer follow this project."),
    )
    return redirect(project)


@login_required
@require_POST
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    idea = _idea_or_404(pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(idea)
    if not ratelimit.allow(request, "comment"):
        return _too_many(request)
    parent = None
    if form.cleaned_data.get("parent"):
        parent = Comment.objects.filter(pk=form.cleaned_data["parent"], idea=idea).first()
    try:
        comment = actions.comment_create(
            request.user,
            idea,
            body=form.cleaned_data["body"],
            parent=parent,
            official=form.cleaned_data.get("official", False),
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
        return redirect(idea)
    if comment.published:
        messages.success(request, _("Your comment is published."))
    else:
        messages.success(request, _("Your comment will be published after a pre-check."))
    return redirect(f"{idea.get_absolute_url()}#comment-{comment.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    from dos.portal.participation.forms import CommentEditForm

    comment = get_object_or_404(Comment.objects.select_related("idea"), pk=pk)
    if comment.author_id != request.user.pk:
        raise PermissionDenied(_("Only the author can edit a comment."))
    form = CommentEditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            actions.comment_edit(request.user, comment, body=form.cleaned_data["body"])
        except ValidationError as exc:
            apply_errors(form, request, exc)
        else:
            messages.success(request, _("Your comment has been changed."))
            return redirect(f"{comment.idea.get_absolute_url()}#comment-{comment.pk}")
    return render(request, "participation/comment_edit.html", {"form": form, "comment": comment})


@login_required
@require_POST
def report(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    if kind == "idee":
        idea = _idea_or_404(pk)
        target = {"idea": idea}
    else:
        comment = get_object_or_404(Comment.objects.select_related("idea"), pk=pk)
        idea = comment.idea
        target = {"comment": comment}
    if not can_see(request.user, idea):
        raise Http404
    if not ratelimit.allow(request, "report"):
        return _too_many(request)
    if not form.is_valid():
        messages.error(request, _("Please give a reason."))
        return redirect(idea)
    try:
        actions.report_create(request.user, reason=form.cleaned_data["reason"], **target)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("Thank you. The moderators will look at your report."))
    return redirect(idea)


@require_safe
def similar(request: HttpRequest) -> JsonResponse:
    """Similar public ideas of a process and fitting action fields, for the idea form.

    ``GET ?process=<slug>&q=<title and text>`` → ``{"ideas": [...], "action_fields": [...]}``.
    """
    query = request.GET.get("q", "")[:2000]
    slug = request.GET.get("process", "")
    process = Process.objects.filter(slug=slug).first()
    if process is None:
        return JsonResponse(
            {"error": {"field": "process", "message": "unknown process"}}, status=400
        )
    if len(similarity.tokens(query)) == 0:
        return JsonResponse({"ideas": [], "action_fields": []})
    documents = [
        (idea, f"{idea.title} {idea.title} {idea.description}")
        for idea in Idea.objects.filter(process=process, published=True, hidden=False).only(
            "pk", "title", "description", "status"
        )[:1000]
    ]
    ideas = [
        {
            "id": idea.pk,  # type: ignore[attr-defined]
            "title": idea.title,  # type: ignore[attr-defined]
            "status": idea.get_status_display(),  # type: ignore[attr-defined]
            "url": idea.get_absolute_url(),  # type: ignore[attr-defined]
            "score": round(score, 3),
        }
        for idea, score in similarity.rank(query, documents, limit=5)
    ]
    return JsonResponse({"ideas": ideas, "action_fields": links.suggest_action_fields(query)})
