"""The only code that changes venues, events and registrations.

Every function checks its permission first. Registering and cancelling one's own registration
needs only a signed-in, active account (every citizen); organisers (editors and city admins of
the event's city) hold ``events.*`` permissions for the rest.
"""

from __future__ import annotations

import csv
import io
import logging
from datetime import datetime, time, timedelta
from typing import Any

import nh3
from dateutil import rrule
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dos.portal.accounts.permissions import SystemActor, has_perm, require
from dos.portal.events import mails
from dos.portal.events.models import Event, EventSeries, Registration, Venue
from dos.portal.events.tokens import registration_for_token

log = logging.getLogger(__name__)

#: Tags kept in event descriptions; no images (tracking pixels), no scripts, no styles.
ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "h3", "h4", "blockquote"}
)


def sanitise(html: str) -> str:
    """Event description HTML reduced to a small safe set of tags."""
    return nh3.clean(
        html or "",
        tags=set(ALLOWED_TAGS),
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    ).strip()


def _require_citizen(actor: Any) -> None:
    """Registering needs a signed-in, active account (the citizen role every user holds)."""
    if isinstance(actor, SystemActor):
        raise PermissionDenied("the system cannot register for events")
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied("sign in to register for events")


# --- venues and events -----------------------------------------------------------------


@transaction.atomic
def venue_save(actor: Any, venue: Venue) -> Venue:
    """Create or change a venue (``events.add_venue`` / ``events.change_venue`` in its city)."""
    require(actor, "events.change_venue" if venue.pk else "events.add_venue", venue)
    venue.full_clean()
    venue.save()
    return venue


@transaction.atomic
def event_save(actor: Any, event: Event) -> Event:
    """Create or change an event (``events.add_event`` / ``events.change_event``).

    The description (German and English) is sanitised. Raising the capacity gives the new seats to the waiting
    list at once (each promoted person gets a mail).
    """
    if event.pk:
        stored = Event.objects.select_for_update().get(pk=event.pk)
        require(actor, "events.change_event", stored)  # may not move it out of a foreign city
    require(actor, "events.change_event" if event.pk else "events.add_event", event)
    event.description = sanitise(event.description)
    event.description_en = sanitise(event.description_en)
    event.full_clean()
    event.save()
    if event.pk:
        _fill_seats(event)
    return event


@transaction.atomic
def event_publish(actor: Any, event: Event, *, published: bool = True) -> Event:
    """Publish an event (or take it back to draft); ``events.change_event``."""
    require(actor, "events.change_event", event)
    event.status = Event.Status.PUBLISHED if published else Event.Status.DRAFT
    event.save(update_fields=["status", "updated_at"])
    return event


@transaction.atomic
def event_delete(actor: Any, event: Event) -> None:
    """Delete an event without registrations; one with registrations must be kept for the
    record (``events.delete_event``)."""
    require(actor, "events.delete_event", event)
    if event.registrations.active().exists():
        raise ValidationError(_("People are registered for this event; it cannot be deleted."))
    event.delete()


