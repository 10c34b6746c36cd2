"""A station page with one year of data against its raw ceiling (issue target: ≤ 300 ms).

Loads, into a fresh data folder (SQLite, or PostgreSQL with ``DOS_DATABASE_URL``), one
weather station in Schwerte with one year of 5-minute temperatures (105,120 instances) up to
now, written through the temporal API in batches of 10,000 instances
(``POST /temporal/entities/{id}/attrs``, one store transaction each). Then it times, through
the whole Django stack:

- raw ceiling: the year's daily avg/min/max as one hand-written SQL ``GROUP BY`` on
  ``attr_history`` (what the one-year chart needs, no rendering);
- the broker alone: ``GET /temporal/entities/{id}`` with ``aggrMethods=avg,min,max`` over
  the year by day (what the page asks the broker for when nothing is cached);
- the station page for each range (24 h, 7 days, 30 days, 1 year) and the one-year CSV,
  **cold** (the dashboards' cache emptied before each request) and **warm** (a second
  viewer within ``DOS_DASHBOARD_CACHE_SECONDS``, or the periods that are over are reused);

It prints p50 / p95 in milliseconds and the p50 ratio to the ceiling. Run:
``PYTHONPATH=src python bench/bench_station_page.py [requests]`` (default 20).
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

TARGET_MS = 300.0
CITY = "schwerte"
ENTITY = "urn:ngsi-ld:WeatherObserved:bench-station"
ATTR = "https://uri.etsi.org/ngsi-ld/default-context/temperature"
STEP_S = 300
COUNT = 105_120
BATCH = 10_000
DAY_MS = 86_400_000


def percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def timed(
    fn: Callable[[], Any], count: int, before: Callable[[], Any] | None = None
) -> list[float]:
    fn()
    found = []
    for _ in range(count):
        if before is not None:
            before()
        began = time.perf_counter()
        fn()
        found.append((time.perf_counter() - began) * 1000)
    return found


def stamp(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def temperature(i: int) -> float:
    """A daily and a yearly swing, so every period has a different mean, low and high."""
    return round(10 + 8 * ((i % 288) / 288 - 0.5) + 10 * ((i % 105_120) / 105_120), 2)


def trusted(app: Any) -> Any:
    """The broker app with requests marked as coming from this process (as the portal's)."""
    from dos.broker.http.access import INTERNAL

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        await app({**scope, INTERNAL: True}, receive, send)

    return wrapped


async def load(app: Any, end_s: int) -> None:
    """The station (current values) and its year of history, through the NGSI-LD API."""
    import httpx
    import orjson

    from dos.broker.client import BrokerClient

    client = BrokerClient(app=app)
    last = end_s - STEP_S
    station = {
        "id": ENTITY,
        "type": "WeatherObserved",
        "name": {"type": "Property", "value": "Bench station"},
        "location": {
            "type": "GeoProperty",
            "value": {"type": "Point", "coordinates": [7.566, 51.4452]},
        },
        "temperature": {
            "type": "Property",
            "value": temperature(COUNT - 1),
            "observedAt": stamp(last),
        },
    }
    await client.upsert_entities([station], tenant=CITY)
    await client.aclose()
    start_s = end_s - COUNT * STEP_S
    transport = httpx.ASGITransport(app=trusted(app))
    headers = {"NGSILD-Tenant": CITY, "Content-Type": "application/json"}
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        for first in range(0, COUNT - 1, BATCH):  # the last value came with the entity
            instances = [
                {
                    "type": "Property",
                    "value": temperature(i),
                    "observedAt": stamp(start_s + i * STEP_S),
                }
                for i in range(first, min(first + BATCH, COUNT - 1))
            ]
            response = await http.post(
                f"/ngsi-ld/v1/temporal/entities/{ENTITY}/attrs",
                content=orjson.dumps({"temperature": instances}),
                headers=headers,
            )
            assert response.status_code == 204, response.text


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    os.environ["DOS_DATA_DIR"] = tempfile.mkdtemp(prefix="dos-bench-station-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dos.portal.settings")
    import django

    django.setup()
    from dos.asgi import tune_gc
    from dos.config import load as load_settings

    tune_gc(load_settings().GC_GEN0_THRESHOLD)  # as every server process does
    import httpx
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    from dos.broker.app import create_app
    from dos.broker.store import open_store
    from dos.config import load as load_config
    from dos.portal.accounts.permissions import SYSTEM
    from dos.portal.tenancy.actions import city_add

    call_command("migrate", verbosity=0)
    city_add(SYSTEM, slug=CITY, name="Schwerte", ags="05978036", latitude=51.4458, longitude=7.5653)
    config = load_config()
    store = open_store(config, schema="bench_station")
    if store.engine == "postgresql":
        store.drop_schema()  # type: ignore[attr-defined]
    store.migrate()
    app = create_app(config, store=store)  # the portal's client finds it as the current broker
    end_s = int(time.time()) // STEP_S * STEP_S
    began = time.perf_counter()
    asyncio.run(load(app, end_s))
    print(f"loaded {COUNT:,} instances in {time.perf_counter() - began:.1f} s ({store.engine})")

    year_start_ms = (end_s // 86400 + 1) * DAY_MS - 365 * DAY_MS
    raw_sql = (
        "SELECT (observed_ms - ?) / ? AS b, AVG(num), MIN(num), MAX(num) FROM attr_history "
        "WHERE tenant = ? AND entity_id = ? AND attr = ? AND observed_ms >= ? "
        "GROUP BY b ORDER BY b"
    )
    params = (year_start_ms, DAY_MS, CITY, ENTITY, ATTR, year_start_ms)

    def raw() -> Any:
        return store.read(lambda s: s.x(raw_sql, params).fetchall())

    assert len(raw()) >= 365

    async def broker_year() -> None:
        transport = httpx.ASGITransport(app=trusted(app))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            response = await http.get(
                f"/ngsi-ld/v1/temporal/entities/{ENTITY}",
                params={
                    "attrs": "temperature",
                    "options": "aggregatedValues",
                    "aggrMethods": "avg,min,max",
                    "aggrPeriodDuration": "P1D",
                    "timerel": "between",
                    "timeAt": stamp(year_start_ms // 1000),
                    "endTimeAt": stamp(year_start_ms // 1000 + 365 * 86400),
                },
                headers={"NGSILD-Tenant": CITY},
            )
            assert response.status_code == 200, response.text

    client = Client()
    page = f"/{CITY}/dashboard/station/{ENTITY}/"

    def get(path: str) -> None:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    results = [
        ("raw ceiling: SQL by day", timed(raw, count)),
        ("broker: year by day", timed(lambda: asyncio.run(broker_year()), count)),
    ]
    for key in ("24h", "7d", "30d", "1y"):
        url = f"{page}?range={key}"
        results.append((f"page {key}, cold", timed(lambda url=url: get(url), count, cache.clear)))
        results.append((f"page {key}, warm", timed(lambda url=url: get(url), count)))
    csv = f"{page}werte.csv?range=1y"
    results.append(("CSV 1y, cold", timed(lambda: get(csv), count, cache.clear)))
    results.append(("CSV 1y, warm", timed(lambda: get(csv), count)))

    print(
        f"{count} requests each; python {platform.python_version()}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    ceiling = statistics.median(results[0][1])
    print(f"{'':26} {'p50 ms':>8} {'p95 ms':>8} {'p50/ceiling':>12}")
    for label, times in results:
        p50, p95 = percentiles(times)
        print(f"{label:26} {p50:8.1f} {p95:8.1f} {p50 / ceiling:12.1f}")
    print(f"target: station page with one year ≤ {TARGET_MS:.0f} ms")
    if store.engine == "postgresql":
        store.drop_schema()  # type: ignore[attr-defined]
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
