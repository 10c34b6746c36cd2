"""Subscriptions in the store: create, read, list, update, delete (ETSI GS CIM 009 §5.8).

The functions run inside :meth:`Store.read` / :meth:`Store.write` with a
:class:`~dos.broker.store.session.SqlSession` of either engine.
"""

from __future__ import annotations

from typing import Any

import orjson

from dos.broker.errors import NgsiError
from dos.broker.subscriptions.model import check_subscription
from dos.broker.temporal.times import now_ms, to_ms

_COLUMNS = "body, times_sent, times_failed, last_notification, last_success, last_failure, status"


def _columns(record: dict[str, Any]) -> tuple[Any, ...]:
    interval = record.get("timeInterval")
    return (
        orjson.dumps(record).decode(),
        orjson.dumps(record.get("jsonldContext")).decode(),
        record.get("isActive", True),
        to_ms(record.get("expiresAt")),
        int(interval) if interval else None,
        now_ms() if interval else None,
    )


def _record(row: Any) -> dict[str, Any]:
    record: dict[str, Any] = orjson.loads(row[0])
    record["_status"] = {
        "timesSent": int(row[1]),
        "timesFailed": int(row[2]),
        "lastNotification": row[3],
        "lastSuccess": row[4],
        "lastFailure": row[5],
        "status": row[6],
    }
    return record


def subscription_insert(session: Any, tenant: str, record: dict[str, Any]) -> None:
    """Store a new subscription; AlreadyExists when the id is taken in the tenant."""
    if session.x(
        "SELECT 1 FROM subscriptions WHERE tenant = ? AND id = ?", (tenant, record["id"])
    ).fetchone():
        raise NgsiError("AlreadyExists", f"subscription {record['id']} already exists")
    session.x(
        "INSERT INTO tenants (tenant, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
        (tenant, record["createdAt"]),
    )
    session.x(
        "INSERT INTO subscriptions (body, context, active, expires_ms, interval_s, "
        "next_periodic_ms, tenant, id, created_at, modified_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (*_columns(record), tenant, record["id"], record["createdAt"], record["modifiedAt"]),
    )


def subscription_get(session: Any, tenant: str, sub_id: str) -> dict[str, Any]:
    row = session.x(
        f"SELECT {_COLUMNS} FROM subscriptions WHERE tenant = ? AND id = ?", (tenant, sub_id)
    ).fetchone()
    if row is None:
        raise NgsiError("ResourceNotFound", f"subscription {sub_id} does not exist")
    return _record(row)


def subscription_list(
    session: Any, tenant: str, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    rows = session.x(
        f"SELECT {_COLUMNS} FROM subscriptions WHERE tenant = ? ORDER BY created_at, id "
        "LIMIT ? OFFSET ?",
        (tenant, limit, offset),
    ).fetchall()
    total = session.x("SELECT COUNT(*) FROM subscriptions WHERE tenant = ?", (tenant,)).fetchone()
    return [_record(r) for r in rows], int(total[0])


def subscription_update(session: Any, tenant: str, sub_id: str, fragment: dict[str, Any]) -> None:
    """Merge a validated fragment into the stored subscription (§5.8.2)."""
    record = subscription_get(session, tenant, sub_id)
    record.pop("_status")
    terms = {**record.get("terms", {}), **fragment.pop("terms", {})}
    if "notification" in fragment:
        fragment["notification"] = {**record["notification"], **fragment["notification"]}
    record.update(fragment)
    record["terms"] = terms
    check_subscription(record)
    session.x(
        "UPDATE subscriptions SET body = ?, context = ?, active = ?, expires_ms = ?, "
        "interval_s = ?, next_periodic_ms = ?, modified_at = ? WHERE tenant = ? AND id = ?",
        (*_columns(record), record["modifiedAt"], tenant, sub_id),
    )


def subscription_delete(session: Any, tenant: str, sub_id: str) -> None:
    row = session.x(
        "DELETE FROM subscriptions WHERE tenant = ? AND id = ? RETURNING id", (tenant, sub_id)
    ).fetchone()
    if row is None:
        raise NgsiError("ResourceNotFound", f"subscription {sub_id} does not exist")
    session.x("DELETE FROM outbox WHERE tenant = ? AND subscription_id = ?", (tenant, sub_id))
