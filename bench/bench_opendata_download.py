"""Memory and speed of the streamed open data CSV downloads, current values and history.

**Current values.** Fills a fresh in-process broker with N WeatherObserved entities (batch
upsert through the portal's client), then consumes
``dos.portal.opendata.downloads.current_csv`` as the ASGI handler would, for N and 4·N
entities, and prints rows per second and the peak of Python memory allocated while streaming
(tracemalloc). Constant memory shows as the same peak for both sizes: only one broker page
(500 entities) is held at a time.

**History.** Writes 100,000 and then 1,000,000 attribute instances (20 stations × 2
attributes × 2,500 / 25,000 five-minute values) straight into the store's history, generated
by SQLite (the rows :func:`dos.broker.temporal.history.history_row` writes), then
streams ``downloads.history_csv`` over the whole period for both sizes and prints rows per
second, the growth of the resident set (RSS) while streaming and the tracemalloc peak (a
second pass). Constant memory shows as the same RSS growth and peak for both sizes.
Raw ceiling in the same run: one SQL cursor over the same rows, iterated and written as CSV
into a buffer emptied per chunk (no broker, no JSON).

Run: ``PYTHONPATH=src python bench/bench_opendata_download.py [N] [history rows]``
(defaults 25000 and 1000000; N=0 skips the current values).
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import AsyncIterator, Callable
from typing import Any

HISTORY_TENANT = "benchhist"
STATIONS = 20
HISTORY_ATTRS = ("temperature", "relativeHumidity")
STEP_MS = 300_000
T0_MS = 1_735_689_600_000  # 2025-01-01T00:00:00Z
IRI = "https://uri.etsi.org/ngsi-ld/default-context/"


def entity(n: int) -> dict[str, Any]:
    return {
        "id": f"urn:ngsi-ld:WeatherObserved:bench-{n:07d}",
        "type": "WeatherObserved",
        "temperature": {"type": "Property", "value": 20.0 + n % 10},
        "relativeHumidity": {"type": "Property", "value": 0.5},
        "name": {"type": "Property", "value": f"Station {n}"},
        "location": {
            "type": "GeoProperty",
            "value": {"type": "Point", "coordinates": [7.4 + n % 100 / 1000, 51.5]},
        },
    }


async def fill(client: Any, start: int, stop: int) -> None:
    await client.upsert_entities([entity(n) for n in range(start, stop)], tenant="bench")


def rss() -> int:
    """Resident set size of this process in bytes (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def consume(body: Callable[[], AsyncIterator[bytes]]) -> tuple[int, int, float, int]:
    """Bytes, RSS growth while streaming, seconds (untraced pass) and the tracemalloc peak
    (a second, traced pass)."""
    before = rss()
    grown = 0
    began = time.perf_counter()
    size = 0
    async for part in body():
        size += len(part)
        grown = max(grown, rss() - before)
    elapsed = time.perf_counter() - began
    tracemalloc.start()
    async for _part in body():
        pass
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return size, grown, elapsed, peak


#: the rows the broker writes for an instance (dos.broker.temporal.history.history_row),
#: generated inside SQLite so that a million of them load in seconds
GENERATE = """
WITH RECURSIVE seq(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?),
made AS (
    SELECT i, ? + i * ? AS ms, round(10 + (i % 288) / 10.0 + ? / 100.0, 2) AS v FROM seq
)
INSERT INTO attr_history (tenant, entity_id, attr, dataset_id, instance_id, kind, instance,
    value, num, observed_ms, created_ms, modified_ms, deleted_ms)
SELECT ?, ?, ?, '', 'urn:ngsi-ld:attribute:instance:' || ? || '-' || i, 'Property',
    json_object('type', 'Property', 'value', v, 'observedAt',
        strftime('%Y-%m-%dT%H:%M:%fZ', ms / 1000.0, 'unixepoch')),
    CAST(v AS TEXT), v, ms, ms, ms, NULL
FROM made
"""


def load_history(store: Any, first: int, stop: int) -> None:
    """Instances ``first`` … ``stop - 1`` of every station's attributes, one statement each."""
    from dos.broker.temporal.history import INSERT_KEY, UPSERT_ENTITY

    types = f'["{IRI}WeatherObserved"]'

    def write(session: Any) -> None:
        session.x(
            "INSERT INTO tenants (tenant, created_at) VALUES (?, '') ON CONFLICT DO NOTHING",
            (HISTORY_TENANT,),
        )
        for station in range(STATIONS):
            entity_id = f"urn:ngsi-ld:WeatherObserved:hist-{station:02d}"
            session.x(UPSERT_ENTITY, (HISTORY_TENANT, entity_id, types, T0_MS, T0_MS))
            for attr in HISTORY_ATTRS:
                session.x(
                    GENERATE,
                    (
                        first,
                        stop,
                        T0_MS,
                        STEP_MS,
                        station,
                        HISTORY_TENANT,
                        entity_id,
                        IRI + attr,
                        f"{station}-{attr}",
                    ),
                )
                session.x(INSERT_KEY, (HISTORY_TENANT, entity_id, IRI + attr, ""))

    store.write(write)


def raw_csv(store: Any, end_ms: int) -> tuple[int, int]:
    """The ceiling: rows and bytes of one cursor over the same history written as CSV."""
    from dos.broker.temporal.times import from_ms

    sql = (
        "SELECT entity_id, attr, observed_ms, value FROM attr_history WHERE tenant = ? "
        "AND observed_ms >= ? AND observed_ms < ? ORDER BY entity_id, attr, observed_ms"
    )

    def read(session: Any) -> tuple[int, int]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        cursor = session.x(sql, (HISTORY_TENANT, T0_MS, end_ms))
        rows = size = 0
        while True:
            chunk = cursor.fetchmany(1000)
            if not chunk:
                return rows, size
            buffer.seek(0)
            buffer.truncate()
            for entity_id, attr, observed, value in chunk:
                writer.writerow([entity_id, attr.rsplit("/", 1)[-1], from_ms(observed), value])
            rows += len(chunk)
            size += len(buffer.getvalue().encode())

    result: tuple[int, int] = store.read(read)
    return result


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 25000
    history_total = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    data_dir = tempfile.mkdtemp(prefix="dos-bench-")
    os.environ["DOS_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dos.portal.settings")
    import django

    django.setup()
    from dos.broker.app import create_app
    from dos.broker.client import BrokerClient
    from dos.broker.store.sqlite import SqliteStore
    from dos.config import load
    from dos.portal.opendata.downloads import current_csv, history_csv
    from dos.portal.opendata.models import Dataset
    from dos.portal.tenancy.models import City

    store = SqliteStore(load().sqlite_path("broker"))
    store.migrate()
    create_app(load(), store=store)  # becomes the process's broker for the client
    columns = ["location", "name", "relativeHumidity", "temperature"]
    dataset = Dataset(
        slug="bench",
        city=City(slug="bench", name="Bench", ags="00000000", latitude=0, longitude=0),
        source=Dataset.GENERATED,
        entity_type="WeatherObserved",
        attribute_names=columns,
    )

    async def current() -> None:
        client = BrokerClient.from_config(load())
        filled = 0
        for target in (n, 4 * n):
            for start in range(filled, target, 5000):
                await fill(client, start, min(start + 5000, target))
            filled = target
            size, grown, elapsed, peak = await consume(lambda: current_csv(dataset))
            print(
                f"current {target:>9} rows  {size / 1e6:7.1f} MB CSV  {target / elapsed:9.0f} "
                f"rows/s  RSS +{grown / 1e6:6.2f} MB  peak {peak / 1e6:6.2f} MB"
            )
        await client.aclose()

    if n:
        asyncio.run(current())
    if not history_total:
        return
    history = Dataset(
        slug="benchhist",
        city=City(slug=HISTORY_TENANT, name="Bench", ags="00000000", latitude=0, longitude=0),
        source=Dataset.GENERATED,
        entity_type="WeatherObserved",
        attribute_names=columns,
    )
    per_series_total = history_total // (STATIONS * len(HISTORY_ATTRS))
    end_ms = T0_MS + per_series_total * STEP_MS
    from dos.broker.temporal.times import from_ms

    window = (from_ms(T0_MS), from_ms(end_ms))
    loaded = 0
    for per_series in (per_series_total // 10, per_series_total):
        began = time.perf_counter()
        load_history(store, loaded, per_series)
        loaded = per_series
        rows = per_series * STATIONS * len(HISTORY_ATTRS)
        print(
            f"history: {rows:,} instances in the store ({time.perf_counter() - began:.0f} s to add)"
        )
        began = time.perf_counter()
        raw_rows, raw_size = raw_csv(store, end_ms)
        raw_s = time.perf_counter() - began
        assert raw_rows == rows, (raw_rows, rows)
        size, grown, elapsed, peak = asyncio.run(consume(lambda: history_csv(history, *window)))
        print(
            f"history {rows:>9} rows  {size / 1e6:7.1f} MB CSV  {rows / elapsed:9.0f} rows/s  "
            f"RSS +{grown / 1e6:6.2f} MB  peak {peak / 1e6:6.2f} MB  |  raw cursor "
            f"{raw_rows / raw_s:9.0f} rows/s ({raw_size / 1e6:.1f} MB)  ratio "
            f"{(rows / elapsed) / (raw_rows / raw_s):.2f}"
        )
    store.close()


if __name__ == "__main__":
    main()
