"""Single-attribute NGSI-LD updates against their raw ceiling, measured in the same run.

    .venv/bin/python bench/bench_broker_updates.py [--engine sqlite|postgresql]
        [--synchronous FULL|NORMAL] [--entities 10000] [--seconds 10]

1. Raw ceiling: a bare ASGI app (no framework) whose every POST does one INSERT on the same
   engine and commits, then answers 204 (SQLite: WAL with the same ``synchronous`` mode as
   the broker; PostgreSQL: an autocommit connection per thread, in the bench's database).
2. The broker: ``PATCH /ngsi-ld/v1/entities/{id}/attrs`` with one Property on one of N
   entities, chosen at random per request.

Both are served by uvicorn with 2 workers on loopback and loaded by ``loadgen.py`` (32
keep-alive connections; wrk is not installed on the development machine, and the same
generator loads both sides). Prints requests/s and latencies of each, the CPU time per request
of each server (all its processes) and of the load generator (which shares the cores), and the
ratio (issue target: ≥ 60 % of the ceiling, ≥ 5,000 updates/s on SQLite).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import textwrap
import time

import httpx
from brokerbench import (
    PYTHON,
    add_engine_arguments,
    bench_database,
    broker_server,
    cpu_seconds,
    free_port,
    wait_for,
)
from loadgen import LoadResult, load, request_bytes

RAW_APP = """
import os, threading
_local = threading.local()
ENGINE = os.environ["BENCH_ENGINE"]
DSN = os.environ["BENCH_DSN"]

def _conn():
    conn = getattr(_local, "conn", None)
    if conn is None:
        if ENGINE == "postgresql":
            import psycopg
            conn = psycopg.connect(DSN, autocommit=True)
        else:
            import sqlite3
            conn = sqlite3.connect(DSN, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=" + os.environ["BENCH_SYNCHRONOUS"])
            conn.execute("PRAGMA busy_timeout=10000")
        _local.conn = conn
    return conn

INSERT = "INSERT INTO writes (body) VALUES (%s)" if ENGINE == "postgresql" else (
    "INSERT INTO writes (body) VALUES (?)")

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    _conn().execute(INSERT, (body,))
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})
"""
RAW_OPTIONS = ("--workers", "2", "--log-level", "warning", "--no-access-log")
PATH = "/ngsi-ld/v1/entities/urn:ngsi-ld:WeatherObserved:bench-{:05d}/attrs"


def patch_request(rng: random.Random, entities: int) -> bytes:
    body = json.dumps({"temperature": {"type": "Property", "value": rng.randrange(400) / 10}})
    return request_bytes(
        "PATCH", PATH.format(rng.randrange(entities)), body.encode(), "application/json"
    )


def create_entities(port: int, entities: int) -> None:
    with httpx.Client(timeout=300) as client:
        for start in range(0, entities, 1000):
            batch = [
                {
                    "id": f"urn:ngsi-ld:WeatherObserved:bench-{n:05d}",
                    "type": "WeatherObserved",
                    "temperature": {"type": "Property", "value": 20.0},
                }
                for n in range(start, min(start + 1000, entities))
            ]
            response = client.post(
                f"http://127.0.0.1:{port}/ngsi-ld/v1/entityOperations/upsert",
                content=json.dumps(batch),
                headers={"Content-Type": "application/json"},
            )
            response.raise_for_status()


def describe(result: LoadResult) -> str:
    return (
        f"{result.rate:8,.0f} req/s  p50 {result.percentile(50):6.1f} ms"
        f"  p99 {result.percentile(99):6.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_engine_arguments(parser)
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2, help="broker worker processes")
    args = parser.parse_args()
    with bench_database(args) as db:
        # 1. the raw ceiling, on a table of its own in the same database (file) family
        raw_db = db.connect_raw()
        pg = db.engine == "postgresql"
        key = "BIGINT GENERATED ALWAYS AS IDENTITY" if pg else "INTEGER"
        raw_db.execute(
            f"CREATE TABLE writes (id {key} PRIMARY KEY, body {'BYTEA' if pg else 'BLOB'})"
        )
        if pg:
            raw_db.commit()
        raw_db.close()
        dsn = db.url if pg else str(db.work / "raw.sqlite3")
        (db.work / "raw_app.py").write_text(textwrap.dedent(RAW_APP))
        port = free_port()
        raw = subprocess.Popen(
            [PYTHON, "-m", "uvicorn", "raw_app:app", "--port", str(port), *RAW_OPTIONS],
            cwd=db.work,
            env={
                **db.env,
                "BENCH_ENGINE": args.engine,
                "BENCH_DSN": dsn,
                "BENCH_SYNCHRONOUS": args.synchronous,
            },
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/")
            raw_cpu, own = cpu_seconds(raw.pid), time.process_time()
            ceiling = load(
                "127.0.0.1",
                port,
                lambda rng: request_bytes("POST", "/w", b'{"temperature":1}', "application/json"),
                connections=32,
                seconds=args.seconds,
            )
            raw_cpu = (cpu_seconds(raw.pid) - raw_cpu) / ceiling.requests * 1e6
            raw_load = (time.process_time() - own) / ceiling.requests * 1e6
        finally:
            raw.terminate()
            raw.wait()

        # 2. the broker
        with broker_server(db, workers=args.workers) as (port, process):
            create_entities(port, args.entities)
            broker_cpu, own = cpu_seconds(process.pid), time.process_time()
            updates = load(
                "127.0.0.1",
                port,
                lambda rng: patch_request(rng, args.entities),
                connections=32,
                seconds=args.seconds,
            )
            broker_cpu = (cpu_seconds(process.pid) - broker_cpu) / updates.requests * 1e6
            broker_load = (time.process_time() - own) / updates.requests * 1e6
            sample = httpx.get(
                f"http://127.0.0.1:{port}/ngsi-ld/v1/entities/urn:ngsi-ld:WeatherObserved:bench-00001"
            )
            sample.raise_for_status()

    sync = f", synchronous={args.synchronous}" if args.engine == "sqlite" else ""
    print(
        f"engine {args.engine}{sync}, {args.entities:,} entities, 32 connections, "
        f"{args.workers} broker workers"
    )
    print(f"raw ceiling (POST -> INSERT -> commit -> 204): {describe(ceiling)}")
    print(f"broker PATCH .../attrs:                         {describe(updates)}")
    print(
        f"CPU per request (µs): raw server {raw_cpu:.0f}, its load generator {raw_load:.0f};"
        f" broker {broker_cpu:.0f}, its load generator {broker_load:.0f}"
    )
    print(f"ratio: {updates.rate / ceiling.rate:.0%}  (target >= 60 % and >= 5,000/s on SQLite)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