@transaction.atomic
def series_generate(actor: Any, first: Event, series: EventSeries) -> list[Event]:
    """Make ``first`` the first date of ``series`` and create (or update) the other dates.

    Dates repeat in local wall-clock time (Europe/Berlin), so a 18:00 evening stays at 18:00
    across the change to and from summer time. Each date is an event of its own, with its own
    registrations; running it again updates the dates instead of duplicating them.
    """
    require(actor, "events.add_event", first)
    series.full_clean()
    series.save()
    first.series = series
    event_save(actor, first)
    zone = timezone.get_current_timezone()
    start_local = timezone.localtime(first.starts_at, zone).replace(tzinfo=None)
    end_local = timezone.localtime(first.ends_at, zone).replace(tzinfo=None)
    duration = end_local - start_local
    rule = rrule.rrule(
        rrule.WEEKLY if series.frequency == EventSeries.Frequency.WEEKLY else rrule.MONTHLY,
        dtstart=start_local,
        interval=series.interval,
        count=series.count,
        until=datetime.combine(series.until, time.max) if series.until else None,
    )
    events = [first]
    for occurrence in list(rule)[1:]:
        slug = f"{first.slug}-{occurrence:%Y-%m-%d}"[:120]
        event = Event.objects.filter(slug=slug).first() or Event(slug=slug)
        for field in (
            "city",
            "title",
            "summary",
            "description",
            "title_en",
            "summary_en",
            "description_en",
            "venue",
            "online_url",
            "organiser",
            "registration_required",
            "capacity",
            "waiting_list_limit",
            "status",
        ):
            setattr(event, field, getattr(first, field))
        event.series = series
        event.starts_at = timezone.make_aware(occurrence, zone)
        event.ends_at = timezone.make_aware(occurrence + duration, zone)
        event_save(actor, event)
        event.action_fields.set(first.action_fields.all())
        event.projects.set(first.projects.all())
        events.append(event)
    return events


# --- registrations ------------------------------------------------------------------------


@transaction.atomic
def registration_create(actor: Any, event: Event) -> Registration:
    """Register ``actor`` for ``event``: a seat while there is one, else a waiting-list place.

    Refused (``ValidationError``, nothing changed) for a draft, an event without registration,
    an event that has started, a second registration, or a full event whose waiting list is
    full (or that has none). Sends a confirmation or waiting-list mail with a cancel link.
    """
    _require_citizen(actor)
    event = Event.objects.select_for_update().get(pk=event.pk)
    if not event.is_published:
        raise ValidationError(_("This event is not open for registration."))
    if not event.registration_required:
        raise ValidationError(_("This event needs no registration – just come along."))
    if event.has_started:
        raise ValidationError(_("This event has already started; registration is closed."))
    registration = Registration.objects.filter(event=event, user=actor).first()
    if registration is not None and registration.status != Registration.Status.CANCELLED:
        if registration.status == Registration.Status.WAITING:
            raise ValidationError(_("You are already on the waiting list for this event."))
        raise ValidationError(_("You are already registered for this event."))
    registrations = event.registrations
    now = timezone.now()
    if event.capacity is None or registrations.confirmed().count() < event.capacity:
        status = Registration.Status.CONFIRMED
    elif registrations.waiting().count() < event.waiting_list_limit:
        status = Registration.Status.WAITING
    elif event.waiting_list_limit:
        raise ValidationError(_("This event is fully booked and its waiting list is full."))
    else:
        raise ValidationError(_("This event is fully booked."))
    registration = registration or Registration(event=event, user=actor)
    registration.status = status
    registration.created_at = now
    registration.confirmed_at = now if status == Registration.Status.CONFIRMED else None
    registration.waiting_since = now if status == Registration.Status.WAITING else None
    registration.cancelled_at = None
    registration.reminded_at = None
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError:
        raise ValidationError(_("You are already registered for this event.")) from None
    mails.send_on_commit(
        "confirmed" if status == Registration.Status.CONFIRMED else "waiting", registration
    )
    return registration


@transaction.atomic
def registration_cancel(
    actor: Any, registration: Registration, *, notify: bool = True
) -> Registration:
    """Cancel a registration: its owner, or an organiser (``events.change_registration``).

    A freed seat goes to the first person on the waiting list, who is told by mail; the
    owner gets a confirmation unless ``notify`` is false (account deletion).
    """
    own = getattr(actor, "pk", None) is not None and actor.pk == registration.user_id
    if not own:
        require(actor, "events.change_registration", registration.event)
    return _cancel(registration, notify=notify)


@transaction.atomic
def registration_cancel_by_token(token: str) -> Registration:
    """Cancel through the signed link of the confirmation mail (valid until the event starts).

    Raises :class:`dos.portal.events.tokens.InvalidCancelLink` for a bad or expired link.
    """
    return _cancel(registration_for_token(token))


