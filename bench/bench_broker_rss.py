"""Resident memory of the broker with 1M entities stored, against the same server on no data.

    .venv/bin/python bench/bench_broker_rss.py [--engine sqlite|postgresql] [--entities 1000000]
        [--seconds 5]

1. Baseline (the "ceiling" of this bench): ``dos serve --only broker --workers 2`` on an empty
   database, after the same query load as below: what the code costs, not the data.
2. N WeatherObserved entities (those of ``bench_broker_query.py``) are loaded through the
   store's batch path in this process, then the broker is started on them and loaded for
   ``--seconds`` per query kind on 4 connections: ``q=temperature>30`` pages, ``near``
   queries, single entities by id and a type listing with ``count=true``.

Prints the RSS (VmRSS) of each broker process (the uvicorn supervisor and its workers) after
the load; the issue's target is ≤ 300 MB for the broker with 1M entities.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

from bench_broker_query import TYPE, broker_near, broker_q, load_broker, make_entity
from brokerbench import add_engine_arguments, bench_database, broker_server, entity_id, rss_mb
from loadgen import load, request_bytes


def queries(entities: int) -> list[tuple[str, Callable[[random.Random], str]]]:
    def by_id(rng: random.Random) -> str:
        return f"/ngsi-ld/v1/entities/{entity_id(rng.randrange(max(entities, 1)))}"

    def listing(rng: random.Random) -> str:
        offset = rng.randrange(0, 1000, 20)
        return f"/ngsi-ld/v1/entities?type={TYPE}&count=true&limit=20&offset={offset}"

    kinds = [("q", broker_q), ("near", broker_near), ("listing", listing)]
    if entities:
        kinds.append(("by id", by_id))
    return kinds


def measure(args: argparse.Namespace, entities: int) -> tuple[dict[int, float], float]:
    """RSS by pid after the query load, and the load time."""
    with bench_database(args) as db:
        rate = 0.0
        if entities:
            rng = random.Random(7)
            _, rate = load_broker(db, (make_entity(n, rng) for n in range(entities)), chunk=5000)
        with broker_server(db) as (port, process):
            for _, path_of in queries(entities):
                load(
                    "127.0.0.1",
                    port,
                    lambda rng, path_of=path_of: request_bytes("GET", path_of(rng)),
                    connections=4,
                    seconds=args.seconds,
                )
            time.sleep(0.5)
            return rss_mb(process.pid), rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_engine_arguments(parser)
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=5)
    args = parser.parse_args()
    baseline, _ = measure(args, 0)
    loaded, rate = measure(args, args.entities)

    def show(rss: dict[int, float]) -> str:
        parts = sorted(rss.values(), reverse=True)
        return " + ".join(f"{mb:.0f}" for mb in parts) + f" = {sum(parts):.0f} MiB"

    print(f"engine {args.engine}; {args.entities:,} entities loaded at {rate:,.0f}/s")
    print(f"empty database:  {show(baseline)}  (processes: workers and supervisor)")
    print(f"{args.entities:,} entities: {show(loaded)}")
    print(
        f"largest process: {max(loaded.values()):.0f} MiB vs {max(baseline.values()):.0f} MiB"
        " empty (target: <= 300 MB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
