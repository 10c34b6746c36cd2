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
from dos.broker.subscriptions.model import DEFAULT_TRIGGERS, q_text
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

    q = parse_q(q_text(record["q"]), expand) if record.get("q") else None
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
        types = doc.get("type", [])
        groups = selector.get("typeGroups")
        if groups is not None:
            if not any(all(t in types for t in group) for group in groups):
                continue
        elif selector["type"] not in types:
            continue
        if "id" in selector and selector["id"] != doc["id"]:
            continue
        if pattern is not None and not pattern.search(doc["id"]):
            continue
        return True
    return False


def _datasets(instances: list[Doc]) -> set[str]:
    return {i.get("datasetId", "@none") for i in instances}


def removed_instances(before: list[Doc], after: list[Doc] | None) -> list[Doc]:
    """The instances of an attribute (by datasetId) that the change deleted."""
    if after is None:
        return before
    kept = _datasets(after)
    return [i for i in before if i.get("datasetId", "@none") not in kept]


def changes(old: Doc | None, new: Doc | None) -> tuple[set[str], set[str], set[str]]:
    """Attribute names created, updated and deleted by the change (an attribute that lost
    an instance, e.g. one datasetId, counts as deleted)."""
    before = (old or {}).get("attrs") or {}
    after = (new or {}).get("attrs") or {}
    created = {n for n in after if n not in before}
    deleted = {n for n in before if removed_instances(before[n], after.get(n))}
    updated = {n for n in after if n in before and after[n] != before[n]} - deleted
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
        if "entityDeleted" in triggers:
            return "entityDeleted"
        # deleting the entity deletes its (watched) attributes too
        return "attributeDeleted" if deleted and "attributeDeleted" in triggers else None
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


def _what_changed(
    sub: Compiled, trigger: str, old: Doc | None, new: Doc | None, moment: int
) -> tuple[Doc, Doc, Doc | None]:
    """The entity to notify, the attributes to show as deleted (``urn:ngsi-ld:null``) and,
    with ``showChanges``, the previous instances of the attributes that changed (§5.8.6)."""
    show = bool(sub.record["notification"].get("showChanges"))
    before = (old or {}).get("attrs") or {}
    after = (new or {}).get("attrs") or {}
    watched = sub.record.get("watchedAttributes")
    _created, updated, removed = changes(old, new)
    if watched is not None:
        removed &= set(watched)
    deleted = {}
    if trigger == "attributeDeleted":
        deleted = {n: removed_instances(before[n], after.get(n)) for n in removed}
        for name in removed - set(after):  # the whole attribute went: one null stands for it
            deleted[name] = [{k: v for k, v in before[name][0].items() if k != "datasetId"}]
    if new is None:
        assert old is not None
        entity = {"id": old["id"], "type": old["type"], "deletedAt": from_ms(moment)}
        for member in ("createdAt", "modifiedAt"):
            if member in old:
                entity[member] = old[member]
        if show:
            deleted = dict(before)
        return entity, deleted, (dict(before) if show else None)
    previous = None
    if show and old is not None:
        previous = {n: before[n] for n in (updated | set(deleted))}
    return new, deleted, previous


def notification_payload(
    sub_id: str,
    docs: list[Doc],
    *,
    trigger: str,
    moment: int,
    previous: Doc | None = None,
    deleted: Doc | None = None,
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
            "deleted": deleted or None,
        }
    ).decode()


def active_subscriptions(session: Any, tenant: str) -> list[tuple[Any, ...]]:
    """The tenant's active change subscriptions (id, body, last notified, expiry), read once
    per group of writes when the session keeps them (``subscription_cache``)."""
    cache: dict[str, list[tuple[Any, ...]]] | None = getattr(session, "subscription_cache", None)
    if cache is not None and tenant in cache:
        return cache[tenant]
    rows: list[tuple[Any, ...]] = session.x(
        "SELECT id, body, last_notified_ms, expires_ms FROM subscriptions "
        "WHERE tenant = ? AND active = ? AND interval_s IS NULL",
        (tenant, True),
    ).fetchall()
    if cache is not None:
        cache[tenant] = rows
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
        entity, deleted, previous = _what_changed(sub, trigger, old, new, moment)
        payload = notification_payload(
            sub_id, [entity], trigger=trigger, moment=moment, previous=previous, deleted=deleted
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
