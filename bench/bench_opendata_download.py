"""Memory and speed of the streamed open data CSV download (current values).

Fills a fresh in-process broker with N WeatherObserved entities (batch upsert through the
portal's client), then consumes ``dos.portal.opendata.downloads.current_csv`` as the ASGI
handler would, for N and 4·N entities, and prints rows per second and the peak of Python
memory allocated while streaming (tracemalloc). Constant memory shows as the same peak for
both sizes: only one broker page (500 entities) is held at a time.

Run: ``PYTHONPATH=src python bench/bench_opendata_download.py [N]`` (default 25000).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import tracemalloc
from typing import Any


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


async def stream(dataset: Any) -> tuple[int, int, float]:
    """Bytes streamed, peak traced memory (a second pass) and seconds (untraced pass)."""
    from dos.portal.opendata.downloads import current_csv

    began = time.perf_counter()
    size = 0
    async for part in current_csv(dataset):
        size += len(part)
    elapsed = time.perf_counter() - began
    tracemalloc.start()
    async for _part in current_csv(dataset):
        pass
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return size, peak, elapsed


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 25000
    data_dir = tempfile.mkdtemp(prefix="dos-bench-")
    os.environ["DOS_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dos.portal.settings")
    import django

    django.setup()
    from dos.broker.app import create_app
    from dos.broker.client import BrokerClient
    from dos.broker.store.sqlite import SqliteStore
    from dos.config import load
    from dos.portal.opendata.models import Dataset
    from dos.portal.tenancy.models import City

    store = SqliteStore(load().sqlite_path("broker"))
    store.migrate()
    create_app(load(), store=store)  # becomes the process's broker for the client
    dataset = Dataset(
        slug="bench",
        city=City(slug="bench", name="Bench", ags="00000000", latitude=0, longitude=0),
        source=Dataset.GENERATED,
        entity_type="WeatherObserved",
        attribute_names=["location", "name", "relativeHumidity", "temperature"],
    )

    async def run() -> None:
        client = BrokerClient.from_config(load())
        filled = 0
        for target in (n, 4 * n):
            for start in range(filled, target, 5000):
                await fill(client, start, min(start + 5000, target))
            filled = target
            size, peak, elapsed = await stream(dataset)
            print(
                f"{target:>9} rows  {size / 1e6:7.1f} MB CSV  {target / elapsed:9.0f} rows/s  "
                f"peak {peak / 1e6:6.2f} MB"
            )
        await client.aclose()

    asyncio.run(run())


if __name__ == "__main__":
    main()
