"""Temporal ``lastN=1`` over 1,000 entities against its raw ceiling, measured in the same run.

    PYTHONPATH=src .venv/bin/python bench/bench_temporal_lastn.py [--entities 1000]
        [--history 50] [--repetitions 10]

Loads ``--entities`` entities with two attributes of ``--history`` instances each into a fresh
broker store (SQLite by default, PostgreSQL with ``DOS_DATABASE_URL``), then measures the median
of:

- raw ceiling: the best hand-written SQL statement for the last instance of every (entity,
  attribute, datasetId) on the broker's schema: the keys of the entities from
  ``temporal_attrs``, then per key the newest row through the index ``attr_history_latest``
  (a LATERAL join on PostgreSQL, a primary-key subquery per key on SQLite) — a thousand index
  descents instead of reading every row;
- for comparison, the statement that reads every row of the entities (SQLite's ``MAX()`` with
  bare columns, PostgreSQL's ``DISTINCT ON``), the ceiling before ``temporal_attrs``;
- broker: :func:`dos.broker.temporal.read.load_instances_many` (what the query runs);
- broker over HTTP: ``GET /ngsi-ld/v1/temporal/entities?type=…&lastN=1&limit=1000`` including
  the selection of the entities and the rendering.

Issue target: ``lastN=1`` for 1,000 entities ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

import httpx

from dos.asgi import tune_gc
from dos.broker.app import create_app
from dos.broker.store import Store, open_store
from dos.broker.temporal.history import UPSERT_ENTITY, append_history, history_row
from dos.broker.temporal.read import load_instances_many, temporal_entities
from dos.broker.temporal.times import from_ms
from dos.config import load

NS = "https://uri.etsi.org/ngsi-ld/default-context/"
TYPE = NS + "LastThing"
ATTRS = (NS + "temperature", NS + "humidity")
START = 1767225600000  # 2026-01-01T00:00:00Z
STEP = 60_000


def entity_id(n: int) -> str:
    return f"urn:ngsi-ld:LastThing:{n:05d}"


def fill(store: Store, entities: int, history: int) -> None:
    def write(session: Any) -> None:
        session.x("INSERT INTO tenants (tenant, created_at) VALUES ('', '') ON CONFLICT DO NOTHING")
        rows = []
        for n in range(entities):
            session.x(UPSERT_ENTITY, ("", entity_id(n), f'["{TYPE}"]', START, START))
            for i in range(history):
                moment = START + i * STEP + n
                for k, attr in enumerate(ATTRS):
                    instance = {
                        "type": "Property",
                        "value": k * 100 + i % 50,
                        "observedAt": from_ms(moment),
                    }
                    rows.append(history_row("", entity_id(n), attr, instance, modified_ms=moment))
        append_history(session, rows)

    store.write(write)


def median_ms(fn: Callable[[], Any], repetitions: int) -> float:
    fn()  # warm caches
    times = []
    for _ in range(repetitions):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=1000)
    parser.add_argument("--history", type=int, default=50)
    parser.add_argument("--repetitions", type=int, default=10)
    args = parser.parse_args()
    tune_gc(load().GC_GEN0_THRESHOLD)  # as every server process does
    with tempfile.TemporaryDirectory() as folder:
        env = {"DOS_DATA_DIR": folder}
        if os.environ.get("DOS_DATABASE_URL"):
            env["DOS_DATABASE_URL"] = os.environ["DOS_DATABASE_URL"]
        config = load(env)
        store = open_store(config, schema="bench_lastn")
        if store.engine == "postgresql":
            store.drop_schema()  # type: ignore[attr-defined]
        store.migrate()
        began = time.perf_counter()
        fill(store, args.entities, args.history)
        total = args.entities * args.history * len(ATTRS)
        print(f"loaded {total:,} instances in {time.perf_counter() - began:.1f} s ({store.engine})")
        ids = [entity_id(n) for n in range(args.entities)]
        marks = ",".join("?" * len(ids))
        newest = (
            "FROM attr_history x WHERE x.tenant = k.tenant AND x.entity_id = k.entity_id "
            "AND x.attr = k.attr AND x.dataset_id = k.dataset_id "
            "ORDER BY COALESCE(x.observed_ms, x.modified_ms) DESC, x.pk DESC LIMIT 1"
        )
        if store.engine == "sqlite":
            raw_sql = (
                "SELECT h.entity_id, h.attr, h.instance, h.observed_ms FROM temporal_attrs k "
                f"JOIN attr_history h ON h.pk = (SELECT x.pk {newest}) "
                f"WHERE k.tenant = ? AND k.entity_id IN ({marks})"
            )
            scan_sql = (
                "SELECT entity_id, attr, instance, MAX(observed_ms) FROM attr_history "
                f"WHERE tenant = ? AND entity_id IN ({marks}) GROUP BY entity_id, attr"
            )
        else:
            raw_sql = (
                "SELECT h.entity_id, h.attr, h.instance, h.observed_ms FROM temporal_attrs k "
                f"CROSS JOIN LATERAL (SELECT x.* {newest}) h "
                f"WHERE k.tenant = ? AND k.entity_id IN ({marks})"
            )
            scan_sql = (
                "SELECT DISTINCT ON (entity_id, attr) entity_id, attr, instance, observed_ms "
                f"FROM attr_history WHERE tenant = ? AND entity_id IN ({marks}) "
                "ORDER BY entity_id, attr, observed_ms DESC"
            )

        def raw() -> list[Any]:
            rows: list[Any] = store.read(lambda s: s.x(raw_sql, ["", *ids]).fetchall())
            return rows

        def scan() -> list[Any]:
            rows: list[Any] = store.read(lambda s: s.x(scan_sql, ["", *ids]).fetchall())
            return rows

        def broker() -> list[Any]:
            def read(session: Any) -> list[Any]:
                entities = temporal_entities(session, "", ids)
                load_instances_many(
                    session, "", entities, attrs=None, tq=None, last_n=1, limit=1000
                )
                return entities

            return store.read(read)

        assert len(raw()) == len(scan()) == args.entities * len(ATTRS)
        assert sorted(r[:3] for r in raw()) == sorted(r[:3] for r in scan())
        assert all(len(e.attrs) == len(ATTRS) for e in broker())
        raw_ms = median_ms(raw, args.repetitions)
        scan_ms = median_ms(scan, args.repetitions)
        broker_ms = median_ms(broker, args.repetitions)
        app = create_app(config, store=store)

        async def over_http() -> float:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                params = {"type": "LastThing", "lastN": "1", "limit": str(args.entities)}
                times = []
                for _ in range(args.repetitions + 1):
                    began = time.perf_counter()
                    response = await client.get("/ngsi-ld/v1/temporal/entities", params=params)
                    times.append(time.perf_counter() - began)  # the client's JSON parse apart
                    assert response.status_code == 200, response.text
                    assert len(response.json()) == args.entities
                return statistics.median(times[1:]) * 1000

        http_ms = asyncio.run(over_http())
        print(f"raw SQL, last instance per entity and attribute: {raw_ms:8.1f} ms")
        print(f"  (raw SQL reading every row, MAX/DISTINCT ON:   {scan_ms:8.1f} ms)")
        print(
            f"broker load_instances_many(lastN=1):            {broker_ms:8.1f} ms  ratio {broker_ms / raw_ms:.2f}"
        )
        print(
            f"GET /temporal/entities?lastN=1&limit={args.entities}:      {http_ms:8.1f} ms  ratio {http_ms / raw_ms:.2f}"
        )
        print("target: ≤ 50 ms for 1,000 entities")
        if store.engine == "postgresql":
            store.drop_schema()  # type: ignore[attr-defined]
        store.close()


if __name__ == "__main__":
    main()
