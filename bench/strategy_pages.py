"""Latency of the strategy pages under concurrent users (issue: p95 ≤ 100 ms, 20 users).

Run against a server with the demo data (``dos demo && dos serve``)::

    python bench/strategy_pages.py http://127.0.0.1:8000 --users 20 --seconds 5

Each simulated user is one keep-alive connection that requests a page, reads the whole
answer and requests it again at once (no think time: 20 users here load the server more than
20 people reading pages would). First the raw ceiling: the licence page, the base layout
around a fixed text with a single small query, the cheapest page the portal's stack serves.
Then the project list, a filtered list and a project page, each for ``--seconds``. The
script prints requests/s and p50/p95/p99/max per page and the p95 ratio to the ceiling, and
exits 1 when a p95 is above ``--max-p95`` milliseconds. With ``--users 1`` it measures the
service time of one page.

The client is ``bench/loadgen.py`` (HTTP/1.1 on asyncio streams): an httpx client with 20
concurrent requests spends more time in itself than the server does per page, and its own
queueing was what the p95 used to show. Anonymous requests, so with the page cache on
(``DOS_PAGE_CACHE_SECONDS``, default 60) the pages come from the cache after the first
request per worker; run the server with ``DOS_PAGE_CACHE_SECONDS=0`` for Django's own time.
"""

from __future__ import annotations

import argparse
import sys
import urllib.parse
import urllib.request

from loadgen import MakeRequest, load, request_bytes

CEILING = {"raw ceiling": "/lizenz/"}
PAGES = {
    "project list": "/strategie/projekte/",
    "filtered list": "/strategie/projekte/?field=sicherheit-und-vertrauen&city=dortmund",
    "project page": "/strategie/projekte/klimamessnetz/",
}


def fixed(request: bytes) -> MakeRequest:
    """A request maker that always sends ``request``."""
    return lambda _rng: request


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=5, help="duration per page")
    parser.add_argument("--max-p95", type=float, default=100.0, help="milliseconds")
    args = parser.parse_args()
    base = args.base_url.rstrip("/")
    url = urllib.parse.urlsplit(base)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    print(f"# {args.users} users, {args.seconds:g} s per page, against {base}")
    worst = ceiling = 0.0
    for name, path in {**CEILING, **PAGES}.items():
        for _ in range(4):  # warm up (both workers' caches, connections)
            with urllib.request.urlopen(base + path, timeout=30) as response:
                response.read()
        result = load(
            host,
            port,
            fixed(request_bytes("GET", path)),
            connections=args.users,
            seconds=args.seconds,
        )
        p95 = result.percentile(95)
        ceiling = ceiling or p95
        if name not in CEILING:
            worst = max(worst, p95)
        print(
            f"{name:<14} {result.rate:7.0f}/s p50={result.percentile(50):6.1f} ms "
            f"p95={p95:6.1f} ms p99={result.percentile(99):6.1f} ms "
            f"max={max(result.latencies_ms):7.1f} ms  p95/ceiling={p95 / ceiling:4.1f}"
        )
    return 1 if worst > args.max_p95 else 0


if __name__ == "__main__":
    sys.exit(main())
