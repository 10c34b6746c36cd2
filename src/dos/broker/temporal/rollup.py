"""Applying retention: raw instances past their policy become hourly (and daily) rollups.

For every entity that a policy covers (:mod:`dos.broker.temporal.retention`), instances whose
``observedAt`` lies before the raw cut-off (rounded down to the hour) are added to per-hour
rollup rows of their entity, attribute and datasetId (count, numeric count, sum, min, max,
sum of squares, first and last ``observedAt``) and deleted, in the same transaction and in
batches of :data:`BATCH` rows, so that other writes of the broker interleave. A rollup row
that already exists is merged with the new values, which is what makes a second run (or a
late instance) give the same totals as one run over everything. Instances without
``observedAt`` (deletion records, values written without it) never took part in aggregates
by ``observedAt``; they are deleted by ``modifiedAt``. Rollups past their own retention are
deleted whole days at a time.

Aggregates by ``observedAt`` combine rollups with the raw values that remain
(:func:`dos.broker.temporal.aggregate.aggregate` with :func:`stored_rollups`). ``distinctCount``
cannot be rolled up: periods that contain rollups answer it with null.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import astuple, dataclass, field
from functools import partial
from typing import Any

import orjson

from dos.broker.store import Store
from dos.broker.temporal import hourly
from dos.broker.temporal.retention import (
    DAY_MS,
    HOUR_MS,
    NONE,
    Policy,
    cutoff_ms,
    policy_list,
    resolve,
)
from dos.broker.temporal.times import from_ms, now_ms, to_ms

#: raw instances rolled up and deleted per transaction
BATCH = 2000
LAST_RUN_KEY = "retention.last_run"
ROLLUP_LOCK = 4243  # PostgreSQL advisory lock of a roll-up batch (4242: migrations)
PERIODS = {"hour": HOUR_MS, "day": DAY_MS}
_ROLLUP_COLUMNS = (
    "tenant, entity_id, attr, dataset_id, period, start_ms, kind, first_ms, last_ms, total, "
    "num_count, num_sum, num_min, num_max, num_sumsq"
)


@dataclass
class Outcome:
    """What retention did (or, in a dry run, would do) for one tenant and policy type."""

    tenant: str
    entity_type: str
    policy: Policy
    entities: int = 0
    rolled_up: int = 0  # raw instances added to rollups
    deleted: int = 0  # raw instances deleted
    expired: int = 0  # rollup rows deleted past their own retention
    entity_ids: list[str] = field(default_factory=list, repr=False)


@dataclass
class Rollup:
    """The additive summary of instances of one attribute in one hour or day."""

    kind: str
    first_ms: int
    last_ms: int
    total: int = 0
    num_count: int = 0
    num_sum: float | None = None
    num_min: float | None = None
    num_max: float | None = None
    num_sumsq: float | None = None

    def add(self, other: Rollup) -> None:
        self.first_ms = min(self.first_ms, other.first_ms)
        self.last_ms = max(self.last_ms, other.last_ms)
        self.total += other.total
        self.num_count += other.num_count
        if other.num_count:
            if self.num_sum is None:
                self.num_sum, self.num_sumsq = other.num_sum, other.num_sumsq
                self.num_min, self.num_max = other.num_min, other.num_max
            else:
                self.num_sum = (self.num_sum or 0.0) + (other.num_sum or 0.0)
                self.num_sumsq = (self.num_sumsq or 0.0) + (other.num_sumsq or 0.0)
                self.num_min = min(_f(self.num_min), _f(other.num_min))
                self.num_max = max(_f(self.num_max), _f(other.num_max))


def _f(value: float | None) -> float:
    assert value is not None
    return value


def _single(kind: str, observed: int, num: float | None) -> Rollup:
    if num is None:
        return Rollup(kind, observed, observed, 1)
    return Rollup(kind, observed, observed, 1, 1, num, num, num, num * num)


# -- planning -----------------------------------------------------------------------------
def _plan(session: Any, tenant: str | None) -> list[Outcome]:
    """Every (tenant, policy) that covers at least one temporal entity, with its entities."""
    policies = policy_list(session)
    if not policies:
        return []
    sql = "SELECT tenant, id, types FROM temporal_entities"
    params: list[Any] = []
    if tenant is not None:
        sql += " WHERE tenant = ?"
        params.append(tenant)
    outcomes: dict[tuple[str, str, str], Outcome] = {}
    resolved: dict[tuple[str, str], Policy | None] = {}
    for entity_tenant, entity_id, types in session.x(sql + " ORDER BY tenant, id", params):
        key = (entity_tenant, types)
        if key not in resolved:
            resolved[key] = resolve(policies, entity_tenant, list(orjson.loads(types)))
        policy = resolved[key]
        if policy is None:
            continue
        slot = (entity_tenant, policy.tenant, policy.entity_type)
        outcome = outcomes.setdefault(slot, Outcome(entity_tenant, policy.entity_type, policy))
        outcome.entities += 1
        outcome.entity_ids.append(entity_id)
    return list(outcomes.values())


# -- one batch ----------------------------------------------------------------------------
_OLD_OBSERVED = (
    "FROM attr_history WHERE tenant = ? AND entity_id = ? AND attr = ? "
    "AND observed_ms IS NOT NULL AND observed_ms < ?"
)
#: (the time as COALESCE(observed_ms, modified_ms), which is modified_ms here: the lastN index
#: holds it, so the rows of the series' index are filtered before the table is read; the
#: observedAt index holds only rows that have an observedAt, migration 0013)
_OLD_UNOBSERVED = (
    "FROM attr_history WHERE tenant = ? AND entity_id = ? AND attr = ? "
    "AND observed_ms IS NULL AND COALESCE(observed_ms, modified_ms) < ?"
)


def _merge_rollups(
    session: Any,
    tenant: str,
    entity_id: str,
    attr: str,
    period: str,
    fresh: dict[tuple[str, int], Rollup],
) -> None:
    """Add ``fresh`` rollups ((datasetId, start) → rollup) to the stored ones."""
    if not fresh:
        return
    starts = [start for _, start in fresh]
    stored = session.x(
        f"SELECT {_ROLLUP_COLUMNS} FROM attr_rollups WHERE tenant = ? AND entity_id = ? "
        "AND attr = ? AND period = ? AND start_ms >= ? AND start_ms <= ?",
        (tenant, entity_id, attr, period, min(starts), max(starts)),
    ).fetchall()
    for row in stored:
        key = (row[3], int(row[5]))
        if key in fresh:
            merged = Rollup(row[6], int(row[7]), int(row[8]), int(row[9]), int(row[10]), *row[11:])
            merged.add(fresh[key])
            fresh[key] = merged
    session.many(
        f"INSERT INTO attr_rollups ({_ROLLUP_COLUMNS}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (tenant, entity_id, attr, period, start_ms, dataset_id) DO UPDATE SET "
        "first_ms = excluded.first_ms, last_ms = excluded.last_ms, total = excluded.total, "
        "num_count = excluded.num_count, num_sum = excluded.num_sum, "
        "num_min = excluded.num_min, num_max = excluded.num_max, num_sumsq = excluded.num_sumsq",
        [
            (tenant, entity_id, attr, dataset, period, start, *astuple(r))
            for (dataset, start), r in fresh.items()
        ],
    )


def _roll_batch(
    session: Any,
    tenant: str,
    entity_id: str,
    attr: str,
    raw_cut: int,
    keep_from: dict[str, int | None],
) -> tuple[int, int]:
    """Roll up and delete at most :data:`BATCH` old observed instances: (rolled up, deleted).

    ``keep_from``: per period the start from which its rollups are kept (absent: not kept).
    On PostgreSQL, batches of all processes (the worker, ``dos broker retention apply``)
    take one advisory lock first, so that two never count the same instances or merge into
    the same rollup at once; SQLite has a single writer anyway.
    """
    if session.dialect == "postgresql":
        session.x("SELECT pg_advisory_xact_lock(?)", (ROLLUP_LOCK,))
    rows = session.x(
        f"SELECT pk, dataset_id, kind, observed_ms, num {_OLD_OBSERVED} "
        "ORDER BY observed_ms LIMIT ?",
        (tenant, entity_id, attr, raw_cut, BATCH),
    ).fetchall()
    if not rows:
        return 0, 0
    rolled = 0
    fresh: dict[str, dict[tuple[str, int], Rollup]] = {period: {} for period in keep_from}
    for _, dataset, kind, observed, num in rows:
        observed = int(observed)
        counted = False
        for period, kept_from in keep_from.items():
            start = observed - observed % PERIODS[period]
            if kept_from is not None and start < kept_from:
                continue  # this rollup would already be past its own retention
            single = _single(kind, observed, None if num is None else float(num))
            slot = fresh[period].get((dataset, start))
            if slot is None:
                fresh[period][(dataset, start)] = single
            else:
                slot.add(single)
            counted = True
        rolled += counted
    for period, found in fresh.items():
        _merge_rollups(session, tenant, entity_id, attr, period, found)
    _delete_rows(session, [int(row[0]) for row in rows])
    # the hourly summaries of the raw rows: what remains of the hours they were in
    hourly.rebuild(session, tenant, entity_id, attr, int(rows[0][3]), int(rows[-1][3]))
    return rolled, len(rows)


def _delete_rows(session: Any, pks: list[int]) -> None:
    for begin in range(0, len(pks), 500):
        chunk = pks[begin : begin + 500]
        session.x(f"DELETE FROM attr_history WHERE pk IN ({','.join('?' * len(chunk))})", chunk)


def _delete_unobserved(session: Any, tenant: str, entity_id: str, attr: str, cut: int) -> int:
    rows = session.x(
        f"SELECT pk {_OLD_UNOBSERVED} ORDER BY modified_ms, pk LIMIT ?",
        (tenant, entity_id, attr, cut, BATCH),
    ).fetchall()
    _delete_rows(session, [int(row[0]) for row in rows])
    return len(rows)


def _expire_sql(dry_run: bool) -> str:
    verb = "SELECT COUNT(*)" if dry_run else "DELETE"
    return f"{verb} FROM attr_rollups WHERE tenant = ? AND entity_id = ? AND period = ? AND start_ms < ?"


# -- applying -----------------------------------------------------------------------------
def _attrs(session: Any, tenant: str, entity_id: str) -> list[str]:
    return [
        str(row[0])
        for row in session.x(
            "SELECT DISTINCT attr FROM temporal_attrs WHERE tenant = ? AND entity_id = ?",
            (tenant, entity_id),
        )
    ]


def _expire(session: Any, params: tuple[Any, ...], dry_run: bool) -> int:
    if dry_run:
        return int(session.x(_expire_sql(True), params).fetchone()[0])
    return len(session.x(_expire_sql(False) + " RETURNING 1", params).fetchall())


def _apply_entity(store: Store, outcome: Outcome, entity_id: str, now: int, dry_run: bool) -> None:
    policy, tenant = outcome.policy, outcome.tenant
    raw_cut = cutoff_ms(policy.raw, now, align_ms=HOUR_MS)
    keep_from: dict[str, int | None] = {}
    for period, duration in (("hour", policy.hourly), ("day", policy.daily)):
        if duration != NONE:
            keep_from[period] = cutoff_ms(duration, now, align_ms=DAY_MS)
    if raw_cut is not None:
        for attr in store.read(partial(_attrs, tenant=tenant, entity_id=entity_id)):
            if dry_run:
                _count_old(store, outcome, entity_id, attr, raw_cut, keep_from)
                continue
            where = {"tenant": tenant, "entity_id": entity_id, "attr": attr}
            deleted = BATCH
            while deleted == BATCH:  # a short batch: nothing older is left
                rolled, deleted = store.write(
                    partial(_roll_batch, **where, raw_cut=raw_cut, keep_from=keep_from)
                )
                outcome.rolled_up += rolled
                outcome.deleted += deleted
            deleted = BATCH
            while deleted == BATCH:
                deleted = store.write(partial(_delete_unobserved, **where, cut=raw_cut))
                outcome.deleted += deleted
    for period, kept_from in keep_from.items():
        if kept_from is not None:
            params = (tenant, entity_id, period, kept_from)
            run = store.read if dry_run else store.write
            outcome.expired += run(partial(_expire, params=params, dry_run=dry_run))


def _count_old(
    store: Store,
    outcome: Outcome,
    entity_id: str,
    attr: str,
    raw_cut: int,
    keep_from: dict[str, int | None],
) -> None:
    """Dry run: what :func:`_roll_batch` and :func:`_delete_unobserved` would remove."""
    params = (outcome.tenant, entity_id, attr, raw_cut)
    kept = list(keep_from.values())
    # an instance is rolled up when at least one of its rollups is still kept
    earliest = min((k for k in kept if k is not None), default=None)
    rolled_from = None if not kept else (None if None in kept else earliest)

    def count(session: Any) -> tuple[int, int, int]:
        old = int(session.x(f"SELECT COUNT(*) {_OLD_OBSERVED}", params).fetchone()[0])
        unobserved = int(session.x(f"SELECT COUNT(*) {_OLD_UNOBSERVED}", params).fetchone()[0])
        rolled = 0
        if kept:
            extra = "" if rolled_from is None else " AND observed_ms >= ?"
            more = () if rolled_from is None else (rolled_from,)
            rolled = int(
                session.x(f"SELECT COUNT(*) {_OLD_OBSERVED}{extra}", (*params, *more)).fetchone()[0]
            )
        return old, unobserved, rolled

    old, unobserved, rolled = store.read(count)
    outcome.rolled_up += rolled
    outcome.deleted += old + unobserved


def retention_apply(
    store: Store,
    *,
    tenant: str | None = None,
    dry_run: bool = False,
    now: int | None = None,
    stop: threading.Event | None = None,
) -> list[Outcome]:
    """Apply every retention policy (of one tenant): roll up, delete, expire rollups.

    Returns one :class:`Outcome` per tenant and policy that covers entities. With ``dry_run``
    nothing is written and the outcomes say what would be done. Idempotent: a second run at
    the same ``now`` finds nothing left to do. Records the time of a real run
    (:func:`last_run`). When ``stop`` is set (the worker shuts down), the run ends after the
    entity in progress; what is done is consistent, the rest waits for the next run.
    """
    moment = now if now is not None else now_ms()
    outcomes = store.read(lambda s: _plan(s, tenant))
    for outcome in outcomes:
        for entity_id in outcome.entity_ids:
            if stop is not None and stop.is_set():
                return outcomes
            _apply_entity(store, outcome, entity_id, moment, dry_run)
    if not dry_run:
        store.write(lambda s: _set_last_run(s, moment))
    return outcomes


# -- the daily run ------------------------------------------------------------------------
def _set_last_run(session: Any, moment: int) -> None:
    session.x(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (LAST_RUN_KEY, from_ms(moment)),
    )


def last_run(session: Any) -> int | None:
    """When retention was last applied (epoch ms), None if never."""
    row = session.x("SELECT value FROM meta WHERE key = ?", (LAST_RUN_KEY,)).fetchone()
    return None if row is None else to_ms(row[0])


def retention_claim(store: Store, interval_ms: int, now: int | None = None) -> bool:
    """Whether a run is due (the last one is ``interval_ms`` old or there was none); if so,
    record ``now`` as the last run in the same transaction, so that of several workers (or a
    restarted one) only one runs."""
    moment = now if now is not None else now_ms()

    def claim(session: Any) -> bool:
        before = last_run(session)
        if before is not None and moment - before < interval_ms:
            return False
        _set_last_run(session, moment)
        return True

    return store.write(claim)


def stored_rollups(
    session: Any, tenant: str, entity_id: str, attr: str, condition: str, params: Iterable[Any]
) -> list[Rollup]:
    """The rollups of one attribute that aggregates use: every hourly one, and a daily one
    only for days without hourly rollups. ``condition`` filters on ``r.first_ms``."""
    rows = session.x(
        "SELECT r.kind, r.first_ms, r.last_ms, r.total, r.num_count, r.num_sum, r.num_min, "
        "r.num_max, r.num_sumsq FROM attr_rollups r WHERE r.tenant = ? AND r.entity_id = ? "
        "AND r.attr = ? AND (r.period = 'hour' OR (r.period = 'day' AND NOT EXISTS ("
        "SELECT 1 FROM attr_rollups x WHERE x.tenant = r.tenant AND x.entity_id = r.entity_id "
        "AND x.attr = r.attr AND x.period = 'hour' AND x.dataset_id = r.dataset_id "
        f"AND x.start_ms >= r.start_ms AND x.start_ms < r.start_ms + {DAY_MS})))"
        f"{condition} ORDER BY r.first_ms",
        (tenant, entity_id, attr, *params),
    ).fetchall()
    return [
        Rollup(row[0], int(row[1]), int(row[2]), int(row[3]), int(row[4]), *row[5:]) for row in rows
    ]
