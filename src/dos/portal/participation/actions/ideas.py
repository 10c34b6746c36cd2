"""Submitting, supporting and answering ideas, and the support deadline."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from dos.portal.accounts.permissions import require
from dos.portal.participation import phases
from dos.portal.participation.actions.moderation import log
from dos.portal.participation.actions.notify import (
    follow_set,
    notify_idea,
    notify_moderators,
    notify_process,
    notify_project,
    portal_language,
)
from dos.portal.participation.content import clean_image, plain_text
from dos.portal.participation.models import (
    CityRules,
    Idea,
    IdeaStatus,
    PaperSignature,
    Process,
    StatusChange,
    Support,
)
from dos.portal.participation.models.idea import ANSWER_TRANSITIONS, SUPPORTABLE
from dos.portal.participation.permissions import require_participant
from dos.portal.tenancy.models import City

TITLE_MAX = 120
DESCRIPTION_MAX = 5000


def _actor_user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _record(idea: Idea, status: str, actor: Any, answer: str = "") -> StatusChange:
    idea.status = status
    return StatusChange.objects.create(
        idea=idea, status=status, answer=answer, actor=_actor_user(actor)
    )


def _start_collecting(idea: Idea, actor: Any, answer: str, now: datetime.datetime) -> None:
    rules = CityRules.for_city(idea.city)
    idea.published = True
    idea.support_deadline = now + datetime.timedelta(weeks=rules.support_weeks)
    _record(idea, IdeaStatus.COLLECTING, actor, answer)


def _require_phase(process: Process, what: str, message: str) -> None:
    if not process.allows(what):
        raise ValidationError(message, code="phase")


@transaction.atomic
def idea_submit(
    actor: Any,
    process: Process,
    *,
    title: str,
    description: str,
    city: City | None = None,
    action_field: Any = None,
    latitude: float | None = None,
    longitude: float | None = None,
    image: Any = None,
    image_alt: str = "",
) -> Idea:
    """Submit an idea to ``process`` (a verified user, in a phase that takes ideas).

    The city's rules decide whether it is published at once (collecting supports) or waits
    for a moderator's pre-check. Followers of the process are notified once it is public.
    """
    require_participant(actor)
    _require_phase(process, phases.SUBMIT, _("This process does not take new ideas now."))
    city = city or process.city
    errors: dict[str, str] = {}
    title = plain_text(title or "")
    description = plain_text(description or "")
    if not title:
        errors["title"] = _("Please give your idea a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("The title can have at most %(n)d characters.") % {"n": TITLE_MAX}
    if not description:
        errors["description"] = _("Please describe your idea.")
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = _("The description can have at most %(n)d characters.") % {
            "n": DESCRIPTION_MAX
        }
    if city is None:
        errors["city"] = _("Please choose the city your idea is for.")
    elif process.city_id and city.pk != process.city_id:
        errors["city"] = _("This process belongs to another city.")
    if (latitude is None) != (longitude is None):
        errors["latitude"] = _("A location needs both latitude and longitude.")
    elif latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):  # type: ignore[operator]
        errors["latitude"] = _("The location is not a valid coordinate.")
    cleaned_image = None
    if image:
        try:
            cleaned_image = clean_image(image)
        except ValidationError as exc:
            errors["image"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    assert city is not None
    idea = Idea(
        process=process,
        city=city,
        author=actor,
        title=title,
        description=description,
        latitude=latitude,
        longitude=longitude,
        action_field=action_field,
        image_alt=plain_text(image_alt)[:200] or title,
    )
    if latitude is not None:
        from dos.portal.participation.geo import district_for

        idea.district = district_for(city, latitude, longitude)  # type: ignore[arg-type]
    if cleaned_image is not None:
        idea.image = cleaned_image
    idea.save()
    now = timezone.now()
    _record(idea, IdeaStatus.SUBMITTED, actor)
    if CityRules.for_city(city).precheck_ideas:
        _record(idea, IdeaStatus.PRECHECK, None)
        with portal_language():
            text = _("New idea waits for the pre-check: %(title)s") % {"title": idea.title}
        notify_moderators(city, text, idea.get_absolute_url())
    else:
        _start_collecting(idea, None, "", now)
    idea.save()
    follow_set(actor, idea=idea, following=True)
    if idea.published:
        notify_process(idea, exclude={actor.pk})
    return idea


def _recount(idea: Idea) -> None:
    paper = idea.paper_signatures.aggregate(total=Sum("count"))["total"] or 0
    idea.support_count = idea.supports.count() + paper


def _check_threshold(idea: Idea) -> bool:
    """Move the idea on when it has reached the city's threshold in time."""
    rules = CityRules.for_city(idea.city)
    if idea.status != IdeaStatus.COLLECTING or idea.support_count < rules.support_threshold:
        return False
    with portal_language():
        reached = _("The idea reached %(n)d supports.") % {"n": rules.support_threshold}
        referred = _("The idea goes to the responsible committee, which will decide on it.")
    _record(idea, IdeaStatus.THRESHOLD_REACHED, None, reached)
    _record(idea, IdeaStatus.REFERRED, None, referred)
    return True


def _referred_text(idea: Idea) -> str:
    with portal_language():
        return _("“%(title)s” has reached its supports and was referred.") % {"title": idea.title}


def _locked(idea: Idea) -> Idea:
    return Idea.objects.select_for_update().select_related("city", "process").get(pk=idea.pk)


