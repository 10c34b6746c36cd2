"""``{% upcoming_events %}``: the next events of the current city (or the region) for home pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Q

from dos.portal.events.models import Event

register = template.Library()


@register.inclusion_tag("events/includes/upcoming.html", takes_context=True)
def upcoming_events(context: dict[str, Any], limit: int = 3) -> dict[str, Any]:
    from dos.portal.events.views import listed

    city = context.get("city")
    events = Event.objects.upcoming()
    if city is not None:
        events = events.filter(Q(city=city) | Q(city=None))
    return {
        "events": list(listed(events)[:limit]),
        "list_url": f"/{city.slug}/veranstaltungen/" if city else "/veranstaltungen/",
    }
