"""Writing notifications into the outbox, inside the transaction of the entity change."""

from __future__ import annotations

from typing import Any

INSERT = (
    "INSERT INTO outbox (tenant, subscription_id, endpoint, payload, created_ms, next_ms) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)


def enqueue_change(
    session: Any, tenant: str, old: dict[str, Any] | None, new: dict[str, Any] | None
) -> None:
    """Queue a notification for every active subscription the change matches."""
    from dos.broker.subscriptions.matching import matching_notifications

    session.many(INSERT, matching_notifications(session, tenant, old, new))


def enqueue_changes(
    session: Any, tenant: str, versions: list[tuple[dict[str, Any], dict[str, Any]]]
) -> None:
    """:func:`enqueue_change` for successive changes (before, after), in their order."""
    from dos.broker.subscriptions.matching import (
        active_subscriptions,
        any_throttled,
        matching_notifications,
    )

    subscriptions: list[tuple[Any, ...]] | None = active_subscriptions(session, tenant)
    if not subscriptions:
        return
    if any_throttled(subscriptions):
        subscriptions = None  # each change reads the throttling state the previous one left
    rows: list[tuple[Any, ...]] = []
    for old, new in versions:
        rows.extend(matching_notifications(session, tenant, old, new, subscriptions))
    session.many(INSERT, rows)
