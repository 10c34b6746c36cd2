"""Which subscriptions an entity change matches (ETSI GS CIM 009 §5.8.1, §5.11.4).

Runs inside the write transaction; every match becomes an outbox row holding the entity in
the internal representation, rendered by the dispatcher with the subscription's @context.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson

from dos.broker.query.geo import geo_query_from_json
from dos.broker.query.q import parse_q
from dos.broker.query.scope import parse_scope_query
from dos.broker.subscriptions.model import DEFAULT_TRIGGERS
from dos.broker.temporal.times import from_ms, now_ms

Doc = dict[str, Any]


@dataclass(frozen=True)
class Compiled:
    """A stored subscription with its filters parsed once."""

    record: Doc
    q: Any
    geo: Any
    scope: Any
    patterns: tuple[re.Pattern[str] | None, ...]


@lru_cache(maxsize=1024)
def _compile(body: str) -> Compiled:
    record: Doc = orjson.loads(body)
    terms: dict[str, str] = record.get("terms", {})

    def expand(name: str) -> str:
        return terms.get(name, name)

    q = parse_q(record["q"], expand) if record.get("q") else None
    geo = geo_query_from_json(record["geoQ"], expand) if record.get("geoQ") else None
    scope = parse_scope_query(record["scopeQ"]) if record.get("scopeQ") else None
    patterns = tuple(
        re.compile(s["idPattern"]) if s.get("idPattern") else None
        for s in record.get("entities") or []
    )
    return Compiled(record, q, geo, scope, patterns)


def _selected(sub: Compiled, doc: Doc) -> bool:
    selectors = sub.record.get("entities")
    if not selectors:
        return True
    for selector, pattern in zip(selectors, sub.patterns, strict=True):
        if selector["type"] not in doc.get("type", []):
            continue
        if "id" in selector and selector["id"] != doc["id"]:
            continue
        if pattern is not None and not pattern.search(doc["id"]):
            continue
        return True
    return False


def changes(old: Doc | None, new: Doc | None) -> tuple[set[str], set[str], set[str]]:
    """Attribute names created, updated and deleted by the change."""
    before = (old or {}).get("attrs") or {}
    after = (new or {}).get("attrs") or {}
    created = {n for n in after if n not in before}
    updated = {n for n in after if n in before and after[n] != before[n]}
    deleted = {n for n in before if n not in after}
    return created, updated, deleted


def _triggered(sub: Compiled, old: Doc | None, new: Doc | None) -> str | None:
    """The notificationTrigger the change fires for this subscription, or None."""
    triggers = sub.record.get("notificationTrigger") or DEFAULT_TRIGGERS
    created, updated, deleted = changes(old, new)
    watched = sub.record.get("watchedAttributes")
    if watched is not None:
        watch = set(watched)
        created, updated, deleted = created & watch, updated & watch, deleted & watch
    if old is None:
        if "entityCreated" in triggers and (watched is None or created):
            return "entityCreated"
        return "attributeCreated" if created and "attributeCreated" in triggers else None
    if new is None:
        return "entityDeleted" if "entityDeleted" in triggers else None
    for trigger, names in (
        ("attributeCreated", created),
        ("attributeUpdated", updated),
        ("attributeDeleted", deleted),
    ):
        if names and trigger in triggers:
            return trigger
    if "entityUpdated" in triggers and (created or updated or deleted):
        return "entityUpdated"
    return None


def _filters_pass(sub: Compiled, doc: Doc) -> bool:
    return all(f is None or f.matches(doc) for f in (sub.q, sub.geo, sub.scope))


def notification_payload(
    sub_id: str, docs: list[Doc], *, trigger: str, moment: int, previous: Doc | None = None
) -> str:
    """The outbox payload: what the dispatcher renders into a Notification (§5.3.1)."""
    return orjson.dumps(
        {
            "id": f"urn:ngsi-ld:Notification:{uuid.uuid4()}",
            "subscriptionId": sub_id,
            "notifiedAt": from_ms(moment),
            "trigger": trigger,
            "entities": docs,
            "previous": previous,
        }
    ).decode()


def active_subscriptions(session: Any, tenant: str) -> list[tuple[Any, ...]]:
    """The tenant's active change subscriptions (id, body, last notified, expiry)."""
    rows: list[tuple[Any, ...]] = session.x(
        "SELECT id, body, last_notified_ms, expires_ms FROM subscriptions "
        "WHERE tenant = ? AND active = ? AND interval_s IS NULL",
        (tenant, True),
    ).fetchall()
    return rows


def any_throttled(subscriptions: list[tuple[Any, ...]]) -> bool:
    """Whether one of :func:`active_subscriptions` has a throttling (its state changes)."""
    for row in subscriptions:
        body = row[1] if isinstance(row[1], str) else orjson.dumps(row[1]).decode()
        if _compile(body).record.get("throttling"):
            return True
    return False


def matching_notifications(
    session: Any,
    tenant: str,
    old: Doc | None,
    new: Doc | None,
    subscriptions: list[tuple[Any, ...]] | None = None,
) -> list[tuple[Any, ...]]:
    """Outbox rows (tenant, subscription id, endpoint, payload, created, next) for the change.

    ``subscriptions``: :func:`active_subscriptions` when the caller already read them.
    """
    rows = active_subscriptions(session, tenant) if subscriptions is None else subscriptions
    if not rows:
        return []
    moment = now_ms()
    doc = new if new is not None else old
    assert doc is not None
    out: list[tuple[Any, ...]] = []
    for sub_id, body, last_notified, expires in rows:
        if expires is not None and int(expires) <= moment:
            continue
        sub = _compile(body if isinstance(body, str) else orjson.dumps(body).decode())
        if not _selected(sub, doc) or not _filters_pass(sub, doc):
            continue
        trigger = _triggered(sub, old, new)
        if trigger is None:
            continue
        throttling = sub.record.get("throttling")
        if (
            throttling
            and last_notified is not None
            and moment < int(last_notified) + throttling * 1000
        ):
            continue
        entity = doc
        if new is None:
            entity = (
                {"id": old["id"], "type": old["type"], "deletedAt": from_ms(moment)} if old else doc
            )
        previous = None
        if sub.record["notification"].get("showChanges") and old is not None and new is not None:
            previous = {
                n: old["attrs"][n] for n in old.get("attrs", {}) if n in new.get("attrs", {})
            }
        payload = notification_payload(
            sub_id, [entity], trigger=trigger, moment=moment, previous=previous
        )
        out.append(
            (tenant, sub_id, sub.record["notification"]["endpoint"]["uri"], payload, moment, moment)
        )
        if throttling:
            session.x(
                "UPDATE subscriptions SET last_notified_ms = ? WHERE tenant = ? AND id = ?",
                (moment, tenant, sub_id),
            )
    return out
