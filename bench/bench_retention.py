"""Retention (roll-up and delete) against its raw ceiling.

Loads one year of 5-minute values (105,120 instances) of one attribute into a fresh broker
store (SQLite by default, PostgreSQL with ``DOS_DATABASE_URL``), with a policy that keeps raw
values 30 days, and measures:

- raw ceiling: the same work written by hand as two SQL statements in one transaction
  (``INSERT INTO attr_rollups SELECT … GROUP BY hour`` and ``DELETE FROM attr_history``), no
  batching, no merging with existing rollups;
- broker: :func:`dos.broker.temporal.rollup.retention_apply` (batches of 2,000 instances, each
  its own transaction), and its ratio to the raw statements;
- the hourly average over the year through :func:`dos.broker.temporal.aggregate.aggregate` before
  and after the roll-up (rollups plus the remaining raw values).

Every measurement runs on a freshly loaded store (the work is destructive).
Run: ``PYTHONPATH=src python bench/bench_retention.py [repetitions]`` (default 3).
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
from typing import Any

from dos.broker.store import Store, open_store
from dos.broker.temporal.aggregate import Periods, aggregate
from dos.broker.temporal.history import UPSERT_ENTITY, append_history, history_row
from dos.broker.temporal.retention import check_policy, policy_set
from dos.broker.temporal.rollup import retention_apply
from dos.broker.temporal.times import from_ms
from dos.config import load

ENTITY = "urn:ngsi-ld:WeatherObserved:bench"
ATTR = "https://uri.etsi.org/ngsi-ld/default-context/temperature"
START = 1767225600000  # 2026-01-01T00:00:00Z
STEP = 5 * 60 * 1000
COUNT = 105_120
HOUR = 3_600_000
NOW = START + COUNT * STEP  # 2027-01-01: P30D keeps December
RAW_SQL = (
    "INSERT INTO attr_rollups (tenant, entity_id, attr, dataset_id, period, start_ms, kind, "
    "first_ms, last_ms, total, num_count, num_sum, num_min, num_max, num_sumsq) "
    "SELECT tenant, entity_id, attr, dataset_id, 'hour', (observed_ms / 3600000) * 3600000, "
    "MIN(kind), MIN(observed_ms), MAX(observed_ms), COUNT(*), COUNT(num), SUM(num), MIN(num), "
    "MAX(num), SUM(num * num) FROM attr_history WHERE tenant = ? AND entity_id = ? AND attr = ? "
    "AND observed_ms < ? GROUP BY tenant, entity_id, attr, dataset_id, "
    "(observed_ms / 3600000) * 3600000"
)
RAW_DELETE = (
    "DELETE FROM attr_history WHERE tenant = ? AND entity_id = ? AND attr = ? AND observed_ms < ?"
)


def _fresh(folder: str, index: int) -> Store:
    env = {"DOS_DATA_DIR": os.path.join(folder, str(index))}
    if os.environ.get("DOS_DATABASE_URL"):
        env["DOS_DATABASE_URL"] = os.environ["DOS_DATABASE_URL"]
    store = open_store(load(env), schema=f"bench_retention_{index}")
    if store.engine == "postgresql":
        store.drop_schema()  # type: ignore[attr-defined]
    store.migrate()

    def write(session: Any) -> None:
        session.x("INSERT INTO tenants (tenant, created_at) VALUES ('', '') ON CONFLICT DO NOTHING")
        types = '["https://uri.etsi.org/ngsi-ld/default-context/WeatherObserved"]'
        session.x(UPSERT_ENTITY, ("", ENTITY, types, START, START))
        rows = []
        for i in range(COUNT):
            moment = START + i * STEP
            value = {
                "type": "Property",
                "value": 10 + (i % 288) / 10,
                "observedAt": from_ms(moment),
            }
            rows.append(history_row("", ENTITY, ATTR, value, modified_ms=moment))
        append_history(session, rows)
        policy_set(session, check_policy("", "WeatherObserved", "P30D"))

    store.write(write)
    return store


def _done(store: Store) -> None:
    if store.engine == "postgresql":
        store.drop_schema()  # type: ignore[attr-defined]
    store.close()


def _hourly(store: Store) -> Periods:
    return store.read(  # type: ignore[no-any-return]
        lambda s: aggregate(s, "", ENTITY, ATTR, methods=["avg"], period_ms=HOUR, tq=None)
    )


def main() -> None:
    repetitions = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    raw_times, broker_times, before_times, after_times = [], [], [], []
    engine = ""
    with tempfile.TemporaryDirectory() as folder:
        for index in range(repetitions):
            store = _fresh(folder, 2 * index)
            engine = store.engine
            began = time.perf_counter()
            before = _hourly(store)
            before_times.append(time.perf_counter() - began)
            began = time.perf_counter()
            outcome = retention_apply(store, now=NOW)[0]
            broker_times.append(time.perf_counter() - began)
            began = time.perf_counter()
            after = _hourly(store)
            after_times.append(time.perf_counter() - began)
            assert len(before) == len(after) == COUNT * STEP // HOUR
            assert all(
                abs(b - a) < 1e-9
                for b, a in zip(before.values["avg"], after.values["avg"], strict=True)
            )
            cut = outcome.deleted
            _done(store)

            store = _fresh(folder, 2 * index + 1)
            params = ("", ENTITY, ATTR, START + cut * STEP)  # the same instances

            def by_hand(session: Any, p: tuple[Any, ...] = params) -> None:
                session.x(RAW_SQL, p)
                session.x(RAW_DELETE, p)

            began = time.perf_counter()
            store.write(by_hand)
            raw_times.append(time.perf_counter() - began)
            _done(store)
    raw_s, broker_s = statistics.median(raw_times), statistics.median(broker_times)
    print(f"machine: {platform.machine()} python {platform.python_version()} ({engine})")
    print(f"rolled up and deleted {cut:,} of {COUNT:,} instances, median of {repetitions}")
    print(f"raw SQL (one transaction):   {raw_s * 1000:8.1f} ms")
    print(f"retention_apply (batches):   {broker_s * 1000:8.1f} ms  ratio {broker_s / raw_s:.2f}")
    before_s, after_s = statistics.median(before_times), statistics.median(after_times)
    print(f"hourly avg over the year, raw values only:   {before_s * 1000:8.1f} ms")
    print(
        f"hourly avg over the year, rollups + raw:     {after_s * 1000:8.1f} ms"
        f"  ratio {after_s / before_s:.2f}"
    )


if __name__ == "__main__":
    main()
