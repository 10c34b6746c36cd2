"""The city map with all its sensors against its raw ceiling (issue target: ≤ 200 ms).

Needs the demo region in a data folder (about 700 sensors in Schwerte, 665 of them parking
spots)::

    DOS_DATA_DIR=/tmp/dp-data PYTHONPATH=src python -m dos migrate
    DOS_DATA_DIR=/tmp/dp-data PYTHONPATH=src python -m dos demo --days 1
    DOS_DATA_DIR=/tmp/dp-data PYTHONPATH=src python bench/bench_map.py [city] [requests]

Times, through the whole Django stack (middleware, broker client, rendering), with the
garbage-collector setting of the server processes (``DOS_GC_GEN0_THRESHOLD``):

- raw ceiling: one plain SQL query of the same entities from the broker store, each
  document parsed (what any map needs at the least);
- the city map page, **cold** (the dashboards' cache emptied before each request: the broker
  is read and everything drawn anew, as once per ``DOS_DASHBOARD_CACHE_SECONDS``) and
  **warm** (within that time);
- the live channel's polling fallback ``latest.json`` (what the broker notified, from the
  database).

It prints p50 / p95 in milliseconds and the p50 ratio to the ceiling.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

TARGET_MS = 200.0


def percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def timed(
    fn: Callable[[], Any], count: int, before: Callable[[], Any] | None = None
) -> list[float]:
    fn()  # warm up imports and connections
    found = []
    for _ in range(count):
        if before is not None:
            before()
        began = time.perf_counter()
        fn()
        found.append((time.perf_counter() - began) * 1000)
    return found


def main() -> int:
    city = sys.argv[1] if len(sys.argv) > 1 else "schwerte"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    if "DOS_DATA_DIR" not in os.environ:
        print("set DOS_DATA_DIR to a folder with the demo region (see the docstring)")
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dos.portal.settings")
    import django

    django.setup()
    from dos.asgi import tune_gc
    from dos.config import load as load_settings

    tune_gc(load_settings().GC_GEN0_THRESHOLD)  # as every server process does
    import orjson
    from django.core.cache import cache
    from django.test import Client

    from dos.broker.store import open_store
    from dos.config import load
    from dos.portal.dashboards.sensors import TYPES

    store = open_store(load())
    iris = {f"https://uri.etsi.org/ngsi-ld/default-context/{t}" for t in TYPES}

    def raw() -> list[Any]:
        rows = store.read(
            lambda s: s.x("SELECT doc FROM entities WHERE tenant = ?", (city,)).fetchall()
        )
        docs = (orjson.loads(row[0]) for row in rows)
        return [d for d in docs if set(d["type"]) & iris]

    entities = len(raw())
    if not entities:
        print(f"no sensors in tenant {city!r}: load the demo region first (see the docstring)")
        return 2
    client = Client()
    page = f"/{city}/dashboard/"
    latest = f"/dashboard/{city}/latest.json"

    def get(path: str, expect: int = 200, **headers: str) -> Any:
        response = client.get(path, headers=headers)
        assert response.status_code == expect, (path, response.status_code)
        return response

    results = [
        ("raw ceiling: SQL + parse", timed(raw, count)),
        ("map page, cold", timed(lambda: get(page), count, cache.clear)),
        ("map page, warm", timed(lambda: get(page), count)),
        ("latest.json (live poll)", timed(lambda: get(latest), count)),
    ]
    print(
        f"{city}: {entities} sensors; {count} requests each; python {platform.python_version()}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    ceiling = statistics.median(results[0][1])
    print(f"{'':24} {'p50 ms':>8} {'p95 ms':>8} {'p50/ceiling':>12}")
    for label, times in results:
        p50, p95 = percentiles(times)
        print(f"{label:24} {p50:8.1f} {p95:8.1f} {p50 / ceiling:12.1f}")
    print(f"target: map page ≤ {TARGET_MS:.0f} ms")
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