@transaction.atomic
def idea_support(actor: Any, idea: Idea) -> Idea:
    """Support an idea: once per verified user, while it collects supports in a phase that
    allows supporting. Reaching the city's threshold refers the idea on automatically."""
    require_participant(actor)
    idea = _locked(idea)
    if not idea.is_public:
        raise PermissionDenied(_("This idea is not public."))
    _require_phase(idea.process, phases.SUPPORT_IDEA, _("Ideas cannot be supported in this phase."))
    if idea.status not in SUPPORTABLE or (
        idea.support_deadline and idea.support_deadline < timezone.now()
    ):
        raise ValidationError(_("This idea does not collect supports any more."), code="status")
    if Support.objects.filter(idea=idea, user=actor).exists():
        raise ValidationError(_("You already support this idea."), code="duplicate")
    Support.objects.create(idea=idea, user=actor)
    _recount(idea)
    moved = _check_threshold(idea)
    idea.save()
    follow_set(actor, idea=idea, following=True)
    if moved:
        notify_idea(idea, _referred_text(idea))
    return idea


@transaction.atomic
def idea_unsupport(actor: Any, idea: Idea) -> Idea:
    """Withdraw one's support while the idea still collects supports."""
    require_participant(actor)
    idea = _locked(idea)
    if idea.status not in SUPPORTABLE:
        raise ValidationError(_("This idea does not collect supports any more."), code="status")
    deleted, _n = Support.objects.filter(idea=idea, user=actor).delete()
    if not deleted:
        raise ValidationError(_("You do not support this idea."), code="missing")
    _recount(idea)
    idea.save()
    return idea


@transaction.atomic
def paper_signatures_add(actor: Any, idea: Idea, *, count: int, note: str) -> PaperSignature:
    """Add signatures collected on paper (moderators of the idea's city)."""
    require(actor, "participation.add_papersignature", idea)
    idea = _locked(idea)
    errors = {}
    if not isinstance(count, int) or not 1 <= count <= 100000:
        errors["count"] = _("Enter a number of signatures between 1 and 100000.")
    note = plain_text(note or "")
    if not note:
        errors["note"] = _("Please say where the signatures come from.")
    if idea.status not in SUPPORTABLE:
        errors["count"] = _("This idea does not collect supports any more.")
    if errors:
        raise ValidationError(errors)
    signatures = PaperSignature.objects.create(
        idea=idea, count=count, note=note[:300], added_by=_actor_user(actor)
    )
    _recount(idea)
    moved = _check_threshold(idea)
    idea.save()
    log(actor, idea.city, "paper_signatures", idea=idea, reason=f"{count}: {note}")
    if moved:
        notify_idea(idea, _referred_text(idea))
    return signatures


@transaction.atomic
def idea_answer(
    actor: Any, idea: Idea, *, status: str, answer: str, project: Any = None
) -> StatusChange:
    """Give an official answer and move the idea to ``status`` (moderators and editors of
    the idea's city). The author, the supporters and the followers are notified."""
    require(actor, "participation.answer_idea", idea)
    idea = _locked(idea)
    answer = plain_text(answer or "")
    errors = {}
    if not answer:
        errors["answer"] = _("Please write the official answer.")
    if status not in ANSWER_TRANSITIONS.get(idea.status, frozenset()):
        errors["status"] = _("An idea that is “%(now)s” cannot become “%(to)s”.") % {
            "now": idea.get_status_display(),
            "to": dict(IdeaStatus.choices).get(status, status),
        }
    if status == IdeaStatus.IMPLEMENTED and project is None and idea.project_id is None:
        errors["project"] = _("Please choose the project the idea became.")
    if errors:
        raise ValidationError(errors)
    if status == IdeaStatus.COLLECTING and idea.status != IdeaStatus.COLLECTING:
        _start_collecting(idea, actor, answer, timezone.now())
        change = idea.status_changes.latest("created_at", "pk")
        notify_process(idea, exclude={idea.author_id})
    else:
        if status == IdeaStatus.DECLINED and not idea.published:
            idea.published = True  # a declined idea stays visible with the reason
        change = _record(idea, status, actor, answer)
    newly_linked = project is not None and idea.project_id != project.pk
    if project is not None:
        idea.project = project
    idea.save()
    with portal_language():
        if newly_linked:
            notify_project(
                project,
                _("The idea “%(title)s” became part of the project “%(project)s”.")
                % {"title": idea.title, "project": project.title},
                idea.get_absolute_url(),
            )
        log(actor, idea.city, f"answer:{status}", idea=idea, reason=answer)
        notify_idea(
            idea,
            _("New status of “%(title)s”: %(status)s")
            % {
                "title": idea.title,
                "status": idea.get_status_display(),
            },
        )
    return change


def ideas_tick(now: datetime.datetime | None = None) -> dict[str, int]:
    """Close ideas whose support deadline has passed without reaching the threshold, and
    refer those that have reached it. The worker runs this regularly (``dos participation
    tick``); running it twice changes nothing more."""
    now = now or timezone.now()
    counts = {"referred": 0, "closed": 0}
    due = Idea.objects.filter(status=IdeaStatus.COLLECTING, support_deadline__lt=now)
    with portal_language():
        for pk in due.values_list("pk", flat=True):
            with transaction.atomic():
                idea = Idea.objects.select_for_update().select_related("city").get(pk=pk)
                if idea.status != IdeaStatus.COLLECTING:
                    continue
                _recount(idea)
                if _check_threshold(idea):
                    counts["referred"] += 1
                    text = _("“%(title)s” has reached its supports and was referred.")
                else:
                    rules = CityRules.for_city(idea.city)
                    _record(
                        idea,
                        IdeaStatus.CLOSED,
                        None,
                        _("The idea did not reach %(n)d supports within %(w)d weeks.")
                        % {"n": rules.support_threshold, "w": rules.support_weeks},
                    )
                    counts["closed"] += 1
                    text = _("“%(title)s” was closed: not enough supports in time.")
                idea.save()
                notify_idea(idea, text % {"title": idea.title})
    return counts
