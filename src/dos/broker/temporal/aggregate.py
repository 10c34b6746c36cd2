"""Aggregates of an attribute's history per period (``options=aggregatedValues``, §4.5.19).

Computed in SQL. By ``observedAt``, when every whole hour falls into one period (periods a
multiple of an hour starting on a whole hour, or one period over everything), the whole hours
are read from the hourly summaries (:mod:`dos.broker.temporal.hourly`), the partial hours at
the edges of the time query from the raw rows, and retention's rollups
(:mod:`dos.broker.temporal.rollup`) are added; otherwise the raw rows are grouped by period
(with the rollups when there are any). The result is columnar (:class:`Periods`): the
rendering zips it without a Python object per period.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dos.broker.errors import NgsiError
from dos.broker.query.temporal import TemporalQuery
from dos.broker.temporal.hourly import FAR, HOUR_MS, full_hours, summaries
from dos.broker.temporal.read import TIME_COLUMNS, _ms, time_filter, time_filter_on
from dos.broker.temporal.rollup import Rollup, stored_rollups

METHODS = ("totalCount", "distinctCount", "sum", "avg", "min", "max", "stddev", "sumsq")
_COUNTS = ("totalCount", "distinctCount")


@dataclass
class Periods:
    """Aggregates of one attribute per period [start, end): per method one value a period."""

    starts: list[int]
    ends: list[int]
    values: dict[str, list[Any]]

    def __len__(self) -> int:
        return len(self.starts)


#: aggregation method → the SQL aggregates it needs (raw rows only)
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
#: the additive sums of raw rows per period: total, count, sum, min, max, sum of squares
_SUMS_SQL = "COUNT(*), COUNT(h.num), SUM(h.num), MIN(h.num), MAX(h.num), SUM(h.num * h.num)"


def aggregate(
    session: Any,
    tenant: str,
    entity_id: str,
    attr: str,
    *,
    methods: list[str],
    period_ms: int | None,
    tq: TemporalQuery | None,
) -> Periods:
    """Per-period aggregates of one attribute (periods without instances left out).

    Only instances that have the time property take part (deleted instances have no
    ``observedAt``; for the other time properties they are left out explicitly). Periods start
    at ``timeAt`` (or at the first instance) and last ``period_ms`` (one period spanning
    everything when None).
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
    methods = list(dict.fromkeys(methods))
    nothing = Periods([], [], {m: [] for m in methods})
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
            return nothing
        start = min(edges)
    end = start + 1
    if tq is not None and tq.end_time_at is not None:
        end = _ms(tq.end_time_at)
    elif period_ms is None:
        last = session.x(f"SELECT {column} {where} ORDER BY {column} DESC LIMIT 1", base).fetchone()
        edges = [int(last[0])] if last and last[0] is not None else []
        edges += [max(r.last_ms for r in rollups)] if rollups else []
        if not edges:
            return nothing
        end = max(edges) + 1
    period = period_ms or max(end - start, 1)
    if (
        prop == "observedAt"
        and "distinctCount" not in methods
        and (period_ms is None or (start % HOUR_MS == 0 and period_ms % HOUR_MS == 0))
    ):  # every whole hour in one period: its summary stands for its rows
        hours = full_hours(*_filter_range(tq))
        rows = _summarized(session, where, base, column, rollups, start, period_ms, hours)
        return _periods(rows, methods, start, period, period_ms, end)
    if rollups:
        rows, distinct = _merged(session, where, base, column, rollups, start, period_ms, end)
        return _periods(rows, methods, start, period, period_ms, end, distinct)
    needed = list(dict.fromkeys(e for m in methods for e in _AGGREGATES[m]))
    sql = f"SELECT ({column} - ?) / ? AS b, {', '.join(needed)} {where} GROUP BY b ORDER BY b"
    found = session.x(sql, [start, period, *base]).fetchall()
    values: dict[str, list[Any]] = {}
    for method in methods:  # counts as integers, the others as floats (None: no numbers)
        at = [needed.index(e) + 1 for e in _AGGREGATES[method]]
        if method == "stddev":
            values[method] = [_stddev(r[at[0]], r[at[1]], r[at[2]]) for r in found]
        elif method in _COUNTS:
            values[method] = [int(r[at[0]]) for r in found]
        else:
            values[method] = [None if r[at[0]] is None else float(r[at[0]]) for r in found]
    starts = [start + int(r[0]) * period for r in found]
    return Periods(starts, _ends(starts, period_ms, end), values)


def _ends(starts: list[int], period_ms: int | None, end: int) -> list[int]:
    return [s + period_ms for s in starts] if period_ms else [end] * len(starts)


def _filter_range(tq: TemporalQuery | None) -> tuple[int | None, int | None]:
    """The instants [low, high) that the time query selects (None: unbounded)."""
    if tq is None:
        return None, None
    if tq.timerel == "before":
        return None, _ms(tq.time_at)
    if tq.timerel == "after":
        return _ms(tq.time_at) + 1, None
    assert tq.end_time_at is not None
    return _ms(tq.time_at), _ms(tq.end_time_at)