def _cancel(registration: Registration, *, notify: bool = True) -> Registration:
    event = Event.objects.select_for_update().get(pk=registration.event_id)
    registration = Registration.objects.select_related("user").get(pk=registration.pk)
    registration.event = event
    if registration.status == Registration.Status.CANCELLED:
        raise ValidationError(_("This registration has already been cancelled."))
    if event.has_started:
        raise ValidationError(_("The event has already started; it can no longer be cancelled."))
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    if notify:
        mails.send_on_commit("cancelled", registration)
    _fill_seats(event)
    return registration


def _fill_seats(event: Event) -> list[Registration]:
    """Move people from the waiting list to free seats, first come first served."""
    if not event.registration_required or event.has_started:
        return []
    promoted = []
    confirmed = event.registrations.confirmed().count()
    for registration in event.registrations.waiting().select_related("user"):
        if event.capacity is not None and confirmed >= event.capacity:
            break
        registration.status = Registration.Status.CONFIRMED
        registration.confirmed_at = timezone.now()
        registration.save(update_fields=["status", "confirmed_at"])
        registration.event = event
        mails.send_on_commit("promoted", registration)
        promoted.append(registration)
        confirmed += 1
    return promoted


def registrations_remind(actor: Any, *, now: datetime | None = None) -> int:
    """Send the reminder mail to everyone with a seat at an event starting tomorrow (local
    date). Each registration is reminded once: a second run sends nothing again. Returns the
    number of mails sent. Permission ``events.change_registration`` region-wide (the CLI)."""
    require(actor, "events.change_registration", None)
    now = now or timezone.now()
    zone = timezone.get_current_timezone()
    tomorrow = timezone.localtime(now, zone).date() + timedelta(days=1)
    start = timezone.make_aware(datetime.combine(tomorrow, time.min), zone)
    end = timezone.make_aware(datetime.combine(tomorrow + timedelta(days=1), time.min), zone)
    due = Registration.objects.confirmed().filter(
        reminded_at=None,
        event__status=Event.Status.PUBLISHED,
        event__starts_at__gte=start,
        event__starts_at__lt=end,
    )
    sent = 0
    for registration in due.select_related("event", "event__city", "event__venue", "user"):
        # Claim the row first: a second run (or a parallel one) finds nothing to claim.
        claimed = Registration.objects.filter(pk=registration.pk, reminded_at=None).update(
            reminded_at=now
        )
        if not claimed:
            continue
        try:
            delivered = mails.send("reminder", registration)
        except Exception:
            # Give it back so that the next run tries again.
            Registration.objects.filter(pk=registration.pk).update(reminded_at=None)
            log.exception("reminder for registration %s not sent", registration.pk)
            continue
        sent += int(delivered)
    return sent


# --- organisers' view ---------------------------------------------------------------------


def attendees(actor: Any, event: Event) -> QuerySet[Registration]:
    """The event's registrations (seats first, then the waiting list in order); organisers of
    the event's city only (``events.view_registration``)."""
    require(actor, "events.view_registration", event)
    return (
        event.registrations.active()
        .select_related("user")
        .order_by("status", "waiting_since", "created_at", "pk")
    )


def attendees_csv(actor: Any, event: Event) -> str:
    """The attendee list as CSV (semicolon-separated, as German spreadsheets expect)."""
    rows = attendees(actor, event)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([_("Status"), _("Public name"), _("E-mail"), _("Registered at")])
    for registration in rows:
        writer.writerow(
            [
                registration.get_status_display(),
                _spreadsheet_safe(registration.user.display_name),
                registration.user.email or "",
                timezone.localtime(registration.created_at).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    return out.getvalue()


def _spreadsheet_safe(text: str) -> str:
    """Pseudonyms are chosen by users: one starting like a formula (``=HYPERLINK(…)``) must
    not run as one when the organiser opens the file in a spreadsheet (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def can_manage(user: Any, event: Event) -> bool:
    """Whether ``user`` organises ``event`` (sees attendees, edits it)."""
    return has_perm(user, "events.view_registration", event)
