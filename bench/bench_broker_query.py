"""Entity queries (``q`` and ``georel=near``) over 100k entities against their raw ceiling.

    .venv/bin/python bench/bench_broker_query.py [--engine sqlite|postgresql] [--entities 100000]
        [--seconds 5]

Data: N WeatherObserved entities loaded through the store's batch path, each with
``temperature`` (normal around 12 °C, sd 8: about 1.2 % are above 30), ``humidity`` and a
``location`` Point spread uniformly over a 27 × 22 km city box (about 170 points in a
500 m radius).

1. Raw ceiling: a bare ASGI app over a plain table of the same rows (pk, type, temperature,
   lon, lat, doc) with indexes on (type, temperature) and (type, lon, lat), answering the
   same two questions with one SELECT each (the near distance tested in Python), the
   matching documents joined into a JSON array.
2. The broker: ``GET /ngsi-ld/v1/entities?type=WeatherObserved&q=temperature>30`` (20 per
   page, one of the first 10 pages at random) and
   ``…&georel=near;maxDistance==500&geometry=Point&coordinates=[lon,lat]`` at a random point.

Both served by uvicorn with 2 workers; requests are sent one after another on one keep-alive
connection, so the figures are latencies (issue targets: q median ≤ 5 ms, p99 ≤ 25 ms; near
median ≤ 10 ms). Before timing, the ids the broker answers are checked against the raw SELECT
for a few pages and points (same entities, same order).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import subprocess
import textwrap
import time
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote

import httpx
from brokerbench import (
    PYTHON,
    BenchDatabase,
    add_engine_arguments,
    bench_database,
    broker_server,
    entity_id,
    free_port,
    wait_for,
)
from loadgen import load, request_bytes

BOX = (13.2, 52.4, 13.6, 52.6)  # lon/lat of the city box
TYPE = "WeatherObserved"
THRESHOLD = 30
DISTANCE = 500.0
METRES_PER_DEGREE = 6_371_008.8 * math.pi / 180
RAW_OPTIONS = ("--workers", "2", "--log-level", "warning", "--no-access-log")

RAW_APP = """
import json, math, os, threading
from urllib.parse import parse_qs

ENGINE = os.environ["BENCH_ENGINE"]
DSN = os.environ["BENCH_DSN"]
M = 6_371_008.8 * math.pi / 180
_local = threading.local()

def _conn():
    conn = getattr(_local, "conn", None)
    if conn is None:
        if ENGINE == "postgresql":
            import psycopg
            conn = psycopg.connect(DSN, autocommit=True)
        else:
            import sqlite3
            conn = sqlite3.connect(DSN, isolation_level=None, check_same_thread=False)
        _local.conn = conn
    return conn

def mark(sql):
    return sql.replace("?", "%s") if ENGINE == "postgresql" else sql

def answer(params):
    conn = _conn()
    if params["kind"][0] == "q":
        rows = conn.execute(mark(
            "SELECT doc FROM raw_entities WHERE type = ? AND temperature > ?"
            " ORDER BY pk LIMIT 20 OFFSET ?"),
            ("WeatherObserved", float(params["threshold"][0]), int(params["offset"][0])),
        ).fetchall()
        return [r[0] for r in rows]
    lon, lat, dist = (float(params[k][0]) for k in ("lon", "lat", "distance"))
    dlat = dist / M
    dlon = dist / (M * math.cos(math.radians(lat)))
    rows = conn.execute(mark(
        "SELECT doc, lon, lat FROM raw_entities WHERE type = ? AND lon BETWEEN ? AND ?"
        " AND lat BETWEEN ? AND ? ORDER BY pk"),
        ("WeatherObserved", lon - dlon, lon + dlon, lat - dlat, lat + dlat),
    ).fetchall()
    scale = M * math.cos(math.radians(lat))
    found = []
    for doc, x, y in rows:
        if math.hypot((x - lon) * scale, (y - lat) * M) <= dist:
            found.append(doc)
            if len(found) == 20:
                break
    return found

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    docs = answer(parse_qs(scope["query_string"].decode()))
    body = ("[" + ",".join(d if isinstance(d, str) else json.dumps(d) for d in docs) + "]").encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})
