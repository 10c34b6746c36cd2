"""Public event pages, registration and cancelling, the organisers' attendee list, calendars.

Event routes exist for the region (``/veranstaltungen/…``) and per city
(``/<city>/veranstaltungen/…``); ``request.city`` tells them apart.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dos.portal.events import actions, ical, mails
from dos.portal.events.forms import EventFilterForm
from dos.portal.events.models import Event, Registration, Venue
from dos.portal.events.tokens import InvalidCancelLink, registration_for_token
from dos.portal.strategy.models import ActionField

PAGE_SIZE = 20


def listed(events: QuerySet[Event]) -> QuerySet[Event]:
    """Events with what list pages show, in a fixed number of queries."""
    return events.select_related("city", "venue", "venue__city").annotate(
        seats_taken=Count("registrations", filter=Q(registrations__status="confirmed"))
    )


def _event(request: HttpRequest, slug: str, *, any_city: bool = False) -> Event:
    """The event of this URL, visible to the public once published and to its organisers.

    The event must belong to the URL's city (or to the region on a region URL) unless
    ``any_city`` (the detail page then redirects to the right address).
    """
    event = get_object_or_404(
        Event.objects.select_related("city", "venue", "venue__city", "series"), slug=slug
    )
    city = getattr(request, "city", None)
    if (city.pk if city else None) != event.city_id and not any_city:
        raise Http404("event of another city")
    if not event.is_published and not actions.can_manage(request.user, event):
        raise Http404("event not published")
    return event


@require_safe
def event_list(request: HttpRequest, city: str | None = None) -> HttpResponse:
    form = EventFilterForm(request.GET or None, city=request.city)
    events = form.filter(Event.objects.upcoming())
    page = Paginator(listed(events).prefetch_related("action_fields"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    feed_url = f"{request.path}kalender.ics"
    return render(
        request,
        "events/list.html",
        {"form": form, "page": page, "feed_url": feed_url, "query": _query_without_page(request)},
    )


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@require_safe
def event_detail(request: HttpRequest, slug: str, city: str | None = None) -> HttpResponse:
    event = _event(request, slug, any_city=True)
    if event.get_absolute_url() != request.path:
        return redirect(event.get_absolute_url())
    registration = None
    if request.user.is_authenticated:
        registration = event.registrations.filter(user=request.user).first()
    confirmed = event.registrations.confirmed().count()
    can_manage = actions.can_manage(request.user, event)
    waiting_position = None
    if registration and registration.status == Registration.Status.WAITING:
        waiting_position = mails.waiting_position(registration)
    context: dict[str, Any] = {
        "event": event,
        "registration": registration,
        "waiting_position": waiting_position,
        "seats_taken": confirmed,
        "seats_left": None if event.capacity is None else max(event.capacity - confirmed, 0),
        "waiting_count": event.registrations.waiting().count(),
        "can_manage": can_manage,
        # With registration, the online link is for confirmed attendees (and organisers).
        "show_online_link": not event.registration_required
        or can_manage
        or (registration is not None and registration.status == Registration.Status.CONFIRMED),
        "action_fields": event.action_fields.all(),
        "projects": event.projects.all(),
        "now": timezone.now(),
    }
    return render(request, "events/detail.html", context)


@require_POST
def event_register(request: HttpRequest, slug: str, city: str | None = None) -> HttpResponse:
    event = _event(request, slug)
    if not request.user.is_authenticated:
        return redirect_to_login(event.get_absolute_url())
    try:
        registration = actions.registration_create(request.user, event)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if registration.status == Registration.Status.CONFIRMED:
            messages.success(
                request, _("You are registered. We have sent you a confirmation by e-mail.")
            )
        else:
            messages.info(
                request,
                _(
                    "The event is fully booked: you are on the waiting list. We will write to "
                    "you as soon as a seat is free."
                ),
            )
    return redirect(event.get_absolute_url())


@require_POST
def event_cancel(request: HttpRequest, slug: str, city: str | None = None) -> HttpResponse:
    event = _event(request, slug)
    if not request.user.is_authenticated:
        return redirect_to_login(event.get_absolute_url())
    registration = event.registrations.filter(user=request.user).first()
    if registration is None:
        messages.error(request, _("You are not registered for this event."))
        return redirect(event.get_absolute_url())
    try:
        actions.registration_cancel(request.user, registration)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your registration has been cancelled."))
    return redirect(event.get_absolute_url())


@require_http_methods(["GET", "POST"])
def cancel_link(request: HttpRequest, token: str) -> HttpResponse:
    """The cancel link of the mails: GET asks for confirmation (mail scanners follow links),
    POST cancels."""
    try:
        registration = registration_for_token(token)
    except InvalidCancelLink as exc:
        reason = (
            _("The event has already started, so this cancel link is no longer valid.")
            if str(exc) == "expired"
            else _("This cancel link is not valid. Please use the link from your latest e-mail.")
        )
        return render(request, "events/cancel_link.html", {"error": reason}, status=410)
    if request.method == "POST":
        try:
            actions.registration_cancel_by_token(token)
        except (ValidationError, InvalidCancelLink) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Your registration has been cancelled."))
        return redirect(registration.event.get_absolute_url())
    return render(request, "events/cancel_link.html", {"registration": registration})


@require_safe
def attendee_list(request: HttpRequest, slug: str, city: str | None = None) -> HttpResponse:
    event = _event(request, slug)
    rows = list(actions.attendees(request.user, event))
    return render(
        request,
        "events/attendees.html",
        {
            "event": event,
            "confirmed": [r for r in rows if r.status == Registration.Status.CONFIRMED],
            "waiting": [r for r in rows if r.status == Registration.Status.WAITING],
        },
    )


@require_safe
def attendee_csv(request: HttpRequest, slug: str, city: str | None = None) -> HttpResponse:
    event = _event(request, slug)
    body = actions.attendees_csv(request.user, event)
    response = HttpResponse("\ufeff" + body, content_type="text/csv; charset=utf-8")
    name = slugify(event.slug)
    response["Content-Disposition"] = f'attachment; filename="teilnehmende-{name}.csv"'
    return response


@require_safe
def venue_detail(request: HttpRequest, city: str, slug: str) -> HttpResponse:
    venue = get_object_or_404(Venue.objects.select_related("city"), slug=slug, city__slug=city)
    events = listed(Event.objects.upcoming().filter(venue=venue)).prefetch_related("action_fields")[
        :50
    ]
    return render(request, "events/venue.html", {"venue": venue, "events": events})


# --- calendars ---------------------------------------------------------------------------

FEED_PAST_DAYS = 90


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _feed_events(events: QuerySet[Event]) -> QuerySet[Event]:
    since = timezone.now() - timedelta(days=FEED_PAST_DAYS)
    return (
        events.published()
        .filter(ends_at__gte=since)
        .select_related("city", "venue")
        .prefetch_related("action_fields")
        .order_by("starts_at")[:500]
    )


@require_safe
def event_ics(request: HttpRequest, slug: str, city: str | None = None) -> HttpResponse:
    event = _event(request, slug)
    return _ics(ical.calendar([event], name=event.text("title")), f"{event.slug}.ics")


@require_safe
def feed(request: HttpRequest, city: str | None = None) -> HttpResponse:
    """All events of a city (and the region-wide ones), or of the whole region."""
    place = request.city
    events = Event.objects.all()
    if place is not None:
        events = events.filter(Q(city=place) | Q(city=None))
    name = _("Events in %(place)s") % {"place": place.name if place else _("the region")}
    return _ics(ical.calendar(_feed_events(events), name=name), "veranstaltungen.ics")


@require_safe
def venue_feed(request: HttpRequest, city: str, slug: str) -> HttpResponse:
    venue = get_object_or_404(Venue, slug=slug, city__slug=city)
    events = _feed_events(Event.objects.filter(venue=venue))
    name = _("Events at %(venue)s") % {"venue": venue.text("name")}
    return _ics(ical.calendar(events, name=name), f"{venue.slug}.ics")


@require_safe
def action_field_feed(request: HttpRequest, slug: str) -> HttpResponse:
    field = get_object_or_404(ActionField, slug=slug)
    events = _feed_events(Event.objects.filter(action_fields=field))
    name = _("Events: %(field)s") % {"field": field.text("name")}
    return _ics(ical.calendar(events, name=name), f"{field.slug}.ics")
