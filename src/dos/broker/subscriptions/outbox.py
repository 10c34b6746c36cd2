"""Writing notifications into the outbox, inside the transaction of the entity change."""

from __future__ import annotations

from typing import Any


def enqueue_change(
    session: Any, tenant: str, old: dict[str, Any] | None, new: dict[str, Any] | None
) -> None:
    """Queue a notification for every active subscription the change matches."""
    from dos.broker.subscriptions.matching import matching_notifications

    for row in matching_notifications(session, tenant, old, new):
        session.x(
            "INSERT INTO outbox (tenant, subscription_id, endpoint, payload, created_ms, next_ms) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            row,
        )
