"""Named permissions of the events app (see dos.portal.accounts.permissions).

Registering and cancelling one's own registration needs no role: every signed-in, active user
(a citizen) may do it; :mod:`dos.portal.events.actions` checks that. What is listed here is what
editors and city admins do for their city's events.
"""

from dos.portal.accounts.roles import CITY_ADMIN, EDITOR

_ORGANISERS = {EDITOR, CITY_ADMIN}

PERMISSIONS = {
    "events.view_venue": _ORGANISERS,
    "events.add_venue": _ORGANISERS,
    "events.change_venue": _ORGANISERS,
    "events.delete_venue": {CITY_ADMIN},
    "events.view_event": _ORGANISERS,
    "events.add_event": _ORGANISERS,
    "events.change_event": _ORGANISERS,
    "events.delete_event": _ORGANISERS,
    "events.view_eventseries": _ORGANISERS,
    "events.add_eventseries": _ORGANISERS,
    "events.change_eventseries": _ORGANISERS,
    "events.delete_eventseries": _ORGANISERS,
    # Attendee lists hold personal data: organisers of the event's city only.
    "events.view_registration": _ORGANISERS,
    "events.add_registration": set(),
    "events.change_registration": _ORGANISERS,
    "events.delete_registration": set(),
}
