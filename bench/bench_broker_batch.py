"""Batch upsert of 1,000 entities × 10 attributes per request against the raw bulk-write ceiling.

    .venv/bin/python bench/bench_broker_batch.py [--engine sqlite|postgresql] [--batches 10]
        [--seconds 10]

1. Raw ceiling "the same rows": every row the broker writes for these batches — the
   entity documents, their index rows (types, attributes, bounding boxes, numbers), the
   history rows with their keys and the temporal entity rows — written with plain
   ``executemany`` (one statement per table and batch, as recorded from the broker's own
   bulk write in this process) into a fresh broker schema with its indexes, 1,000 entities
   per transaction, and committed; no reads, no Python work between the statements.
2. Raw ceiling "documents only", for comparison: the entity id and its expanded JSON
   document written 1,000 per transaction into a plain table with a unique id — ``COPY``
   (PostgreSQL) or ``executemany`` INSERT (SQLite) for new rows, ``executemany`` INSERT …
   ON CONFLICT DO UPDATE for the replacements. This writes one row per entity where the
   broker writes about 40 (the temporal API keeps every attribute change).
3. The broker (2 workers): ``POST /ngsi-ld/v1/entityOperations/upsert`` with 1,000
   entities per request, one request after another on one keep-alive connection; the first
   ``--batches`` requests create new entities, the following ones replace them again (cycling).

Prints entities/s of both phases and their ratios (issue target: ≥ 40 % of the executemany
ceiling for the same rows).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from typing import Any

import httpx
from brokerbench import BenchDatabase, add_engine_arguments, bench_database, broker_server
from loadgen import load, request_bytes

BATCH = 1000


def make_entity(n: int, rng: random.Random) -> dict[str, Any]:
    def prop(value: Any) -> dict[str, Any]:
        return {"type": "Property", "value": value}

    return {
        "id": f"urn:ngsi-ld:WeatherObserved:batch-{n:07d}",
        "type": "WeatherObserved",
        "temperature": prop(round(rng.gauss(12, 8), 1)),
        "relativeHumidity": prop(round(rng.uniform(0.2, 1), 2)),
        "atmosphericPressure": prop(round(rng.uniform(980, 1040), 1)),
        "windSpeed": prop(round(rng.uniform(0, 25), 1)),
        "windDirection": prop(rng.randrange(360)),
        "precipitation": prop(round(rng.uniform(0, 5), 1)),
        "dateObserved": prop(f"2026-11-27T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z"),
        "name": prop(f"Station {n}"),
        "refDevice": {"type": "Relationship", "object": f"urn:ngsi-ld:Device:{n}"},
        "location": {
            "type": "GeoProperty",
            "value": {"type": "Point", "coordinates": [13.4 + n % 100 / 1e3, 52.5]},
        },
    }


def batch(number: int, rng: random.Random) -> list[dict[str, Any]]:
    return [make_entity(number * BATCH + i, rng) for i in range(BATCH)]


def raw_ceiling(db: BenchDatabase, batches: int, seconds: float) -> tuple[float, float]:
    """Entities/s written raw: (new rows, replaced rows)."""
    from dos.broker.jsonld.active import core_active_context
    from dos.broker.jsonld.expand import expand_entity

    ctx = core_active_context()
    rng = random.Random(1)
    payloads = [
        [(d["id"], json.dumps(expand_entity(d, ctx))) for d in batch(b, rng)]
        for b in range(batches)
    ]
    conn = db.connect_raw()
    pg = db.engine == "postgresql"
    mark = "%s" if pg else "?"
    conn.execute(
        "CREATE TABLE raw_docs (pk INTEGER PRIMARY KEY "
        f"{'GENERATED ALWAYS AS IDENTITY' if pg else ''}, id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL)"
    )
    if pg:
        conn.commit()
    upsert = (
        f"INSERT INTO raw_docs (id, doc) VALUES ({mark}, {mark}) "
        "ON CONFLICT (id) DO UPDATE SET doc = excluded.doc"
    )

    def write(rows: list[tuple[str, str]], new: bool) -> None:
        if not pg:
            conn.execute("BEGIN")
        cursor = conn.cursor()
        if pg and new:
            with cursor.copy("COPY raw_docs (id, doc) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        elif new:
            cursor.executemany(f"INSERT INTO raw_docs (id, doc) VALUES ({mark}, {mark})", rows)
        else:
            cursor.executemany(upsert, rows)
        conn.commit() if pg else conn.execute("COMMIT")

    start = time.perf_counter()
    for rows in payloads:
        write(rows, new=True)
    created = batches * BATCH / (time.perf_counter() - start)
    start = time.perf_counter()
    done = 0
    while time.perf_counter() - start < seconds:
        write(payloads[done % batches], new=False)
        done += 1
    replaced = done * BATCH / (time.perf_counter() - start)
    conn.close()
    return created, replaced


Statement = tuple[str, list[tuple[Any, ...]]]


def record_rows(
    db: BenchDatabase, batches: int
) -> tuple[list[list[Statement]], list[list[Statement]]]:
    """The write statements (SQL in the engine's dialect, rows) of the broker's bulk create
    and of the bulk replace of each batch, recorded from its store in this process."""
    from dos.broker.entities import operations as ops
    from dos.broker.jsonld.active import core_active_context
    from dos.broker.jsonld.expand import expand_entity
    from dos.broker.store.postgres import PgSession
    from dos.broker.store.session import SqlSession

    ctx = core_active_context()
    rng = random.Random(1)
    docs = [[expand_entity(d, ctx) for d in batch(b, rng)] for b in range(batches)]
    recorded: list[Statement] = []
    patched = [(SqlSession, "x"), (SqlSession, "many"), (PgSession, "many")]
    originals = [(cls, name, cls.__dict__[name]) for cls, name in patched]

    def recording(original: Any, single: bool) -> Any:
        def method(self: Any, text: str, params: Any = ()) -> Any:
            if not text.lstrip().upper().startswith(("SELECT", "SAVEPOINT", "RELEASE")):
                rows = [tuple(params)] if single else [tuple(r) for r in params]
                if rows:
                    recorded.append((self.sql(text), rows))
            return original(self, text, params)

        return method

    for cls, name, original in originals:
        setattr(cls, name, recording(original, name == "x"))
    store = db.open_store()
    try:
        phases: list[list[list[Statement]]] = []
        for replace in (False, True):
            phase = []
            for group in docs:
                recorded.clear()
                store.write(
                    lambda s, g=group, r=replace: ops.write_many(s, "", g, replace_existing=r)
                )
                phase.append(list(recorded))
            phases.append(phase)
    finally:
        for cls, name, original in originals:
            setattr(cls, name, original)
        store.close()
    return phases[0], phases[1]


def replay_ceiling(
    db: BenchDatabase,
    creates: list[list[Statement]],
    replaces: list[list[Statement]],
    seconds: float,
) -> tuple[float, float, int]:
    """Entities/s of the recorded rows written raw: (creates, replaces, rows per batch)."""
    conn = db.connect_broker_raw()
    pg = db.engine == "postgresql"

    def write(statements: list[Statement]) -> None:
        if pg:
            with conn.transaction(), conn.cursor() as cursor:
                for text, rows in statements:
                    cursor.executemany(text, rows)
        else:
            conn.execute("BEGIN")
            for text, rows in statements:
                conn.executemany(text, rows)
            conn.execute("COMMIT")

    start = time.perf_counter()
    for statements in creates:
        write(statements)
    created = len(creates) * BATCH / (time.perf_counter() - start)
    start = time.perf_counter()
    done = 0
    while time.perf_counter() - start < seconds:
        write(replaces[done % len(replaces)])
        done += 1
    replaced = done * BATCH / (time.perf_counter() - start)
    conn.close()
    rows = sum(len(r) for _, r in replaces[0])
    return created, replaced, rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_engine_arguments(parser)
    parser.add_argument("--batches", type=int, default=10, help="distinct batches of 1,000")
    parser.add_argument("--seconds", type=float, default=10, help="duration of the replace phase")
    args = parser.parse_args()
    rng = random.Random(1)
    bodies = [json.dumps(batch(b, rng)).encode() for b in range(args.batches)]
    with bench_database(args, "_rec") as rec:
        creates, replaces = record_rows(rec, args.batches)
    with bench_database(args, "_replay") as replay:
        same_created, same_replaced, rows = replay_ceiling(replay, creates, replaces, args.seconds)
    with bench_database(args) as db:
        raw_created, raw_replaced = raw_ceiling(db, args.batches, args.seconds)
        with broker_server(db) as (port, _):
            sent = iter(range(10**9))

            def request(_: random.Random) -> bytes:
                body = bodies[next(sent) % args.batches]
                return request_bytes(
                    "POST", "/ngsi-ld/v1/entityOperations/upsert", body, "application/json"
                )

            with httpx.Client(timeout=300) as client:
                start = time.perf_counter()
                for body in bodies:  # one request per batch: creates
                    response = client.post(
                        f"http://127.0.0.1:{port}/ngsi-ld/v1/entityOperations/upsert",
                        content=body,
                        headers={"Content-Type": "application/json"},
                    )
                    if response.status_code != 201:
                        raise SystemExit(
                            f"create batch: {response.status_code} {response.text[:500]}"
                        )
                created = args.batches * BATCH / (time.perf_counter() - start)
            result = load("127.0.0.1", port, request, connections=1, seconds=args.seconds)
            replaced = result.requests * BATCH / result.seconds
    print(f"engine {args.engine}, {args.batches} batches of {BATCH:,} entities x 10 attributes")
    print(f"rows the broker writes per replaced batch: {rows:,} ({rows / BATCH:.0f} per entity)")
    print(
        f"create : broker {created:8,.0f} entities/s | raw, same rows {same_created:8,.0f}/s"
        f" | ratio {created / same_created:.0%} | raw, documents only {raw_created:8,.0f}/s"
        f" | ratio {created / raw_created:.0%}"
    )
    print(
        f"replace: broker {replaced:8,.0f} entities/s | raw, same rows {same_replaced:8,.0f}/s"
        f" | ratio {replaced / same_replaced:.0%} | raw, documents only {raw_replaced:8,.0f}/s"
        f" | ratio {replaced / raw_replaced:.0%}  (p50 {result.percentile(50):.0f} ms per request)"
    )
    print("issue target: >= 40 % of the executemany ceiling for the same rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
