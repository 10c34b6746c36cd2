"""Answering surveys and publishing their results."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dos.portal.accounts.permissions import require
from dos.portal.participation import phases
from dos.portal.participation.content import plain_text
from dos.portal.participation.models import (
    Answer,
    InvitationCode,
    Question,
    Survey,
    SurveyResponse,
)
from dos.portal.participation.permissions import is_verified

TEXT_MAX = 2000


def respondent_key(survey: Survey, user: Any) -> str:
    """A keyed hash that lets an anonymous survey refuse a second response from the same
    account without storing the account."""
    message = f"{survey.pk}:{user.pk}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _clean(question: Question, raw: Any) -> Any:
    """The stored value of one answer, or ValidationError naming the problem."""
    choices = question.choice_list()
    empty = raw in (None, "", []) or raw == [""]
    if empty:
        if question.required:
            raise ValidationError(_("Please answer this question."))
        return None
    if question.kind == Question.SINGLE:
        if raw not in choices:
            raise ValidationError(_("Please choose one of the given answers."))
        return raw
    if question.kind == Question.MULTIPLE:
        values = raw if isinstance(raw, list) else [raw]
        if any(v not in choices for v in values):
            raise ValidationError(_("Please choose among the given answers."))
        return values
    if question.kind == Question.TEXT:
        text = plain_text(str(raw))
        if len(text) > TEXT_MAX:
            raise ValidationError(
                _("The answer can have at most %(n)d characters.") % {"n": TEXT_MAX}
            )
        return text
    if question.kind == Question.SCALE:
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ValidationError(_("Please choose a value on the scale.")) from None
        if not 1 <= value <= question.scale_max:
            raise ValidationError(_("Please choose a value on the scale."))
        return value
    # Ranking: every choice exactly once, best first.
    values = raw if isinstance(raw, list) else [raw]
    if sorted(values) != sorted(choices):
        raise ValidationError(_("Please rank every option exactly once."))
    return values


@transaction.atomic
def survey_respond(
    actor: Any, survey: Survey, answers: dict[int, Any], *, code: str = ""
) -> SurveyResponse:
    """Answer a survey: once per verified user, or once per invitation code.

    ``answers`` maps question ids to a string, a list (multiple choice, ranking) or a number.
    An anonymous survey stores no account with the response.
    """
    if not survey.open or (survey.process and not survey.process.allows(phases.SURVEY)):
        raise ValidationError(_("This survey is closed."))
    invitation = None
    key = ""
    if code:
        invitation = (
            InvitationCode.objects.select_for_update()
            .filter(survey=survey, code=code.strip())
            .first()
        )
        if invitation is None:
            raise ValidationError({"code": _("This invitation code is not valid.")})
        if invitation.used_at is not None:
            raise ValidationError({"code": _("This invitation code has already been used.")})
    else:
        if not is_verified(actor):
            raise PermissionDenied(
                _("Please sign in with a verified e-mail address or use an invitation code.")
            )
        key = respondent_key(survey, actor)
        if SurveyResponse.objects.filter(survey=survey, respondent_key=key).exists():
            raise ValidationError(_("You have already answered this survey."))
    errors: dict[str, str] = {}
    values: dict[Question, Any] = {}
    for question in survey.questions.all():
        try:
            values[question] = _clean(question, answers.get(question.pk))
        except ValidationError as exc:
            errors[f"q{question.pk}"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    response = SurveyResponse.objects.create(
        survey=survey,
        user=None if survey.anonymous or invitation else actor,
        respondent_key=key,
        code=invitation,
    )
    Answer.objects.bulk_create(
        Answer(response=response, question=q, value=v) for q, v in values.items() if v is not None
    )
    if invitation is not None:
        invitation.used_at = timezone.now()
        invitation.save(update_fields=["used_at"])
    return response


@transaction.atomic
def survey_publish_results(actor: Any, survey: Survey, *, published: bool = True) -> Survey:
    """Publish (or withdraw) a survey's results page (editors of its city)."""
    require(actor, "participation.change_survey", survey)
    survey.results_published = published
    survey.save(update_fields=["results_published"])
    return survey
