"""A fresh in-process broker per test (the portal's client finds it as the current broker
app), and builders for sensor entities as the demo network provisions them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync

from dos.broker.client import BrokerClient
from dos.config import load

NOW = dt.datetime(2026, 7, 15, 12, 0, tzinfo=dt.UTC)
Upsert = Callable[[str, list[dict[str, Any]]], None]


@pytest.fixture
def broker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Upsert]:
    """Upserts entities through the client into a new broker that the portal then reads."""
    from dos.broker import app as broker_app
    from dos.broker.store.sqlite import SqliteStore
    from dos.portal.dashboards import sensors

    monkeypatch.setattr(broker_app, "_current", None)  # restored after the test
    store = SqliteStore(tmp_path / "broker.sqlite3")
    store.migrate()
    app = broker_app.create_app(load({"DOS_DATA_DIR": str(tmp_path)}), store=store)
    monkeypatch.setattr(sensors, "now", lambda: NOW)

    def upsert(tenant: str, entities: list[dict[str, Any]]) -> None:
        async def run() -> None:
            client = BrokerClient(app=app)
            try:
                await client.upsert_entities(entities, tenant=tenant, update=True)
            finally:
                await client.aclose()

        async_to_sync(run)()

    yield upsert
    store.close()


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sensor(
    kind: str, key: str, lat: float, lon: float, at: dt.datetime = NOW, **values: Any
) -> dict[str, Any]:
    """An entity of ``kind`` (entity type) with measured ``values`` observed ``at``."""
    static = values.pop("static", {})
    entity: dict[str, Any] = {
        "id": f"urn:ngsi-ld:{kind}:{key}",
        "type": kind,
        "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [lon, lat]}},
        "name": {"type": "Property", "value": static.pop("name", key)},
    }
    for name, value in static.items():
        entity[name] = {"type": "Property", "value": value}
    for name, value in values.items():
        entity[name] = {"type": "Property", "value": value, "observedAt": stamp(at)}
    return entity


#: Three Dortmund climate stations: city core, Hörde (half urban) and Mengede (rural).
CORE = ("core", 51.51389, 7.46528)
HOERDE = ("hoerde", 51.48333, 7.5)
MENGEDE = ("mengede", 51.57, 7.38)
