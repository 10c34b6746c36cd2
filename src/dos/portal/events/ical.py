"""iCalendar (RFC 5545) files for one event and subscribable feeds.

Times are written with a ``TZID`` of the portal's time zone and the matching ``VTIMEZONE``
(RFC 5545 §3.6.5), so calendar apps keep the local wall-clock time across summer time; the
``UID`` is stable per event (§3.8.4.7) and ``DTSTAMP`` is the last change (§3.8.7.2).
Text escaping (§3.3.11) and line folding (§3.1) are done by the ``icalendar`` library.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.html import strip_tags

from dos.portal.events.models import Event

PRODID = "-//DOS Digital Operating System//Events//DE"


def _host() -> str:
    return urlsplit(settings.BASE_URL).hostname or "dos.localhost"


def event_uid(event: Event) -> str:
    """A globally unique, stable identifier of the event (RFC 5545 §3.8.4.7)."""
    return f"event-{event.pk}@{_host()}"


def _component(event: Event) -> icalendar.Event:
    zone = timezone.get_current_timezone()
    item = icalendar.Event()
    item.add("uid", event_uid(event))
    item.add("dtstamp", event.updated_at.astimezone(UTC))
    item.add("last-modified", event.updated_at.astimezone(UTC))
    item.add("created", event.created_at.astimezone(UTC))
    item.add("dtstart", timezone.localtime(event.starts_at, zone))
    item.add("dtend", timezone.localtime(event.ends_at, zone))
    item.add("summary", event.text("title"))
    text = "\n\n".join(
        part
        for part in (event.text("summary"), strip_tags(event.text("description")).strip())
        if part
    )
    if text:
        item.add("description", text)
    url = f"{settings.BASE_URL}{event.get_absolute_url()}"
    item.add("url", url)
    if event.venue_id:
        venue = event.venue
        item.add("location", f"{venue.text('name')}, {venue.address}")
        item.add("geo", (venue.latitude, venue.longitude))
    elif event.online_url:
        # With registration the link is for confirmed attendees only (no uninvited guests).
        item.add("location", event.online_url if not event.registration_required else "Online")
    categories = [field.text("name") for field in event.action_fields.all()]
    if categories:
        item.add("categories", categories)
    item.add("status", "CONFIRMED")
    item.add("x-dos-organiser", event.organiser)
    return item


def calendar(events: Iterable[Event], *, name: str) -> bytes:
    """A VCALENDAR with one VEVENT per event (prefetch ``venue`` and ``action_fields``)."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for event in events:
        cal.add_component(_component(event))
    cal.add_missing_timezones()
    return cal.to_ical()
