"""Following, in-portal notifications and e-mails (single or as a digest).

Every e-mail carries a one-click unsubscribe link with a signed token (and the
``List-Unsubscribe`` headers of RFC 2369 / RFC 8058).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dos.portal.participation.models import (
    Follow,
    Idea,
    Notification,
    NotificationSettings,
    Process,
)

UNSUBSCRIBE_SALT = "dos.participation.unsubscribe"
DIGEST_PERIODS = {
    NotificationSettings.DAILY: datetime.timedelta(days=1),
    NotificationSettings.WEEKLY: datetime.timedelta(days=7),
}


def portal_language() -> Any:
    """Stored texts (notifications, automatic status answers) are written in the portal's
    main language, whatever language the request or the command that caused them uses."""
    return translation.override(settings.LANGUAGE_CODE)


def unsubscribe_token(user: Any) -> str:
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(user: Any) -> str:
    path = reverse("participation:unsubscribe", kwargs={"token": unsubscribe_token(user)})
    return f"{settings.BASE_URL}{path}"


def _mode(user: Any) -> str:
    try:
        return str(user.notification_settings.email_mode)
    except NotificationSettings.DoesNotExist:
        return NotificationSettings.SINGLE


def _send(user: Any, subject: str, lines: list[str]) -> None:
    link = unsubscribe_url(user)
    with portal_language():
        footer = _("Stop these e-mails with one click: %(link)s") % {"link": link}
    body = "\n\n".join([*lines, footer])
    EmailMessage(
        subject=subject,
        body=body,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    ).send()


def notify_users(users: Iterable[Any], text: str, url: str) -> list[Notification]:
    """Notify each user once (in the portal, and by e-mail if they want single mails)."""
    created = []
    seen: set[int] = set()
    now = timezone.now()
    for user in users:
        if user is None or user.pk in seen or not user.is_active or user.deleted_at:
            continue
        seen.add(user.pk)
        notice = Notification(user=user, text=text[:400], url=url)
        if user.email and _mode(user) == NotificationSettings.SINGLE:
            _send(user, text[:150], [text, f"{settings.BASE_URL}{url}"])
            notice.emailed_at = now
        created.append(notice)
    Notification.objects.bulk_create(created)
    return created


def notify_idea(idea: Idea, text: str) -> list[Notification]:
    """Tell the author, the supporters and the followers of ``idea``."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    recipients = user_model.objects.filter(
        pk__in=[
            idea.author_id,
            *list(idea.supports.values_list("user_id", flat=True)),
            *list(Follow.objects.filter(idea=idea).values_list("user_id", flat=True)),
        ]
    ).select_related("notification_settings")
    return notify_users(recipients, text, idea.get_absolute_url())


def notify_process(idea: Idea, exclude: set[int]) -> list[Notification]:
    """Tell the followers of the idea's process that a new idea is public."""
    follows = (
        Follow.objects.filter(process=idea.process_id)
        .exclude(user_id__in=exclude)
        .select_related("user", "user__notification_settings")
    )
    with portal_language():
        text = _("New idea in “%(process)s”: %(title)s") % {
            "process": idea.process.title,
            "title": idea.title,
        }
    return notify_users([f.user for f in follows], text, idea.get_absolute_url())


def notify_project(project: Any, text: str, url: str) -> list[Notification]:
    """Tell the followers of a strategy project (e.g. an idea became part of it)."""
    follows = Follow.objects.filter(project=project).select_related(
        "user", "user__notification_settings"
    )
    return notify_users([f.user for f in follows], text, url)


def notify_moderators(city: Any, text: str, url: str) -> list[Notification]:
    """Tell the moderators and city admins of ``city`` that something waits for them."""
    from django.contrib.auth import get_user_model

    from dos.portal.accounts.roles import CITY_ADMIN, MODERATOR

    staff = (
        get_user_model()
        .objects.filter(memberships__city=city, memberships__role__in=[MODERATOR, CITY_ADMIN])
        .distinct()
        .select_related("notification_settings")
    )
    return notify_users(staff, text, url)


def follow_set(
    actor: Any,
    *,
    idea: Idea | None = None,
    process: Process | None = None,
    project: Any = None,
    following: bool,
) -> bool:
    """Follow or stop following an idea, a process or a project (anyone signed in)."""
    if not getattr(actor, "is_authenticated", False) or not getattr(actor, "pk", None):
        raise PermissionDenied(_("Please sign in to follow."))
    targets = {
        name: value
        for name, value in (("idea", idea), ("process", process), ("project", project))
        if value is not None
    }
    if len(targets) != 1:
        raise ValidationError(_("Follow either an idea, a process or a project."))
    target = targets
    if following:
        Follow.objects.get_or_create(user=actor, **target)
    else:
        Follow.objects.filter(user=actor, **target).delete()
    return following


def notifications_mark_read(actor: Any) -> int:
    """Mark all of the user's notifications as read."""
    return Notification.objects.filter(user=actor, read_at=None).update(read_at=timezone.now())


def notification_settings_update(actor: Any, email_mode: str) -> NotificationSettings:
    """Choose how notifications come by e-mail (the user themself)."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Please sign in."))
    if email_mode not in dict(NotificationSettings.MODES):
        raise ValidationError({"email_mode": _("Unknown choice.")})
    prefs, _created = NotificationSettings.objects.update_or_create(
        user=actor, defaults={"email_mode": email_mode}
    )
    return prefs


def unsubscribe(token: str) -> Any:
    """Stop all participation e-mails for the user a signed link was made for."""
    from django.contrib.auth import get_user_model

    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise ValidationError(_("This unsubscribe link is not valid.")) from None
    user = get_user_model().objects.filter(pk=data.get("u")).first()
    if user is None:
        raise ValidationError(_("This unsubscribe link is not valid."))
    NotificationSettings.objects.update_or_create(
        user=user, defaults={"email_mode": NotificationSettings.NEVER}
    )
    return user


def digests_send(now: datetime.datetime | None = None) -> int:
    """Send the daily and weekly digests that are due; returns the number of e-mails."""
    now = now or timezone.now()
    sent = 0
    prefs = NotificationSettings.objects.filter(email_mode__in=list(DIGEST_PERIODS)).select_related(
        "user"
    )
    for pref in prefs:
        due = (
            pref.last_digest_at is None
            or pref.last_digest_at + DIGEST_PERIODS[pref.email_mode] <= now
        )
        user = pref.user
        if not due or not user.email or not user.is_active:
            continue
        with transaction.atomic():
            pending = list(
                Notification.objects.filter(user=user, emailed_at=None, read_at=None).order_by(
                    "created_at"
                )
            )
            if pending:
                with portal_language():
                    lines = [f"• {n.text}\n  {settings.BASE_URL}{n.url}" for n in pending]
                    _send(user, _("Your participation news"), lines)
                Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=now)
                sent += 1
            pref.last_digest_at = now
            pref.save(update_fields=["last_digest_at"])
    return sent
