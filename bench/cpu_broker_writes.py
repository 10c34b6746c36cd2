"""CPU time per broker write, in process: the work of a PATCH and of a batch upsert without
HTTP sockets, uvicorn or a load generator (the figures the noisy shared machine can compare).

    .venv/bin/python bench/cpu_broker_writes.py [--engine sqlite|postgresql]
        [--synchronous FULL|NORMAL] [--entities 2000] [--patches 20000] [--batches 3]

The broker's ASGI application (``dos.asgi.create_app``, the same middleware and handlers as
``dos serve``) is called directly with ready-made HTTP requests, and its writes go through
the real group-commit writer thread:

1. ``PATCH /ngsi-ld/v1/entities/{id}/attrs`` with one Property, ``--patches`` times, 32
   requests in flight (as the 32 connections of ``bench_broker_updates.py``);
2. ``POST /ngsi-ld/v1/entityOperations/upsert`` with 1,000 entities × 10 attributes
   (``bench_broker_batch.py``'s entities), ``--batches`` creates then as many replaces.

Prints the CPU time (user + system, all threads of this process) per PATCH in µs and per
batch request in ms, split into the event loop thread and the writer thread, and the
writes per commit. The process does nothing else, so CPU time is what the code costs
(wall time on a shared machine is not).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from typing import Any

from bench_broker_batch import batch
from brokerbench import add_engine_arguments, bench_database

PATCH_PATH = "/ngsi-ld/v1/entities/urn:ngsi-ld:WeatherObserved:bench-{:05d}/attrs"


def _scope(method: str, path: str, body: bytes) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }


async def _call(app: Any, method: str, path: str, body: bytes) -> int:
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    status = 0

    async def receive() -> dict[str, Any]:
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(_scope(method, path, body), receive, send)
    if status >= 300:
        raise SystemExit(f"{method} {path} answered {status}")
    return status


class Clock:
    """CPU seconds of this process, of the event loop thread, and of the writer thread."""

    def __init__(self) -> None:
        from dos.broker.store import writer

        self.writer = 0.0
        self.groups = 0
        self.writes = 0
        commit = writer.GroupCommitWriter._commit_group

        def timed(group_writer: Any, conn: Any, items: list[Any]) -> bool:
            started = time.thread_time()
            try:
                done: bool = commit(group_writer, conn, items)
                return done
            finally:
                self.writer += time.thread_time() - started
                self.groups += 1
                self.writes += len(items)

        writer.GroupCommitWriter._commit_group = timed

    async def mark(self) -> tuple[float, float, float, int, int]:
        # the writer answers before its timing above ends: let it finish the last group
        await asyncio.sleep(0.2)
        return time.process_time(), time.thread_time(), self.writer, self.groups, self.writes


async def _run(args: argparse.Namespace) -> None:
    from dos.asgi import create_app

    clock = Clock()
    app = create_app()
    startup: list[dict[str, Any]] = [{"type": "lifespan.startup"}]

    async def lifespan_receive() -> dict[str, Any]:
        if startup:
            return startup.pop()
        await asyncio.Event().wait()  # until cancelled
        return {}

    async def lifespan_send(message: dict[str, Any]) -> None:
        pass

    lifespan = asyncio.create_task(app({"type": "lifespan"}, lifespan_receive, lifespan_send))
    await asyncio.sleep(0.5)
    rng = random.Random(1)
    for start in range(0, args.entities, 1000):
        entities = [
            {
                "id": f"urn:ngsi-ld:WeatherObserved:bench-{n:05d}",
                "type": "WeatherObserved",
                "temperature": {"type": "Property", "value": 20.0},
            }
            for n in range(start, min(start + 1000, args.entities))
        ]
        await _call(
            app, "POST", "/ngsi-ld/v1/entityOperations/upsert", json.dumps(entities).encode()
        )

    async def patches(count: int) -> None:
        queue = iter(range(count))

        async def connection() -> None:
            for _ in queue:
                body = {"temperature": {"type": "Property", "value": rng.randrange(400) / 10}}
                path = PATCH_PATH.format(rng.randrange(args.entities))
                await _call(app, "PATCH", path, json.dumps(body).encode())

        await asyncio.gather(*(connection() for _ in range(32)))

    def report(what: str, unit: str, scale: float, count: int, before: Any, after: Any) -> None:
        cpu, loop, writer, groups, writes = (b - a for a, b in zip(before, after, strict=True))
        print(
            f"{what}: {cpu / count * scale:8.1f} {unit} CPU"
            f" (event loop thread {loop / count * scale:.1f}, writer thread"
            f" {writer / count * scale:.1f}), {writes / max(groups, 1):.1f} writes per commit"
        )

    await patches(2000)  # warm-up
    before = await clock.mark()
    started = time.perf_counter()
    await patches(args.patches)
    rate = args.patches / (time.perf_counter() - started)
    report(f"PATCH …/attrs ×{args.patches:,}", "µs", 1e6, args.patches, before, await clock.mark())
    print(f"  ({rate:,.0f} PATCH/s in this process, wall clock: moves with the machine's load)")

    bodies = [json.dumps(batch(n, rng)).encode() for n in range(args.batches)]
    for phase in ("create", "replace"):
        before = await clock.mark()
        for body in bodies:
            await _call(app, "POST", "/ngsi-ld/v1/entityOperations/upsert", body)
        report(
            f"batch upsert 1,000 × 10, {phase}", "ms", 1e3, len(bodies), before, await clock.mark()
        )
    lifespan.cancel()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_engine_arguments(parser)
    parser.add_argument("--entities", type=int, default=2000)
    parser.add_argument("--patches", type=int, default=20_000)
    parser.add_argument("--batches", type=int, default=3)
    args = parser.parse_args()
    import os

    with bench_database(args) as db:
        os.environ.update(db.env)
        os.environ["DOS_SERVE_ONLY"] = "broker"
        asyncio.run(_run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
