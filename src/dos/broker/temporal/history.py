"""Appending attribute instances to the history, inside the transaction of the change.

The store session calls :func:`record_change` from ``insert``, ``update`` and ``delete`` with
the stored document before and after; every attribute instance that is new or different is
appended, every instance that disappeared is appended as a deletion (``deletedAt``, value
``urn:ngsi-ld:null``; ETSI GS CIM 009 §4.5.1 and §5.6.12).
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from typing import Any

import orjson

from dos.broker.temporal.hourly import add_rows
from dos.broker.temporal.times import now_ms, to_ms

NULL = "urn:ngsi-ld:null"
#: attribute kind → the member holding its value (as in dos.broker.entities.validate)
VALUE_KEYS: dict[str, str] = {
    "Property": "value",
    "Relationship": "object",
    "GeoProperty": "value",
    "LanguageProperty": "languageMap",
    "VocabProperty": "vocab",
    "ListProperty": "valueList",
    "ListRelationship": "objectList",
    "JsonProperty": "json",
}
Row = tuple[Any, ...]


def new_instance_id() -> str:
    """A new instance id: a time-ordered UUID (version 7, RFC 9562), so that ids written
    together are neighbours in the instance index (appended, not scattered over it).

    The random bits come from :mod:`random` (seeded from the OS, reseeded in forked children):
    ``os.urandom`` would release the GIL in the middle of the writer's transaction."""
    value = (time.time_ns() // 1_000_000) << 80 | random.getrandbits(80)
    value = value & ~(0xF << 76) | 0x7 << 76  # version 7
    value = value & ~(0x3 << 62) | 0x2 << 62  # RFC 9562 variant
    h = f"{value:032x}"  # what str(uuid.UUID(int=value)) gives, without building one
    return f"urn:ngsi-ld:attribute:instance:{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def value_of(instance: dict[str, Any]) -> Any:
    """The value member of an instance, whatever the attribute kind."""
    return instance.get(VALUE_KEYS.get(str(instance.get("type")), "value"))


def number_of(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def history_row(
    tenant: str,
    entity_id: str,
    attr: str,
    instance: dict[str, Any],
    *,
    modified_ms: int,
    instance_id: str | None = None,
    deleted_ms: int | None = None,
) -> Row:
    """The ``attr_history`` columns for one instance (see :data:`INSERT`)."""
    if "instanceId" in instance:
        instance = {k: v for k, v in instance.items() if k != "instanceId"}
    value = value_of(instance)
    created = to_ms(instance.get("createdAt"))
    return (
        tenant,
        entity_id,
        attr,
        instance.get("datasetId") or "",
        instance_id or new_instance_id(),
        str(instance.get("type", "Property")),
        orjson.dumps(instance).decode(),
        orjson.dumps(value).decode(),
        None if deleted_ms is not None else number_of(value),
        to_ms(instance.get("observedAt")),
        created if created is not None else modified_ms,
        modified_ms,
        deleted_ms,
    )


INSERT = (
    "INSERT INTO attr_history (tenant, entity_id, attr, dataset_id, instance_id, kind, "
    "instance, value, num, observed_ms, created_ms, modified_ms, deleted_ms) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
#: the (entity, attribute, datasetId) keys that have a history (migration 0009)
INSERT_KEY = (
    "INSERT INTO temporal_attrs (tenant, entity_id, attr, dataset_id) VALUES (?, ?, ?, ?) "
    "ON CONFLICT DO NOTHING"
)
UPSERT_ENTITY = (
    "INSERT INTO temporal_entities (tenant, id, types, created_ms, modified_ms) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant, id) DO UPDATE SET types = excluded.types, "
    "modified_ms = excluded.modified_ms, deleted_ms = NULL"
)
#: a change that keeps the entity's types: its temporal entity row stays as it is (present
#: again if a temporal delete removed it); the temporal entity's modifiedAt is the later of
#: the row's and the stored entity's (dos.broker.temporal.read.live_modified)
ENSURE_ENTITY = (
    "INSERT INTO temporal_entities (tenant, id, types, created_ms, modified_ms) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant, id) DO NOTHING"
)


def append_history(
    session: Any, rows: Sequence[Row], known: set[tuple[str, str, str, str]] | None = None
) -> None:
    """Append :func:`history_row` rows and register their keys in ``temporal_attrs``.

    The one way history rows are written: ``temporal_attrs`` holds every (entity, attribute,
    datasetId) that has rows in ``attr_history`` (it may hold keys whose rows were deleted
    since; readers find no instances for them; keys are never deleted), and the hourly
    summaries hold the rows' numbers (:mod:`dos.broker.temporal.hourly`). ``known``: keys
    that are there already (the instances of a stored entity version: each got its key when
    it was written, migration 0014 for older ones), not inserted again."""
    session.many(INSERT, list(rows))
    keys = {row[:4] for row in rows}
    if known:
        keys -= known
    session.many(INSERT_KEY, sorted(keys))  # one order: no deadlocks
    add_rows(session, rows)


def keep_keys_of_stored(session: Any, tenant: str, entity_id: str, attr: str | None = None) -> None:
    """Register again the keys of the stored entity's instances (of ``attr``) after its
    history keys were deleted (a temporal delete of an entity that still exists): writes
    rely on every instance of a stored version having its key (:func:`append_history`)."""
    row = session.x(
        f"SELECT {session.doc_select} FROM entities e WHERE e.tenant = ? AND e.id = ?",
        (tenant, entity_id),
    ).fetchone()
    if row is None:
        return
    keys = history_keys(tenant, session.load(row[0]))
    session.many(INSERT_KEY, sorted(k for k in keys if attr is None or k[2] == attr))


def history_keys(tenant: str, doc: dict[str, Any]) -> set[tuple[str, str, str, str]]:
    """The ``temporal_attrs`` keys (tenant, entity, attribute, datasetId) of a document's
    instances."""
    return {(tenant, doc["id"], name, dataset) for name, dataset in _instances(doc)}


def _instances(doc: dict[str, Any] | None) -> dict[tuple[str, str], dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for name, instances in ((doc or {}).get("attrs") or {}).items():
        for instance in instances:
            found[(name, instance.get("datasetId") or "")] = instance
    return found


def change_rows(
    tenant: str, old: dict[str, Any] | None, new: dict[str, Any] | None, moment: int
) -> list[Row]:
    """History rows for the change from ``old`` to ``new`` (None: absent entity)."""
    entity_id = (new or old or {}).get("id", "")
    return _rows(tenant, entity_id, _instances(old), _instances(new), moment)


def _rows(
    tenant: str,
    entity_id: str,
    before: dict[tuple[str, str], dict[str, Any]],
    after: dict[tuple[str, str], dict[str, Any]],
    moment: int,
) -> list[Row]:
    rows: list[Row] = []
    for key, instance in after.items():
        if before.get(key) != instance:
            modified = to_ms(instance.get("modifiedAt")) or moment
            rows.append(history_row(tenant, entity_id, key[0], instance, modified_ms=modified))
    for key, instance in before.items():
        if key not in after:
            gone = {
                "type": instance.get("type", "Property"),
                VALUE_KEYS.get(str(instance.get("type")), "value"): NULL,
                "createdAt": instance.get("createdAt"),
            }
            if key[1]:
                gone["datasetId"] = key[1]
            rows.append(
                history_row(tenant, entity_id, key[0], gone, modified_ms=moment, deleted_ms=moment)
            )
    return rows


def record_change(
    session: Any, tenant: str, old: dict[str, Any] | None, new: dict[str, Any] | None
) -> None:
    """Append the history of one entity change (``session``: a write :class:`SqlSession`)."""
    record_changes(session, tenant, [(old, new)])


def record_changes(
    session: Any,
    tenant: str,
    changes: Sequence[tuple[dict[str, Any] | None, dict[str, Any] | None]],
) -> None:
    """Append the history of several entity changes, (old, new) pairs, with one statement
    per table (batch operations write thousands of instances at once)."""
    moment = now_ms()
    rows: list[Row] = []
    upserts: list[Row] = []
    deletions: list[Row] = []
    known: set[tuple[str, str, str, str]] = set()
    retyped: set[str] = set()  # entities new or of other types: their row is written
    for old, new in changes:
        entity_id = (new or old or {}).get("id", "")
        before = _instances(old)
        rows.extend(_rows(tenant, entity_id, before, _instances(new), moment))
        if old is not None:
            known.update((tenant, entity_id, name, dataset) for name, dataset in before)
        if new is not None:
            if old is None or old.get("type") != new.get("type"):
                retyped.add(entity_id)
            upserts.append(
                (
                    tenant,
                    entity_id,
                    orjson.dumps(new.get("type", [])).decode(),
                    to_ms(new.get("createdAt")) or moment,
                    moment,
                )
            )
        else:
            deletions.append((moment, moment, tenant, entity_id))
    append_history(session, rows, known)
    if not deletions and len(upserts) > 1:
        # successive versions of one entity (a batch of measures): one upsert, the last one
        # (its types and time; created_ms counts only when the row is new, from the first)
        latest: dict[str, Row] = {}
        for row in upserts:
            first = latest.get(row[1])
            latest[row[1]] = row if first is None else (*row[:3], first[3], row[4])
        upserts = list(latest.values())
    session.many(UPSERT_ENTITY, [row for row in upserts if row[1] in retyped])
    session.many(ENSURE_ENTITY, [row for row in upserts if row[1] not in retyped])
    session.many(
        "UPDATE temporal_entities SET deleted_ms = ?, modified_ms = ? WHERE tenant = ? AND id = ?",
        deletions,
    )
