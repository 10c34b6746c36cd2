"""Hourly summaries of the history, kept in step with ``attr_history`` for aggregates.

``attr_hourly`` (migration ``0011_history_hourly``) holds, per tenant, entity, attribute and
hour of ``observedAt`` (UTC, all datasetIds together), the count of the raw instances that
have an ``observedAt``, the count of their numbers, and the numbers' sum, min, max and sum of
squares — exactly what :func:`dos.broker.temporal.aggregate.aggregate` computes by ``observedAt``
from those rows. An hourly average over a year then reads 8,760 summary rows instead of
105,120 instances.

The summaries describe the raw rows that exist, nothing else (retention's rollups of deleted
rows are :mod:`dos.broker.temporal.rollup`):

- appending rows (:func:`dos.broker.temporal.history.append_history`, the one way rows are
  written) adds them with one UPSERT per (attribute, hour) of the batch — additive, so late
  values and concurrent writers (PostgreSQL) merge into the same row;
- modifying or deleting rows (one instance, an attribute's history of one datasetId, a
  retention batch) recomputes the hours they touched from the raw rows that remain
  (:func:`rebuild`), since a minimum or maximum cannot be subtracted;
- deleting an attribute's whole history or the temporal entity deletes its summaries.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

HOUR_MS = 3_600_000
#: bounds beyond any epoch-milliseconds instant (an unbounded rebuild)
FAR = 1 << 62
_COLUMNS = (
    "tenant, entity_id, attr, start_ms, total, num_count, num_sum, num_min, num_max, num_sumsq"
)


def _merge(dialect: str) -> str:
    """ON CONFLICT clause that adds the new summary to the stored one (NULL: no numbers)."""
    least, greatest = ("LEAST", "GREATEST") if dialect == "postgresql" else ("MIN", "MAX")
    return (
        "ON CONFLICT (tenant, entity_id, attr, start_ms) DO UPDATE SET "
        "total = attr_hourly.total + excluded.total, "
        "num_count = attr_hourly.num_count + excluded.num_count, "
        "num_sum = COALESCE(attr_hourly.num_sum + excluded.num_sum, attr_hourly.num_sum, "
        "excluded.num_sum), "
        f"num_min = COALESCE({least}(attr_hourly.num_min, excluded.num_min), "
        "attr_hourly.num_min, excluded.num_min), "
        f"num_max = COALESCE({greatest}(attr_hourly.num_max, excluded.num_max), "
        "attr_hourly.num_max, excluded.num_max), "
        "num_sumsq = COALESCE(attr_hourly.num_sumsq + excluded.num_sumsq, attr_hourly.num_sumsq, "
        "excluded.num_sumsq)"
    )


_UPSERT = {
    dialect: f"INSERT INTO attr_hourly ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    + _merge(dialect)
    for dialect in ("sqlite", "postgresql")
}
_MERGE_PG = _merge("postgresql")
#: most hours written by one multi-row statement on PostgreSQL (more: ``executemany``)
_MULTI_ROW = 20
#: the hour of ``observed_ms``, rounded down also before 1970 (like Python's ``%``)
HOUR_SQL = f"observed_ms - ((observed_ms % {HOUR_MS}) + {HOUR_MS}) % {HOUR_MS}"
#: every summary from the raw rows (the migration's backfill, and :func:`rebuild`)
SUMMARIZE_SQL = (
    f"SELECT tenant, entity_id, attr, {HOUR_SQL} AS hour_start, COUNT(*), COUNT(num), "
    "SUM(num), MIN(num), MAX(num), SUM(num * num) FROM attr_history "
    "WHERE observed_ms IS NOT NULL{where} GROUP BY tenant, entity_id, attr, hour_start"
)
_REBUILD = {
    dialect: f"INSERT INTO attr_hourly ({_COLUMNS}) "
    + SUMMARIZE_SQL.format(
        where=" AND tenant = ? AND entity_id = ? AND attr = ? AND observed_ms >= ? "
        "AND observed_ms < ?"
    )
    + " "
    + _merge(dialect)
    for dialect in ("sqlite", "postgresql")
}
_REBUILD["postgresql"] = _REBUILD["postgresql"].replace("%", "%%")  # psycopg's placeholders


def hour_of(ms: int) -> int:
    return ms - ms % HOUR_MS


def add_rows(session: Any, rows: Sequence[tuple[Any, ...]]) -> None:
    """Add history rows (:func:`dos.broker.temporal.history.history_row`) to the summaries:
    one UPSERT per (tenant, entity, attribute, hour) of the batch."""
    hours: dict[tuple[str, str, str, int], list[Any]] = {}
    for row in rows:
        observed = row[9]
        if observed is None:
            continue
        key = (row[0], row[1], row[2], observed - observed % HOUR_MS)
        num = row[8]
        found = hours.get(key)
        if found is None:
            if num is None:
                hours[key] = [1, 0, None, None, None, None]
            else:
                hours[key] = [1, 1, num, num, num, num * num]
        else:
            found[0] += 1
            if num is not None:
                if found[1]:
                    found[2] += num
                    found[3] = min(found[3], num)
                    found[4] = max(found[4], num)
                    found[5] += num * num
                else:
                    found[2:] = [num, num, num, num * num]
                found[1] += 1
    if not hours:
        return
    # one order for every writer: concurrent PostgreSQL transactions do not deadlock
    values = [(*key, *hours[key]) for key in sorted(hours)]
    if session.dialect == "sqlite" or len(values) > _MULTI_ROW:
        session.many(_UPSERT[session.dialect], values)
        return
    # PostgreSQL, a few hours (a measure, a PATCH): one statement, not a pipeline of them
    marks = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(values))
    session.x(
        f"INSERT INTO attr_hourly ({_COLUMNS}) VALUES {marks} {_MERGE_PG}",
        [v for row in values for v in row],
    )


def rebuild(
    session: Any, tenant: str, entity_id: str, attr: str, first: int = -FAR, last: int = FAR
) -> None:
    """Recompute the summaries of the hours that contain instants ``first``..``last`` (both
    included; all hours by default) from the raw rows, after rows were changed or deleted."""
    low = hour_of(first) if first > -FAR else -FAR
    high = hour_of(last) + HOUR_MS if last < FAR else FAR
    session.x(
        "DELETE FROM attr_hourly WHERE tenant = ? AND entity_id = ? AND attr = ? "
        "AND start_ms >= ? AND start_ms < ?",
        (tenant, entity_id, attr, low, high),
    )
    # additive: a PostgreSQL writer that added a row of these hours meanwhile is kept
    session.x(_REBUILD[session.dialect], (tenant, entity_id, attr, low, high))


def full_hours(low: int | None, high: int | None) -> tuple[int, int]:
    """The whole hours [from, to) inside the instants [low, high) (None: unbounded)."""
    start = -FAR if low is None else -((-low) // HOUR_MS) * HOUR_MS
    end = FAR if high is None else (high // HOUR_MS) * HOUR_MS
    return start, end


def summaries(
    session: Any,
    tenant: str,
    entity_id: str,
    attr: str,
    start: int,
    period: int | None,
    hours: tuple[int, int],
) -> list[Any]:
    """Per period (index from ``start``; ``period`` a multiple of an hour, None: one period)
    the summed summaries of the hours in ``hours``: (index, total, count, sum, min, max, sum
    of squares), in period order."""
    where = (
        "FROM attr_hourly WHERE tenant = ? AND entity_id = ? AND attr = ? "
        "AND start_ms >= ? AND start_ms < ?"
    )
    params: tuple[Any, ...] = (start, period, tenant, entity_id, attr, *hours)
    if period is None:
        sql = (
            "SELECT 0, SUM(total), SUM(num_count), SUM(num_sum), MIN(num_min), MAX(num_max), "
            f"SUM(num_sumsq) {where}"
        )
        params = params[2:]
    elif period == HOUR_MS:  # one hour per period: the rows in key order, no grouping
        sql = (
            "SELECT (start_ms - ?) / ?, total, num_count, num_sum, num_min, num_max, "
            f"num_sumsq {where} ORDER BY start_ms"
        )
    else:
        sql = (
            "SELECT (start_ms - ?) / ? AS b, SUM(total), SUM(num_count), SUM(num_sum), "
            f"MIN(num_min), MAX(num_max), SUM(num_sumsq) {where} GROUP BY b ORDER BY b"
        )
    rows: list[Any] = session.x(sql, params).fetchall()
    return [row for row in rows if row[1]]  # (one period over no hours: a row of NULLs)
