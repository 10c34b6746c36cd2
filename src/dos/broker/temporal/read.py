"""Reading attribute histories: instances by time and the last N (aggregates:
:mod:`dos.broker.temporal.aggregate`).

All functions take a :class:`~dos.broker.store.session.SqlSession` (either engine) inside
:meth:`Store.read` or :meth:`Store.write`. Times are epoch milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import orjson

from dos.broker.errors import NgsiError
from dos.broker.query.temporal import TemporalQuery
from dos.broker.temporal.times import to_ms

#: timeproperty → history column
TIME_COLUMNS = {
    "observedAt": "observed_ms",
    "createdAt": "created_ms",
    "modifiedAt": "modified_ms",
    "deletedAt": "deleted_ms",
}


@dataclass(slots=True)
class Instance:
    """One row of an attribute's history."""

    attr: str
    instance_id: str
    instance: dict[str, Any]
    observed_ms: int | None
    created_ms: int
    modified_ms: int
    deleted_ms: int | None
    time_ms: int


@dataclass
class TemporalEntity:
    """A temporal entity: id, types and its attribute instances (oldest first)."""

    id: str
    types: list[str]
    created_ms: int
    modified_ms: int
    deleted_ms: int | None
    attrs: dict[str, list[Instance]] = field(default_factory=dict)
    truncated: bool = False


def _ms(dt: Any) -> int:
    return int(dt.timestamp() * 1000)


def time_filter(
    tq: TemporalQuery | None, timeproperty: str = "observedAt"
) -> tuple[str, list[Any], str]:
    """SQL condition on the history row alias ``h``, its parameters, and the time expression.

    Without a time query, ``timeproperty=deletedAt`` selects the deletions only (§5.7.3)."""
    prop = tq.timeproperty if tq else timeproperty
    if prop not in TIME_COLUMNS:
        raise NgsiError(
            "BadRequestData", f"timeproperty: {prop!r} is not one of {', '.join(TIME_COLUMNS)}"
        )
    column = f"h.{TIME_COLUMNS[prop]}"
    expression = f"COALESCE({column}, h.modified_ms)"
    if tq is None and prop == "deletedAt":
        return f" AND {column} IS NOT NULL", [], expression
    condition, params = time_filter_on(tq, column)
    return condition, params, expression


def time_filter_on(tq: TemporalQuery | None, column: str) -> tuple[str, list[Any]]:
    """:func:`time_filter` on another column (rollups: their first instance's time)."""
    if tq is None:
        return "", []
    if tq.timerel == "before":
        return f" AND {column} < ?", [_ms(tq.time_at)]
    if tq.timerel == "after":
        return f" AND {column} > ?", [_ms(tq.time_at)]
    assert tq.end_time_at is not None
    return f" AND {column} >= ? AND {column} < ?", [_ms(tq.time_at), _ms(tq.end_time_at)]


def temporal_entities(
    session: Any, tenant: str, ids: list[str] | None = None, id_pattern: str | None = None
) -> list[TemporalEntity]:
    """Entities that have a history, optionally by id or id pattern, oldest first."""
    sql = "SELECT id, types, created_ms, modified_ms, deleted_ms FROM temporal_entities WHERE tenant = ?"
    params: list[Any] = [tenant]
    if ids is not None:
        if not ids:
            return []
        sql += f" AND id IN ({','.join('?' * len(ids))})"
        params.extend(ids)
    rows = session.x(sql + " ORDER BY created_ms, id", params).fetchall()
    pattern = re.compile(id_pattern) if id_pattern else None
    types: dict[str, list[str]] = {}  # entities of one type share its JSON text
    found = []
    for row in rows:
        if pattern is None or pattern.search(row[0]):
            parsed = types.get(row[1])
            if parsed is None:
                parsed = types[row[1]] = orjson.loads(row[1])
            found.append(TemporalEntity(row[0], list(parsed), int(row[2]), int(row[3]), row[4]))
    return found


def live_modified(session: Any, tenant: str, entities: list[TemporalEntity]) -> None:
    """Set each temporal entity's ``modified_ms`` to the later of its row's and the stored
    entity's modifiedAt: changes of an entity that keep its types do not rewrite its temporal
    row (one index page less per PATCH), so the stored entity has the latest time."""
    for start in range(0, len(entities), 500):
        chunk = {e.id: e for e in entities[start : start + 500]}
        marks = ",".join("?" * len(chunk))
        for entity_id, modified_at in session.x(
            f"SELECT id, modified_at FROM entities WHERE tenant = ? AND id IN ({marks})",
            (tenant, *chunk),
        ).fetchall():
            stored = to_ms(modified_at)
            if stored is not None and stored > chunk[entity_id].modified_ms:
                chunk[entity_id].modified_ms = stored


def load_instances(
    session: Any,
    tenant: str,
    entity: TemporalEntity,
    *,
    attrs: list[str] | None,
    tq: TemporalQuery | None,
    last_n: int | None,
    limit: int,
    timeproperty: str = "observedAt",
) -> None:
    """Fill ``entity.attrs``: per attribute at most ``limit`` instances (the last ones with
    ``last_n``), oldest first; ``entity.truncated`` says that some were left out."""
    load_instances_many(
        session,
        tenant,
        [entity],
        attrs=attrs,
        tq=tq,
        last_n=last_n,
        limit=limit,
        timeproperty=timeproperty,
    )