"""


def make_entity(n: int, rng: random.Random) -> dict[str, Any]:
    return {
        "id": entity_id(n),
        "type": TYPE,
        "temperature": {"type": "Property", "value": round(rng.gauss(12, 8), 1)},
        "humidity": {"type": "Property", "value": round(rng.uniform(20, 100), 1)},
        "location": {
            "type": "GeoProperty",
            "value": {
                "type": "Point",
                "coordinates": [
                    round(rng.uniform(BOX[0], BOX[2]), 6),
                    round(rng.uniform(BOX[1], BOX[3]), 6),
                ],
            },
        },
    }


def make_entities(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [make_entity(n, rng) for n in range(count)]


def load_broker(
    db: BenchDatabase, entities: Iterable[dict[str, Any]], chunk: int = 2000
) -> tuple[int, float]:
    """Store the entities through the broker's batch path; returns (count, entities/s)."""
    from dos.broker.entities.operations import write_many
    from dos.broker.jsonld.active import core_active_context
    from dos.broker.jsonld.expand import expand_entity

    ctx = core_active_context()
    store = db.open_store()
    start = time.perf_counter()
    count = 0
    try:
        for batch in _batched(entities, chunk):
            docs = [expand_entity(e, ctx) for e in batch]
            store.write(lambda s, docs=docs: write_many(s, "", docs, replace_existing=False))
            count += len(docs)
    finally:
        store.close()
    rate = count / (time.perf_counter() - start)
    if db.engine == "postgresql":  # what autovacuum would do after a bulk load
        import psycopg

        with psycopg.connect(db.url, autocommit=True) as conn:
            conn.execute("ANALYZE")
    return count, rate


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def load_raw(db: BenchDatabase, entities: list[dict[str, Any]]) -> str:
    """The plain table of the raw ceiling; returns its DSN for the raw app."""
    conn = db.connect_raw()
    pg = db.engine == "postgresql"
    mark = "%s" if pg else "?"
    conn.execute(
        "CREATE TABLE raw_entities (pk INTEGER PRIMARY KEY, type TEXT NOT NULL, "
        f"temperature REAL, lon REAL, lat REAL, doc {'JSONB' if pg else 'TEXT'} NOT NULL)"
    )
    conn.execute("CREATE INDEX raw_type_temperature ON raw_entities (type, temperature)")
    conn.execute("CREATE INDEX raw_type_lon_lat ON raw_entities (type, lon, lat)")
    rows = [
        (
            n,
            e["type"],
            e["temperature"]["value"],
            *e["location"]["value"]["coordinates"],
            json.dumps(e),
        )
        for n, e in enumerate(entities)
    ]
    if not pg:
        conn.execute("BEGIN")
    cursor = conn.cursor()
    cursor.executemany(
        f"INSERT INTO raw_entities VALUES ({mark}, {mark}, {mark}, {mark}, {mark}, {mark})", rows
    )
    conn.execute("COMMIT" if not pg else "ANALYZE raw_entities")
    if pg:
        conn.commit()
    else:
        conn.execute("ANALYZE")
    conn.close()
    return db.url if pg else str(db.work / "raw.sqlite3")


def broker_q(rng: random.Random) -> str:
    offset = 20 * rng.randrange(10)
    return (
        f"/ngsi-ld/v1/entities?type={TYPE}&q={quote(f'temperature>{THRESHOLD}')}"
        f"&limit=20&offset={offset}"
    )


def point(rng: random.Random) -> tuple[float, float]:
    return round(rng.uniform(BOX[0], BOX[2]), 6), round(rng.uniform(BOX[1], BOX[3]), 6)


def broker_near(rng: random.Random) -> str:
    lon, lat = point(rng)
    return (
        f"/ngsi-ld/v1/entities?type={TYPE}&georel={quote(f'near;maxDistance=={DISTANCE:g}')}"
        f"&geometry=Point&coordinates={quote(f'[{lon},{lat}]')}&limit=20"
    )


def raw_q(rng: random.Random) -> str:
    return f"/?kind=q&threshold={THRESHOLD}&offset={20 * rng.randrange(10)}"


def raw_near(rng: random.Random) -> str:
    lon, lat = point(rng)
    return f"/?kind=near&lon={lon}&lat={lat}&distance={DISTANCE}"


def check_same(port: int, raw_port: int) -> None:
    """The broker returns the raw SELECT's entities, in the same order."""
    rng = random.Random(1)
    with httpx.Client(timeout=60) as client:
        for broker_path, raw_path in [(broker_q, raw_q)] * 3 + [(broker_near, raw_near)] * 5:
            state = rng.getstate()
            got = client.get(f"http://127.0.0.1:{port}{broker_path(rng)}")
            got.raise_for_status()
            rng.setstate(state)
            want = client.get(f"http://127.0.0.1:{raw_port}{raw_path(rng)}")
            want.raise_for_status()
            ids = [e["id"] for e in got.json()]
            raw_ids = [e["id"] for e in want.json()]
            if ids != raw_ids:
                raise SystemExit(f"broker and raw SELECT disagree:\n{ids}\n{raw_ids}")


def timed(port: int, path_of: Any, seconds: float) -> Any:
    return load(
        "127.0.0.1",
        port,
        lambda rng: request_bytes("GET", path_of(rng)),
        connections=1,
        seconds=seconds,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_engine_arguments(parser)
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=5)
    args = parser.parse_args()
    entities = make_entities(args.entities)
    results: dict[str, Any] = {}
    with bench_database(args) as db:
        _, rate = load_broker(db, entities)
        dsn = load_raw(db, entities)
        (db.work / "raw_query_app.py").write_text(textwrap.dedent(RAW_APP))
        raw_port = free_port()
        raw = subprocess.Popen(
            [PYTHON, "-m", "uvicorn", "raw_query_app:app", "--port", str(raw_port), *RAW_OPTIONS],
            cwd=db.work,
            env={**db.env, "BENCH_ENGINE": args.engine, "BENCH_DSN": dsn},
        )
        try:
            wait_for(f"http://127.0.0.1:{raw_port}/?kind=q&threshold=0&offset=0")
            with broker_server(db) as (port, _):
                check_same(port, raw_port)
                for name, broker_path, raw_path in (
                    ("q", broker_q, raw_q),
                    ("near", broker_near, raw_near),
                ):
                    results[name] = (
                        timed(raw_port, raw_path, args.seconds),
                        timed(port, broker_path, args.seconds),
                    )
        finally:
            raw.terminate()
            raw.wait()
    print(f"engine {args.engine}, {args.entities:,} entities (loaded at {rate:,.0f}/s)")
    for name, target in (("q", "median <= 5 ms, p99 <= 25 ms"), ("near", "median <= 10 ms")):
        raw_result, broker_result = results[name]
        print(
            f"{name:5} broker p50 {broker_result.percentile(50):6.2f} ms"
            f"  p99 {broker_result.percentile(99):6.2f} ms"
            f"  | raw p50 {raw_result.percentile(50):6.2f} ms"
            f"  p99 {raw_result.percentile(99):6.2f} ms"
            f"  | ratio p50 x{broker_result.percentile(50) / raw_result.percentile(50):.1f}"
            f"  (target {target})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
