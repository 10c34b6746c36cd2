"""Latency of the strategy pages under concurrent users (issue: p95 ≤ 100 ms, 20 users).

Run against a server with the demo data (``dos demo && dos serve``)::

    python bench/strategy_pages.py http://127.0.0.1:8000 --users 20 --requests 10

First the raw ceiling: the same users request the licence page, the base layout around a
fixed text with a single small query (whether an editable page replaces the text): the
cheapest page the portal's stack serves. Then each simulated user requests the project list, a
filtered list and a project page in turn. The script prints p50/p95/max per page and the p95
ratio to the ceiling, and exits 1 when a p95 is above ``--max-p95`` milliseconds. With
``--users 1`` it measures the service time of one page.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time

import httpx

CEILING = {"raw ceiling": "/lizenz/"}
PAGES = {
    "project list": "/strategie/projekte/",
    "filtered list": "/strategie/projekte/?field=sicherheit-und-vertrauen&city=dortmund",
    "project page": "/strategie/projekte/klimamessnetz/",
}


async def user(
    client: httpx.AsyncClient,
    pages: dict[str, str],
    requests: int,
    timings: dict[str, list[float]],
) -> None:
    for _ in range(requests):
        for name, path in pages.items():
            started = time.perf_counter()
            response = await client.get(path)
            timings[name].append((time.perf_counter() - started) * 1000)
            response.raise_for_status()


async def run(base: str, users: int, requests: int) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {name: [] for name in {**CEILING, **PAGES}}
    limits = httpx.Limits(max_connections=users)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        for pages, rounds in ((CEILING, requests * len(PAGES)), (PAGES, requests)):
            for path in pages.values():  # warm up
                (await client.get(path)).raise_for_status()
            await asyncio.gather(*(user(client, pages, rounds, timings) for _ in range(users)))
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=10, help="rounds per user")
    parser.add_argument("--max-p95", type=float, default=100.0, help="milliseconds")
    args = parser.parse_args()
    timings = asyncio.run(run(args.base_url.rstrip("/"), args.users, args.requests))
    print(f"# {args.users} users, {args.requests} rounds each, against {args.base_url}")
    worst = ceiling = 0.0
    for name, values in timings.items():
        values.sort()
        p95 = values[int(len(values) * 0.95) - 1]
        ceiling = ceiling or p95
        if name not in CEILING:
            worst = max(worst, p95)
        print(
            f"{name:<14} n={len(values):<4} p50={statistics.median(values):7.1f} ms "
            f"p95={p95:7.1f} ms max={values[-1]:7.1f} ms  p95/ceiling={p95 / ceiling:5.1f}"
        )
    return 1 if worst > args.max_p95 else 0


if __name__ == "__main__":
    sys.exit(main())
