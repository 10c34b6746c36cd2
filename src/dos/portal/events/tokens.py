"""Signed cancel links: valid for one registration until its event starts.

The token carries the registration and its user; the expiry is the event's *current* start,
read from the database when the link is used, so moving the event moves the expiry with it.
"""

from __future__ import annotations

from django.core import signing

from dos.portal.events.models import Registration

SALT = "dos.events.cancel"


class InvalidCancelLink(Exception):
    """The link is forged, belongs to nobody any more, or its event has started."""


def cancel_token(registration: Registration) -> str:
    """A URL-safe token that lets the holder cancel ``registration``."""
    return signing.dumps({"r": registration.pk, "u": registration.user_id}, salt=SALT)


def registration_for_token(token: str) -> Registration:
    """The registration the token names; raises :class:`InvalidCancelLink` otherwise."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise InvalidCancelLink("bad signature") from None
    registration = (
        Registration.objects.select_related("event", "event__city", "event__venue", "user")
        .filter(pk=data.get("r"), user_id=data.get("u"))
        .first()
    )
    if registration is None:
        raise InvalidCancelLink("unknown registration")
    if registration.event.has_started:
        raise InvalidCancelLink("expired")
    return registration
