"""Event registrations in the account's data export and deletion."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from dos.portal.events.models import Registration


def export(user: Any) -> dict[str, Any]:
    rows = Registration.objects.filter(user=user).select_related("event").order_by("created_at")
    return {
        "registrations": [
            {
                "event": r.event.title,
                "event_url": r.event.get_absolute_url(),
                "starts_at": r.event.starts_at.isoformat(),
                "status": r.status,
                "registered_at": r.created_at.isoformat(),
                "cancelled_at": r.cancelled_at.isoformat() if r.cancelled_at else None,
                "reminded_at": r.reminded_at.isoformat() if r.reminded_at else None,
            }
            for r in rows
        ]
    }


def erase(user: Any) -> None:
    """Free the user's seats at future events (the waiting list moves up), then delete every
    registration of theirs."""
    from dos.portal.events.actions import registration_cancel

    future = Registration.objects.active().filter(user=user, event__starts_at__gt=timezone.now())
    for registration in future:
        registration_cancel(user, registration, notify=False)
    Registration.objects.filter(user=user).delete()
