"""Writing and editing comments."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dos.portal.accounts.permissions import has_perm
from dos.portal.participation import phases
from dos.portal.participation.actions.notify import notify_users, portal_language
from dos.portal.participation.content import plain_text
from dos.portal.participation.models import CityRules, Comment, Idea
from dos.portal.participation.permissions import require_participant

BODY_MAX = 3000


def _body(body: str) -> str:
    body = plain_text(body or "")
    if not body:
        raise ValidationError({"body": _("The comment is empty.")})
    if len(body) > BODY_MAX:
        raise ValidationError(
            {"body": _("A comment can have at most %(n)d characters.") % {"n": BODY_MAX}}
        )
    return body


@transaction.atomic
def comment_create(
    actor: Any, idea: Idea, *, body: str, parent: Comment | None = None, official: bool = False
) -> Comment:
    """Comment on a public idea, or reply to a comment (verified users, in a phase that
    allows comments). Moderators of the city may mark their comment as an official answer.
    The idea's followers are notified once the comment is public."""
    require_participant(actor)
    if not idea.is_public:
        raise PermissionDenied(_("This idea is not public."))
    if not idea.process.allows(phases.COMMENT):
        raise ValidationError(_("Comments are closed in this phase."), code="phase")
    body = _body(body)
    if parent is not None and parent.idea_id != idea.pk:
        raise ValidationError({"parent": _("The reply belongs to another idea.")})
    if official and not has_perm(actor, "participation.answer_idea", idea):
        raise PermissionDenied(_("Only the city's moderators give official answers."))
    staff = has_perm(actor, "participation.moderate_comment", idea)
    published = staff or not CityRules.for_city(idea.city).precheck_comments
    comment = Comment.objects.create(
        idea=idea, parent=parent, author=actor, body=body, official=official, published=published
    )
    if not published:
        from dos.portal.participation.actions.notify import notify_moderators

        with portal_language():
            text = _("New comment waits for the pre-check on “%(title)s”") % {"title": idea.title}
        notify_moderators(idea.city, text, f"{idea.get_absolute_url()}#comment-{comment.pk}")
    if published:
        from dos.portal.participation.models import Follow

        followers = Follow.objects.filter(idea=idea).exclude(user=actor).select_related("user")
        with portal_language():
            text = _("New comment on “%(title)s”") % {"title": idea.title}
        notify_users(
            [f.user for f in followers], text, f"{idea.get_absolute_url()}#comment-{comment.pk}"
        )
    return comment


@transaction.atomic
def comment_edit(actor: Any, comment: Comment, *, body: str) -> Comment:
    """Edit one's own comment within 15 minutes of writing it."""
    require_participant(actor)
    if comment.author_id != actor.pk:
        raise PermissionDenied(_("Only the author can edit a comment."))
    if not comment.is_editable():
        raise ValidationError(_("A comment can only be edited for 15 minutes."), code="late")
    comment.body = _body(body)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    return comment
