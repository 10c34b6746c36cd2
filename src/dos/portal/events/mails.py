"""The e-mails of the events app: confirmation, waiting list, promotion, reminder.

Mails are rendered in the portal's default language (German) from text templates and sent
only after the transaction that caused them has committed, so a rolled-back registration never
produces a mail.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from dos.portal.events.models import Registration
from dos.portal.events.tokens import cancel_token

KINDS = ("confirmed", "waiting", "promoted", "reminder", "cancelled")


def cancel_url(registration: Registration) -> str:
    path = reverse("events:cancel_link", args=[cancel_token(registration)])
    return f"{settings.BASE_URL}{path}"


def waiting_position(registration: Registration) -> int | None:
    """1 for the first on the waiting list; ``None`` when not (or no longer) waiting."""
    ids = list(registration.event.registrations.waiting().values_list("pk", flat=True))
    return ids.index(registration.pk) + 1 if registration.pk in ids else None


def render(kind: str, registration: Registration) -> tuple[str, str]:
    """(subject, body) of a mail of ``kind`` about ``registration``."""
    if kind not in KINDS:
        raise ValueError(f"unknown mail kind {kind}")
    event = registration.event
    context = {
        "registration": registration,
        "event": event,
        "event_url": f"{settings.BASE_URL}{event.get_absolute_url()}",
        "cancel_url": cancel_url(registration) if kind != "cancelled" else "",
        "position": waiting_position(registration) if kind == "waiting" else None,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"events/mail/{kind}_subject.txt", context).strip()
        body = render_to_string(f"events/mail/{kind}.txt", context)
    return " ".join(subject.split()), body


def send(kind: str, registration: Registration) -> bool:
    """Send the mail now (the caller handles transactions); false for a user without address."""
    if not registration.user.email:
        return False
    subject, body = render(kind, registration)
    send_mail(subject, body, None, [registration.user.email])
    return True


def send_on_commit(kind: str, registration: Registration) -> None:
    """Send the mail once the current transaction has committed.

    ``robust``: a failing mail server is logged and does not turn the already committed
    registration into an error page.
    """
    transaction.on_commit(lambda: send(kind, registration), robust=True)
