"""The demo sensor step on a slice of the network, and one round of the simulator."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from dos.broker.app import create_app
from dos.broker.client import _trusted
from dos.broker.store.sqlite import SqliteStore
from dos.config import Config, load
from dos.demo import sensors
from dos.demo.network import Station, build_network
from dos.demo.simulator import HttpSender, simulate


def slice_of_network() -> list[Station]:
    stations = build_network(2030)
    picked: list[Station] = []
    for kind, count in (
        ("climate", 1),
        ("climate_globe", 1),
        ("dust", 1),
        ("tree", 1),
        ("weather", 1),
        ("parking", 3),
    ):
        picked += [s for s in stations if s.kind == kind][:count]
    return picked


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Any]:
    config: Config = load({"DOS_DATA_DIR": str(tmp_path)})
    store = SqliteStore(tmp_path / "broker.sqlite3")
    store.migrate()
    yield create_app(config, store=store)
    store.close()


def http(app: Any) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=_trusted(app))
    return httpx.AsyncClient(transport=transport, base_url="http://broker.internal")


async def entity(app: Any, station: Station) -> Any:
    async with http(app) as client:
        response = await client.get(
            f"/ngsi-ld/v1/entities/{station.entity_id}", headers={"NGSILD-Tenant": station.city}
        )
    assert response.status_code == 200, response.text
    return response.json()


async def test_provisioning_and_backfill_are_idempotent(app: Any) -> None:
    stations = slice_of_network()
    said: list[str] = []
    await sensors.load_async(
        app.state.config, said.append, stations=stations, days=1, progress=False, http=http(app)
    )
    assert said[0] == f"sensors: {len(stations)} devices provisioned ({len(stations)} new)"
    async with http(app) as client:
        listed = (await client.get("/iot/devices", headers={"fiware-service": "dortmund"})).json()
        groups = (await client.get("/iot/services", headers={"fiware-service": "schwerte"})).json()
    assert listed["count"] == 4
    device = next(d for d in listed["devices"] if d["device_id"] == stations[0].device_id)
    assert device["apikey"] == "dortmund-climate"
    assert {a["name"] for a in device["attributes"]} == {"temperature", "relativeHumidity"}
    assert {g["apikey"] for g in groups["services"]} == {"schwerte-weather", "schwerte-parking"}
    climate = await entity(app, stations[0])
    last_hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    assert climate["temperature"]["observedAt"] == sensors.iso(last_hour)
    assert climate["temperature"]["unitCode"] == "CEL"
    assert climate["location"]["value"]["type"] == "Point"
    assert climate["areaServed"]["value"] == stations[0].district
    spot = await entity(app, stations[-1])
    assert spot["status"]["value"] in ("free", "occupied")
    assert spot["refParkingSite"]["object"].startswith("urn:ngsi-ld:OffStreetParking:")
    # again: nothing new
    said.clear()
    await sensors.load_async(
        app.state.config, said.append, stations=stations, days=1, progress=False, http=http(app)
    )
    assert said == [
        f"sensors: {len(stations)} devices provisioned (0 new)",
        "sensors: 0 hourly values of the last 1 days written",
    ]


async def test_backfill_writes_every_hour_in_order(app: Any) -> None:
    station = slice_of_network()[0]
    end = datetime(2026, 6, 1, 12, 30, tzinfo=UTC)
    async with http(app) as client:
        await sensors.provision(client, [station])
        written = await sensors.backfill(client, [station], 1, end=end, progress=False)
    assert written == 25  # 24 hours back and the current hour
    got = await entity(app, station)
    assert got["temperature"]["observedAt"] == "2026-06-01T12:00:00.000Z"
    assert sensors.hours(1, end)[0] == end.replace(minute=0) - timedelta(days=1)


async def test_simulator_sends_one_round_over_http(app: Any) -> None:
    stations = slice_of_network()
    async with http(app) as client:
        await sensors.provision(client, stations)
    sender = HttpSender("http://dos", transport=httpx.ASGITransport(app=app))
    start = datetime(2026, 7, 1, 14, 0, tzinfo=UTC)
    said: list[str] = []
    try:
        accepted = await simulate(stations, sender, once=True, start=start, say=said.append)
    finally:
        await sender.close()
    assert accepted == len(stations)
    assert said[-1].endswith(f"{len(stations)}/{len(stations)} measures accepted")
    got = await entity(app, stations[0])
    assert got["temperature"]["observedAt"].startswith("2026-07-01T14:00")
    assert 5 < got["temperature"]["value"] < 40


async def test_simulator_sends_one_round_over_mqtt(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio
    import uuid

    from dos.broker.ingest import mqtt as ingest_mqtt
    from dos.broker.ingest.mqtt import MqttIngest
    from dos.demo.simulator import MqttSender
    from tests.services import mqtt_url

    url = mqtt_url()
    monkeypatch.setattr(ingest_mqtt, "SHARE_GROUP", f"test{uuid.uuid4().hex[:8]}")
    stations = slice_of_network()
    async with http(app) as client:
        await sensors.provision(client, stations)
    consumer = MqttIngest(
        url, app.state.store, asyncio.get_running_loop(), client_id=f"t-{uuid.uuid4().hex[:8]}"
    )
    consumer.start()
    sender = MqttSender(url)
    try:
        await asyncio.wait_for(consumer.connected.wait(), 10)
        await asyncio.sleep(0.3)  # the SUBACK
        start = datetime(2026, 7, 2, 9, 0, tzinfo=UTC)
        accepted = await simulate(stations, sender, once=True, start=start, say=lambda _: None)
        assert accepted == len(stations)  # PUBACKs from the MQTT broker
        for _ in range(100):
            got = await entity_or_none(app, stations[-1])
            if got and got["status"]["observedAt"].startswith("2026-07-02T09:00"):
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the simulated measure did not arrive")
    finally:
        await sender.close()
        consumer.stop()


async def entity_or_none(app: Any, station: Station) -> Any:
    async with http(app) as client:
        response = await client.get(
            f"/ngsi-ld/v1/entities/{station.entity_id}", headers={"NGSILD-Tenant": station.city}
        )
    return response.json() if response.status_code == 200 else None


@pytest.mark.django_db
async def test_the_backfill_does_not_notify_the_live_map(app: Any) -> None:
    from dos.portal.dashboards import feed

    stations = [s for s in slice_of_network() if s.city == "dortmund"][:1]
    async with http(app) as client:
        response = await client.post(
            "/ngsi-ld/v1/subscriptions",
            json=feed.subscription("dortmund", "http://127.0.0.1:9"),
            headers={"NGSILD-Tenant": "dortmund"},
        )
        assert response.status_code == 201, response.text
    await sensors.load_async(
        app.state.config, lambda _: None, stations=stations, days=1, progress=False, http=http(app)
    )
    queued = app.state.store.read(lambda s: s.x("SELECT COUNT(*) FROM outbox").fetchone()[0])
    assert queued == 0
    async with http(app) as client:
        sub = await client.get(
            f"/ngsi-ld/v1/subscriptions/{feed.subscription_id('dortmund')}",
            headers={"NGSILD-Tenant": "dortmund"},
        )
    assert sub.json()["isActive"] is True  # resumed after the backfill