def _summarized(
    session: Any,
    where: str,
    base: list[Any],
    column: str,
    rollups: list[Rollup],
    start: int,
    period_ms: int | None,
    hours: tuple[int, int],
) -> Sequence[Sequence[Any]]:
    """Sums per period (index, total, count, sum, min, max, sum of squares) from the hourly
    summaries of the whole ``hours``, the raw rows of the time query outside them and the
    rollups."""
    tenant, entity_id, attr = base[0], base[1], base[2]
    found: Sequence[Sequence[Any]] = summaries(
        session, tenant, entity_id, attr, start, period_ms, hours
    )
    extra: list[tuple[int, Sequence[Any]]] = []
    low, high = hours
    if low > -FAR or high < FAR:  # the raw rows of the partial hours at the edges
        if low > -FAR and high < FAR:
            outside, bounds = f" AND ({column} < ? OR {column} >= ?)", [low, high]
        elif low > -FAR:
            outside, bounds = f" AND {column} < ?", [low]
        else:
            outside, bounds = f" AND {column} >= ?", [high]
        period = period_ms or FAR
        sql = f"SELECT ({column} - ?) / ? AS b, {_SUMS_SQL} {where}{outside} GROUP BY b"
        for row in session.x(sql, [start, period, *base, *bounds]).fetchall():
            extra.append((int(row[0]) if period_ms else 0, row[1:]))
    for rollup in rollups:
        index = (rollup.first_ms - start) // period_ms if period_ms else 0
        extra.append((index, _sums_of(rollup)))
    if not extra:
        return found
    sums: dict[int, list[Any]] = {int(row[0]): list(row[1:]) for row in found}
    for index, more in extra:
        if index in sums:
            _add(sums[index], more)
        else:
            sums[index] = list(more)
    return [(index, *sums[index]) for index in sorted(sums)]


def _sums_of(rollup: Rollup) -> list[Any]:
    return [
        rollup.total,
        rollup.num_count,
        rollup.num_sum,
        rollup.num_min,
        rollup.num_max,
        rollup.num_sumsq,
    ]


def _add(sums: list[Any], more: Sequence[Any]) -> None:
    """Add the sums ``more`` to ``sums`` (without numbers: count 0, the rest NULL)."""
    sums[0] = int(sums[0]) + int(more[0])
    if not more[1]:
        return
    if not sums[1]:
        sums[1:] = list(more[1:])
        return
    sums[1] = int(sums[1]) + int(more[1])
    sums[2] = float(sums[2]) + float(more[2])
    sums[3] = min(float(sums[3]), float(more[3]))
    sums[4] = max(float(sums[4]), float(more[4]))
    sums[5] = float(sums[5]) + float(more[5])


def _merged(
    session: Any,
    where: str,
    base: list[Any],
    column: str,
    rollups: list[Rollup],
    start: int,
    period_ms: int | None,
    end: int,
) -> tuple[list[Sequence[Any]], list[int | None]]:
    """Sums per period (as :func:`_summarized`) of the raw values and the rollups whose first
    instance falls in the period, where the hourly summaries cannot be used (periods not
    aligned on hours, or ``distinctCount``), with each period's distinct count (None where
    rollups take part: they cannot say it)."""
    period = period_ms or max(end - start, 1)
    sql = f"SELECT ({column} - ?) / ? AS b, {_SUMS_SQL}, COUNT(DISTINCT h.value) {where} GROUP BY b"
    sums: dict[int, list[Any]] = {}
    distinct: dict[int, int | None] = {}
    for row in session.x(sql, [start, period, *base]).fetchall():
        index = int(row[0]) if period_ms else 0
        sums[index] = list(row[1:7])
        distinct[index] = int(row[7])
    for rollup in rollups:
        index = (rollup.first_ms - start) // period if period_ms else 0
        more = _sums_of(rollup)
        if index in sums:
            _add(sums[index], more)
        else:
            sums[index] = more
        distinct[index] = None
    order = sorted(sums)
    return [(index, *sums[index]) for index in order], [distinct[index] for index in order]


def _periods(
    rows: Sequence[Sequence[Any]],
    methods: list[str],
    start: int,
    period: int,
    period_ms: int | None,
    end: int,
    distinct: list[int | None] | None = None,
) -> Periods:
    """:class:`Periods` of sums rows (index, total, count, sum, min, max, sum of squares)."""
    values: dict[str, list[Any]] = {}
    for method in methods:
        if method == "totalCount":
            values[method] = [int(r[1]) for r in rows]
        elif method == "distinctCount":
            values[method] = distinct if distinct is not None else [None] * len(rows)
        elif method == "avg":
            values[method] = [float(r[3]) / int(r[2]) if r[2] else None for r in rows]
        elif method == "stddev":
            values[method] = [_stddev(r[2], r[3], r[6]) for r in rows]
        else:
            at = {"sum": 3, "min": 4, "max": 5, "sumsq": 6}[method]
            values[method] = [float(r[at]) if r[2] else None for r in rows]
    starts = [start + int(r[0]) * period for r in rows]
    return Periods(starts, _ends(starts, period_ms, end), values)


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
