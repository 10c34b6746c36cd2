"""Reading attribute histories: instances by time, the last N, and SQL aggregates.

All functions take a :class:`~dos.broker.store.session.SqlSession` (either engine) inside
:meth:`Store.read` or :meth:`Store.write`. Times are epoch milliseconds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any

import orjson

from dos.broker.errors import NgsiError
from dos.broker.query.temporal import TemporalQuery
from dos.broker.temporal.rollup import Rollup, stored_rollups

#: timeproperty → history column
TIME_COLUMNS = {
    "observedAt": "observed_ms",
    "createdAt": "created_ms",
    "modifiedAt": "modified_ms",
    "deletedAt": "deleted_ms",
}
AGGREGATE_METHODS = ("totalCount", "distinctCount", "sum", "avg", "min", "max", "stddev", "sumsq")


@dataclass
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
    return [
        TemporalEntity(row[0], orjson.loads(row[1]), int(row[2]), int(row[3]), row[4])
        for row in rows
        if pattern is None or pattern.search(row[0])
    ]


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
    rows.sort(key=itemgetter(0, 1, 2, 9, 10))  # entity, attribute, datasetId, time, as written
    by_id = {e.id: e for e in entities}
    for (entity_id, name), attr_rows in groupby(rows, key=itemgetter(0, 1)):
        kept: list[Any] = []
        datasets = 0
        for _, dataset_rows in groupby(attr_rows, key=itemgetter(2)):
            found = list(dataset_rows)
            if len(found) > cap:
                by_id[entity_id].truncated = True
                found = found[1:] if last_n else found[:cap]
            kept.extend(found)
            datasets += 1
        if datasets > 1:  # the datasetIds of the attribute merged by time
            kept.sort(key=itemgetter(9, 10))
        by_id[entity_id].attrs[name] = [
            Instance(name, r[3], orjson.loads(r[4]), r[5], r[6], r[7], r[8], r[9]) for r in kept
        ]


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
        source += f"JOIN attr_history h ON h.pk IN (SELECT x.pk {newest})"
    sql = f"{source} WHERE k.tenant = ? AND k.entity_id IN ({','.join('?' * len(ids))}){attr_sql}"
    return sql, [*params, count, tenant, *ids, *(attrs or [])]


@dataclass
class Bucket:
    """Aggregates of one attribute over one period [start, end)."""

    start_ms: int
    end_ms: int
    values: dict[str, Any]


#: aggregation method → the SQL aggregates it needs
_AGGREGATES = {
    "totalCount": ("COUNT(*)",),
    "distinctCount": ("COUNT(DISTINCT h.value)",),
    "sum": ("SUM(h.num)",),
    "avg": ("AVG(h.num)",),
    "min": ("MIN(h.num)",),
    "max": ("MAX(h.num)",),
    "sumsq": ("SUM(h.num * h.num)",),
    "stddev": ("COUNT(h.num)", "SUM(h.num)", "SUM(h.num * h.num)"),
}


def _reader(method: str, needed: list[str]) -> Callable[[Sequence[Any]], Any]:
    """How the value of ``method`` is read from a row of (bucket, *needed)."""
    at = [needed.index(e) + 1 for e in _AGGREGATES[method]]
    if method == "stddev":
        return lambda row: _stddev(row[at[0]], row[at[1]], row[at[2]])
    column = at[0]
    if method in ("totalCount", "distinctCount"):
        return lambda row: int(row[column])
    return lambda row: None if row[column] is None else float(row[column])


def aggregate(
    session: Any,
    tenant: str,
    entity_id: str,
    attr: str,
    *,
    methods: list[str],
    period_ms: int | None,
    tq: TemporalQuery | None,
) -> list[Bucket]:
    """Per-period aggregates of one attribute computed in SQL (GROUP BY time bucket).

    Only instances that have the time property take part (deleted instances have no
    ``observedAt``; for the other time properties they are left out explicitly). Periods start
    at ``timeAt`` (or at the first instance) and last ``period_ms`` (one period spanning
    everything when None). Only the SQL aggregates the methods need are computed, on the
    (tenant, entity, attribute, observedAt, value) index.
    """
    prop = tq.timeproperty if tq else "observedAt"
    column = f"h.{TIME_COLUMNS[prop]}"
    condition, params, _ = time_filter(tq)
    deleted = "" if prop in ("observedAt", "deletedAt") else " AND h.deleted_ms IS NULL"
    where = (
        f"FROM attr_history h WHERE h.tenant = ? AND h.entity_id = ? AND h.attr = ? "
        f"AND {column} IS NOT NULL{deleted}{condition}"
    )
    base = [tenant, entity_id, attr, *params]
    rollups: list[Rollup] = []
    if prop == "observedAt":
        rollups = stored_rollups(
            session, tenant, entity_id, attr, *time_filter_on(tq, "r.first_ms")
        )
    if tq is not None and tq.timerel in ("after", "between"):
        start = _ms(tq.time_at)
    else:
        # ORDER BY … LIMIT 1 rather than MIN(): PostgreSQL without statistics yet (a freshly
        # loaded history) otherwise read every index entry of the attribute for it
        first = session.x(f"SELECT {column} {where} ORDER BY {column} LIMIT 1", base).fetchone()
        edges = [int(first[0])] if first and first[0] is not None else []
        edges += [r.first_ms for r in rollups[:1]]
        if not edges:
            return []
        start = min(edges)
    end = start + 1
    if tq is not None and tq.end_time_at is not None:
        end = _ms(tq.end_time_at)
    elif period_ms is None:
        last = session.x(f"SELECT {column} {where} ORDER BY {column} DESC LIMIT 1", base).fetchone()
        edges = [int(last[0])] if last and last[0] is not None else []
        edges += [max(r.last_ms for r in rollups)] if rollups else []
        if not edges:
            return []
        end = max(edges) + 1
    period = period_ms or max(end - start, 1)
    if rollups:
        return _merged(session, where, base, column, methods, rollups, start, end, period_ms)
    methods = list(dict.fromkeys(methods))
    needed = list(dict.fromkeys(e for m in methods for e in _AGGREGATES[m]))
    sql = f"SELECT ({column} - ?) / ? AS b, {', '.join(needed)} {where} GROUP BY b ORDER BY b"
    rows = session.x(sql, [start, period, *base]).fetchall()
    if "stddev" in methods:
        readers = [(m, _reader(m, needed)) for m in methods]
        found = [{method: read(row) for method, read in readers} for row in rows]
    else:  # one aggregate per method, as SQL gives it: COUNT an integer, the others a float
        found = [dict(zip(methods, row[1:], strict=True)) for row in rows]
    buckets = []
    for row, values in zip(rows, found, strict=True):
        first = start + int(row[0]) * period
        buckets.append(Bucket(first, first + period if period_ms else end, values))
    return buckets


_MERGE_SQL = (
    "COUNT(*)",
    "COUNT(h.num)",
    "SUM(h.num)",
    "MIN(h.num)",
    "MAX(h.num)",
    "SUM(h.num * h.num)",
    "COUNT(DISTINCT h.value)",
)


def _merged(
    session: Any,
    where: str,
    base: list[Any],
    column: str,
    methods: list[str],
    rollups: list[Rollup],
    start: int,
    end: int,
    period_ms: int | None,
) -> list[Bucket]:
    """Aggregates over periods where retention replaced raw instances by rollups: the raw
    values' count, sum, min, max and sum of squares per period, plus the rollups whose first
    instance falls in the period (exact when periods start on whole hours, see
    :mod:`dos.broker.temporal.rollup`). ``distinctCount`` is null where rollups take part."""
    period = period_ms or max(end - start, 1)
    sql = f"SELECT ({column} - ?) / ? AS b, {', '.join(_MERGE_SQL)} {where} GROUP BY b"
    sums: dict[int, Rollup] = {}
    distinct: dict[int, int | None] = {}
    for row in session.x(sql, [start, period, *base]).fetchall():
        index = int(row[0]) if period_ms else 0
        sums[index] = Rollup("", 0, 0, int(row[1]), int(row[2]), *row[3:7])
        distinct[index] = int(row[7])
    for rollup in rollups:
        index = (rollup.first_ms - start) // period if period_ms else 0
        if index in sums:
            sums[index].add(rollup)
        else:
            sums[index] = Rollup("", rollup.first_ms, rollup.last_ms)
            sums[index].add(rollup)
        distinct[index] = None
    buckets = []
    for index in sorted(sums):
        found = sums[index]
        values: dict[str, Any] = {}
        for method in methods:
            if method == "totalCount":
                values[method] = found.total
            elif method == "distinctCount":
                values[method] = distinct[index]
            elif method == "avg":
                values[method] = _avg(found)
            elif method == "stddev":
                values[method] = _stddev(found.num_count, found.num_sum, found.num_sumsq)
            else:
                raw = getattr(found, f"num_{method}")
                values[method] = float(raw) if raw is not None and found.num_count else None
        buckets.append(
            Bucket(
                start + index * period,
                start + (index + 1) * period if period_ms else end,
                values,
            )
        )
    return buckets


def _avg(found: Rollup) -> float | None:
    if not found.num_count or found.num_sum is None:
        return None
    return float(found.num_sum) / found.num_count


def _stddev(count: Any, total: Any, squares: Any) -> float | None:
    """Sample standard deviation from count, sum and sum of squares."""
    if not count or count < 2 or total is None or squares is None:
        return 0.0 if count == 1 else None
    n = int(count)
    variance = (float(squares) - float(total) * float(total) / n) / (n - 1)
    return math.sqrt(max(variance, 0.0))


_DURATION = re.compile(
    r"^P(?:(?P<w>\d+(?:\.\d+)?)W)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str) -> int | None:
    """Milliseconds of an ISO 8601 duration (weeks, days, hours, minutes, seconds);
    None for ``P0D`` / ``PT0S`` (one period spanning the whole range)."""
    match = _DURATION.match(text)
    if not match or text in ("P", "PT") or text.endswith("T"):
        if re.match(r"^P(\d+Y)?(\d+M)?", text) and ("Y" in text or "M" in text.split("T")[0]):
            raise NgsiError(
                "BadRequestData",
                f"aggrPeriodDuration: {text!r}: months and years have no fixed length; "
                "use weeks, days, hours, minutes or seconds",
            )
        raise NgsiError(
            "BadRequestData", f"aggrPeriodDuration: {text!r} is not an ISO 8601 duration like PT1H"
        )
    seconds = (
        float(match["w"] or 0) * 604800
        + float(match["d"] or 0) * 86400
        + float(match["h"] or 0) * 3600
        + float(match["m"] or 0) * 60
        + float(match["s"] or 0)
    )
    return int(seconds * 1000) or None
