"""An in-process broker of its own for each test, found by the portal's client as the
process's broker (``dos.broker.app.current_app``), plus helpers to fill it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync

from dos.broker import app as broker_app
from dos.broker.client import BrokerClient
from dos.broker.store.sqlite import SqliteStore
from dos.config import load


@pytest.fixture
def broker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    store = SqliteStore(tmp_path / "broker.sqlite3")
    store.migrate()
    app = broker_app.create_app(load({"DOS_DATA_DIR": str(tmp_path)}), store=store)
    monkeypatch.setattr(broker_app, "_current", app)
    yield app
    async_to_sync(app.state.resolver.aclose)()
    store.close()


def upsert(entities: list[dict[str, Any]], tenant: str) -> None:
    """Create entities through the client's batch upsert."""

    async def run() -> None:
        client = BrokerClient(app=broker_app._current)
        try:
            await client.upsert_entities(entities, tenant=tenant)
        finally:
            await client.aclose()

    async_to_sync(run)()


def weather(n: int, tenant: str = "dortmund") -> dict[str, Any]:
    return {
        "id": f"urn:ngsi-ld:WeatherObserved:{tenant}-{n:04d}",
        "type": "WeatherObserved",
        "temperature": {"type": "Property", "value": 20.0 + n / 10},
        "relativeHumidity": {"type": "Property", "value": 0.5},
        "name": {"type": "Property", "value": f"Station {n}, Nord"},
        "location": {
            "type": "GeoProperty",
            "value": {"type": "Point", "coordinates": [7.46 + n / 1000, 51.51]},
        },
    }


def parking(n: int, tenant: str = "schwerte") -> dict[str, Any]:
    return {
        "id": f"urn:ngsi-ld:ParkingSpot:{tenant}-{n:04d}",
        "type": "ParkingSpot",
        "status": {"type": "Property", "value": "free" if n % 2 else "occupied"},
        "location": {
            "type": "GeoProperty",
            "value": {"type": "Point", "coordinates": [7.56, 51.44 + n / 1000]},
        },
    }