def load_instances_many(
    session: Any,
    tenant: str,
    entities: list[TemporalEntity],
    *,
    attrs: list[str] | None,
    tq: TemporalQuery | None,
    last_n: int | None,
    limit: int,
    timeproperty: str = "observedAt",
) -> None:
    """:func:`load_instances` for several entities with one statement, so ``lastN=1`` over
    many entities is one query.

    Instances are counted per attribute and datasetId: at most ``limit`` of each (the last
    ``last_n`` with lastN, ETSI GS CIM 009 §6.3.10); the instances of an attribute's datasets
    are merged in time order."""
    if not entities or (attrs is not None and not attrs):
        return
    condition, params, expression = time_filter(tq, timeproperty)
    cap = min(last_n, limit) if last_n else limit
    ids = [e.id for e in entities]
    if last_n:
        # one more than the limit tells that the limit cut the N (a partial answer, §6.3.10)
        count = cap + 1 if cap < last_n else cap
        sql, args = _last_n_sql(
            session.dialect, tenant, ids, attrs, condition, params, expression, count
        )
    else:
        attr_sql = f" AND h.attr IN ({','.join('?' * len(attrs))})" if attrs else ""
        sql = (
            f"SELECT {_columns()} FROM (SELECT h.*, {expression} AS t, ROW_NUMBER() OVER "
            f"(PARTITION BY h.entity_id, h.attr, h.dataset_id ORDER BY {expression}, h.pk) AS rn "
            f"FROM attr_history h WHERE h.tenant = ? AND h.entity_id IN "
            f"({','.join('?' * len(ids))}){attr_sql}{condition}) h "
            "WHERE rn <= ?"
        )
        args = [tenant, *ids, *(attrs or []), *params, cap + 1]
    rows = session.x(sql, args).fetchall()
    # per (entity, attribute, datasetId) its rows: one dict pass, cheaper than sorting every
    # row and grouping twice (lastN=1 over 1,000 entities: one row per key)
    keyed: dict[tuple[str, str, str], list[Any]] = {}
    for row in rows:
        key = (row[0], row[1], row[2])
        found = keyed.get(key)
        if found is None:
            keyed[key] = [row]
        else:
            found.append(row)
    by_id = {e.id: e for e in entities}
    loads = orjson.loads
    merged: dict[tuple[str, str], list[Any]] = {}
    for key in sorted(keyed):  # entity, attribute, datasetId
        found = keyed[key]
        if len(found) > 1:
            found.sort(key=_TIME_ORDER)  # time, as written
            if len(found) > cap:
                by_id[key[0]].truncated = True
                found = found[1:] if last_n else found[:cap]
        kept = merged.get(key[:2])
        if kept is None:
            merged[key[:2]] = found
        else:  # the datasetIds of the attribute merged by time
            kept.extend(found)
            kept.sort(key=_TIME_ORDER)
    for (entity_id, name), kept in merged.items():
        by_id[entity_id].attrs[name] = [
            Instance(name, r[3], loads(r[4]), r[5], r[6], r[7], r[8], r[9]) for r in kept
        ]


_TIME_ORDER = itemgetter(9, 10)


def _columns(time: str = "t") -> str:
    """The history columns :func:`load_instances_many` reads of the row ``h`` and its time."""
    return (
        "h.entity_id, h.attr, h.dataset_id, h.instance_id, h.instance, h.observed_ms, "
        f"h.created_ms, h.modified_ms, h.deleted_ms, {time}, h.pk"
    )


def _last_n_sql(
    dialect: str,
    tenant: str,
    ids: list[str],
    attrs: list[str] | None,
    condition: str,
    params: list[Any],
    expression: str,
    count: int,
) -> tuple[str, list[Any]]:
    """The last ``count`` instances of each (entity, attribute, datasetId): the keys from
    ``temporal_attrs``, then per key an index-ordered ``LIMIT`` (index ``attr_history_latest``
    for observedAt) — one index descent per key, whatever the length of the history.
    PostgreSQL joins the keys LATERAL; SQLite, which has no LATERAL, selects by primary key.
    In no particular order (:func:`load_instances_many` orders them)."""
    inner = condition.replace("h.", "x.")
    attr_sql = f" AND k.attr IN ({','.join('?' * len(attrs))})" if attrs else ""
    newest = (
        "FROM attr_history x WHERE x.tenant = k.tenant AND x.entity_id = k.entity_id "
        f"AND x.attr = k.attr AND x.dataset_id = k.dataset_id{inner} "
        f"ORDER BY {expression.replace('h.', 'x.')} DESC, x.pk DESC LIMIT ?"
    )
    if dialect == "postgresql":
        time = expression.replace("h.", "x.")
        source = f"SELECT {_columns()} FROM temporal_attrs k CROSS JOIN LATERAL "
        source += f"(SELECT x.*, {time} AS t {newest}) h"
    else:
        source = f"SELECT {_columns(f'{expression} AS t')} FROM temporal_attrs k "
        match = "=" if count == 1 else "IN"  # lastN=1: one row per key, compared at once
        source += f"JOIN attr_history h ON h.pk {match} (SELECT x.pk {newest})"
    sql = f"{source} WHERE k.tenant = ? AND k.entity_id IN ({','.join('?' * len(ids))}){attr_sql}"
    return sql, [*params, count, tenant, *ids, *(attrs or [])]
