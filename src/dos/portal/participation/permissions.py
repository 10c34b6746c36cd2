"""Named permissions of the participation app.

Citizens hold no stored role: what they may do is decided by :func:`require_participant`
(a verified e-mail address) and by the current phase (:mod:`phases`). The roles below are
for the city's staff; a role held in a city covers ideas and comments of that city.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from dos.portal.accounts.permissions import SystemActor
from dos.portal.accounts.roles import CITY_ADMIN, EDITOR, MODERATOR

STAFF = {MODERATOR, EDITOR, CITY_ADMIN}

PERMISSIONS = {
    # Processes and phases: editors set them up.
    "participation.view_process": STAFF,
    "participation.add_process": {EDITOR, CITY_ADMIN},
    "participation.change_process": {EDITOR, CITY_ADMIN},
    "participation.delete_process": {CITY_ADMIN},
    "participation.view_phase": STAFF,
    "participation.add_phase": {EDITOR, CITY_ADMIN},
    "participation.change_phase": {EDITOR, CITY_ADMIN},
    "participation.delete_phase": {CITY_ADMIN},
    # Per-city rules (pre-check, support threshold): city admins.
    "participation.view_cityrules": STAFF,
    "participation.add_cityrules": {CITY_ADMIN},
    "participation.change_cityrules": {CITY_ADMIN},
    "participation.delete_cityrules": {CITY_ADMIN},
    "participation.view_district": STAFF,
    "participation.add_district": {CITY_ADMIN},
    "participation.change_district": {CITY_ADMIN},
    "participation.delete_district": {CITY_ADMIN},
    # Moderation of ideas and comments of the city.
    "participation.view_idea": STAFF,
    "participation.change_idea": {MODERATOR, CITY_ADMIN},
    "participation.delete_idea": {CITY_ADMIN},
    "participation.moderate_idea": {MODERATOR, CITY_ADMIN},
    "participation.answer_idea": {MODERATOR, EDITOR, CITY_ADMIN},
    "participation.add_papersignature": {MODERATOR, CITY_ADMIN},
    "participation.moderate_comment": {MODERATOR, CITY_ADMIN},
    "participation.view_report": {MODERATOR, CITY_ADMIN},
    "participation.view_moderationlogentry": {MODERATOR, CITY_ADMIN},
    # Surveys: editors.
    "participation.view_survey": STAFF,
    "participation.add_survey": {EDITOR, CITY_ADMIN},
    "participation.change_survey": {EDITOR, CITY_ADMIN},
    "participation.delete_survey": {CITY_ADMIN},
    "participation.export_survey": {EDITOR, CITY_ADMIN},
}


def is_verified(user: Any) -> bool:
    """Whether ``user`` is signed in with a verified e-mail address (allauth)."""
    if isinstance(user, SystemActor):
        return True
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    cached: bool | None = getattr(user, "_dos_verified", None)
    if cached is None:
        from allauth.account.models import EmailAddress

        cached = EmailAddress.objects.filter(user=user, verified=True).exists()
        user._dos_verified = cached
    return cached


def require_participant(user: Any) -> None:
    """Submitting, supporting and commenting need a verified account."""
    if not is_verified(user):
        raise PermissionDenied(_("Please sign in with a verified e-mail address to take part."))
