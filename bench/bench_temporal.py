"""Temporal aggregation against its raw ceiling.

Loads one year of 5-minute values (105,120 instances) of one attribute into a fresh broker
store (SQLite by default, PostgreSQL with ``DOS_DATABASE_URL``) and measures:

- raw ceiling: the hourly average as one hand-written SQL ``GROUP BY`` on ``attr_history``;
- broker: :func:`dos.broker.temporal.aggregate.aggregate` (what ``GET /temporal/entities/{id}``
  with ``aggrMethods=avg&aggrPeriodDuration=PT1H`` runs), and its ratio to the raw query;
- broker over HTTP: the full request including rendering of 8,760 periods.

Run: ``PYTHONPATH=src python bench/bench_temporal.py [repetitions]`` (default 10).
"""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import httpx

from dos.asgi import tune_gc
from dos.broker.app import create_app
from dos.broker.store import Store, open_store
from dos.broker.temporal.aggregate import aggregate
from dos.broker.temporal.history import UPSERT_ENTITY, append_history, history_row
from dos.broker.temporal.times import from_ms
from dos.config import load

ENTITY = "urn:ngsi-ld:WeatherObserved:bench"
ATTR = "https://uri.etsi.org/ngsi-ld/default-context/temperature"
START = 1767225600000  # 2026-01-01T00:00:00Z
STEP = 5 * 60 * 1000
COUNT = 105_120
HOUR = 3_600_000


def _load(store: Store) -> None:
    def write(session: Any) -> None:
        session.x("INSERT INTO tenants (tenant, created_at) VALUES ('', '') ON CONFLICT DO NOTHING")
        session.x(
            UPSERT_ENTITY,
            (
                "",
                ENTITY,
                '["https://uri.etsi.org/ngsi-ld/default-context/WeatherObserved"]',
                START,
                START,
            ),
        )
        rows = []
        for i in range(COUNT):
            moment = START + i * STEP
            instance = {
                "type": "Property",
                "value": 10 + (i % 288) / 10,
                "observedAt": from_ms(moment),
            }
            rows.append(history_row("", ENTITY, ATTR, instance, modified_ms=moment))
        append_history(session, rows)

    store.write(write)


def _time(fn: Callable[[], Any], repetitions: int) -> float:
    fn()  # warm caches
    times = []
    for _ in range(repetitions):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    repetitions = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    tune_gc(load().GC_GEN0_THRESHOLD)  # as every server process does
    with tempfile.TemporaryDirectory() as folder:
        env = {"DOS_DATA_DIR": folder}
        if os.environ.get("DOS_DATABASE_URL"):
            env["DOS_DATABASE_URL"] = os.environ["DOS_DATABASE_URL"]
        config = load(env)
        store = open_store(config, schema="bench_temporal")
        if store.engine == "postgresql":
            store.drop_schema()  # type: ignore[attr-defined]
        store.migrate()
        began = time.perf_counter()
        _load(store)
        print(f"loaded {COUNT:,} instances in {time.perf_counter() - began:.1f} s ({store.engine})")
        raw_sql = (
            "SELECT (observed_ms - ?) / ? AS b, AVG(num) FROM attr_history "
            "WHERE tenant = ? AND entity_id = ? AND attr = ? AND observed_ms IS NOT NULL "
            "GROUP BY b ORDER BY b"
        )

        def raw() -> Any:
            return store.read(lambda s: s.x(raw_sql, (START, HOUR, "", ENTITY, ATTR)).fetchall())

        def broker() -> Any:
            return store.read(
                lambda s: aggregate(s, "", ENTITY, ATTR, methods=["avg"], period_ms=HOUR, tq=None)
            )

        assert len(raw()) == len(broker()) == COUNT * STEP // HOUR
        raw_s = _time(raw, repetitions)
        broker_s = _time(broker, repetitions)
        app = create_app(config, store=store)

        async def over_http() -> float:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                params = {
                    "options": "aggregatedValues",
                    "aggrMethods": "avg",
                    "aggrPeriodDuration": "PT1H",
                }
                times = []
                for _ in range(repetitions + 1):
                    began = time.perf_counter()
                    response = await client.get(
                        f"/ngsi-ld/v1/temporal/entities/{ENTITY}", params=params
                    )
                    assert response.status_code == 200, response.text
                    times.append(time.perf_counter() - began)
                return statistics.median(times[1:])

        http_s = asyncio.run(over_http())
        print(
            f"machine: {platform.machine()} {platform.processor() or ''} python {platform.python_version()}"
        )
        print(f"raw SQL hourly average:      {raw_s * 1000:8.1f} ms")
        print(
            f"broker aggregate():          {broker_s * 1000:8.1f} ms  ratio {broker_s / raw_s:.2f}"
        )
        print(f"GET /temporal/entities/{{id}}: {http_s * 1000:8.1f} ms  ratio {http_s / raw_s:.2f}")
        if store.engine == "postgresql":
            store.drop_schema()  # type: ignore[attr-defined]
        store.close()


if __name__ == "__main__":
    main()
