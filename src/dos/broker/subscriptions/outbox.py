"""Writing notifications into the outbox, inside the transaction of the entity change.

Dispatchers of this process :func:`listen` for new rows: a transaction that queued
notifications wakes them once it committed, so delivery does not wait for their next poll.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from dos.broker.subscriptions.matching import (
    active_subscriptions,
    any_throttled,
    matching_notifications,
)

_listeners: set[Callable[[], None]] = set()


def listen(callback: Callable[[], None]) -> None:
    """Call ``callback`` (from the writer thread) after each commit that queued rows."""
    _listeners.add(callback)


def unlisten(callback: Callable[[], None]) -> None:
    _listeners.discard(callback)


def wake() -> None:
    for callback in list(_listeners):
        callback()


def queued(session: Any) -> None:
    """Note that ``session`` queued notifications: wake the dispatchers after its commit."""
    hooks = getattr(session, "after_commit", None)
    if hooks is not None and wake not in hooks:
        hooks.append(wake)


INSERT = (
    "INSERT INTO outbox (tenant, subscription_id, endpoint, payload, created_ms, next_ms) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)


def enqueue_change(
    session: Any, tenant: str, old: dict[str, Any] | None, new: dict[str, Any] | None
) -> None:
    """Queue a notification for every active subscription the change matches."""
    enqueue_changes(session, tenant, [(old, new)])


def enqueue_changes(
    session: Any,
    tenant: str,
    versions: Sequence[tuple[dict[str, Any] | None, dict[str, Any] | None]],
) -> None:
    """:func:`enqueue_change` for several changes (before, after; None: absent entity), in
    their order, the tenant's subscriptions read once."""
    subscriptions: list[tuple[Any, ...]] | None = active_subscriptions(session, tenant)
    if not subscriptions:
        return
    if any_throttled(subscriptions):
        subscriptions = None  # each change reads the throttling state the previous one left
    rows: list[tuple[Any, ...]] = []
    for old, new in versions:
        rows.extend(matching_notifications(session, tenant, old, new, subscriptions))
    if rows:
        session.many(INSERT, rows)
        queued(session)
