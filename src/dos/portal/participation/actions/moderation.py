"""Reports, hiding and restoring content, and the moderation log."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from dos.portal.accounts.permissions import require
from dos.portal.participation.content import plain_text
from dos.portal.participation.models import Comment, Idea, ModerationLogEntry, Report
from dos.portal.tenancy.models import City

REASON_MAX = 1000


def log(
    actor: Any,
    city: City,
    action: str,
    *,
    idea: Idea | None = None,
    comment: Comment | None = None,
    reason: str = "",
) -> ModerationLogEntry:
    """Record one moderation step (internal: called by the actions that take the step)."""
    return ModerationLogEntry.objects.create(
        city=city,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        idea=idea,
        comment=comment,
        reason=reason,
    )


def _reason(reason: str) -> str:
    reason = plain_text(reason or "")
    if not reason:
        raise ValidationError({"reason": _("Please give a reason.")})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": _("The reason can have at most %(n)d characters.") % {"n": REASON_MAX}}
        )
    return reason


@transaction.atomic
def report_create(
    actor: Any, *, reason: str, idea: Idea | None = None, comment: Comment | None = None
) -> Report:
    """Report an idea or a comment with a reason (anyone signed in)."""
    from django.core.exceptions import PermissionDenied

    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Please sign in to report content."))
    if (idea is None) == (comment is None):
        raise ValidationError(_("Report either an idea or a comment."))
    reason = _reason(reason)
    report = Report.objects.create(
        idea=idea, comment=comment, reporter=actor if actor.pk else None, reason=reason
    )
    target_idea = idea or comment.idea  # type: ignore[union-attr]
    log(actor, target_idea.city, "report", idea=idea, comment=comment, reason=reason)
    from dos.portal.participation.actions.notify import notify_moderators, portal_language

    with portal_language():
        text = _("New report on “%(title)s”: %(reason)s") % {
            "title": target_idea.title,
            "reason": reason,
        }
    notify_moderators(target_idea.city, text, reverse("participation:moderation"))
    return report


def _resolve_reports(**target: Any) -> None:
    from django.utils import timezone

    Report.objects.filter(resolved_at=None, **target).update(resolved_at=timezone.now())


def _tell_author(author: Any, message: str, params: dict[str, str], url: str) -> None:
    """Notify the author; ``message`` is a msgid translated into the portal's language."""
    from django.utils.translation import gettext

    from dos.portal.participation.actions.notify import notify_users, portal_language

    with portal_language():
        text = gettext(message) % params
    notify_users([author], text, url)


@transaction.atomic
def idea_hide(actor: Any, idea: Idea, *, reason: str) -> Idea:
    """Hide an idea (moderators of its city); the author is told the reason."""
    require(actor, "participation.moderate_idea", idea)
    reason = _reason(reason)
    idea.hidden = True
    idea.hidden_reason = reason
    idea.save(update_fields=["hidden", "hidden_reason", "updated_at"])
    _resolve_reports(idea=idea)
    log(actor, idea.city, "hide_idea", idea=idea, reason=reason)
    _tell_author(
        idea.author,
        gettext_noop("Your idea “%(title)s” was hidden: %(reason)s"),
        {"title": idea.title, "reason": reason},
        idea.get_absolute_url(),
    )
    return idea


@transaction.atomic
def idea_restore(actor: Any, idea: Idea, *, reason: str) -> Idea:
    """Show a hidden idea again (moderators of its city), with a reason."""
    require(actor, "participation.moderate_idea", idea)
    reason = _reason(reason)
    idea.hidden = False
    idea.hidden_reason = ""
    idea.save(update_fields=["hidden", "hidden_reason", "updated_at"])
    log(actor, idea.city, "restore_idea", idea=idea, reason=reason)
    _tell_author(
        idea.author,
        gettext_noop("Your idea “%(title)s” is visible again: %(reason)s"),
        {"title": idea.title, "reason": reason},
        idea.get_absolute_url(),
    )
    return idea


@transaction.atomic
def comment_hide(actor: Any, comment: Comment, *, reason: str) -> Comment:
    """Hide a comment (moderators of the idea's city); the author is told the reason."""
    require(actor, "participation.moderate_comment", comment)
    reason = _reason(reason)
    comment.hidden = True
    comment.hidden_reason = reason
    comment.save(update_fields=["hidden", "hidden_reason"])
    _resolve_reports(comment=comment)
    log(actor, comment.idea.city, "hide_comment", comment=comment, idea=comment.idea, reason=reason)
    _tell_author(
        comment.author,
        gettext_noop("Your comment on “%(title)s” was hidden: %(reason)s"),
        {"title": comment.idea.title, "reason": reason},
        comment.idea.get_absolute_url(),
    )
    return comment


@transaction.atomic
def comment_restore(actor: Any, comment: Comment, *, reason: str) -> Comment:
    """Publish a pre-checked or hidden comment (moderators of the idea's city)."""
    require(actor, "participation.moderate_comment", comment)
    reason = _reason(reason)
    comment.hidden = False
    comment.hidden_reason = ""
    comment.published = True
    comment.save(update_fields=["hidden", "hidden_reason", "published"])
    log(
        actor,
        comment.idea.city,
        "restore_comment",
        comment=comment,
        idea=comment.idea,
        reason=reason,
    )
    return comment
