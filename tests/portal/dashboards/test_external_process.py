"""The dashboards against an external broker (``DOS_BROKER_URL``): a second DOS process, started
as ``dos serve --only broker``, holds the sensors; the portal reads them over HTTP only."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings

from dos.broker.client import BrokerClient
from dos.portal.dashboards import cache, feed, sensors
from tests.broker.reliability.server import Server, clean_env
from tests.factories import dortmund
from tests.portal.dashboards.conftest import CORE, NOW, sensor

pytestmark = pytest.mark.django_db


@pytest.fixture
def external(tmp_path: Path) -> Iterator[Server]:
    """A second DOS process serving only the broker, with its own data folder."""
    env = clean_env(DOS_DATA_DIR=str(tmp_path / "external"), DOS_BROKER_OPEN_WRITES="true")
    (tmp_path / "external").mkdir()
    server = Server(env, tmp_path / "external.log")
    server.start()
    yield server
    server.stop()


def test_map_and_station_read_a_second_dos_process(
    client, external: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dos.broker import app as broker_app

    dortmund()

    async def write() -> None:
        remote = BrokerClient(base_url=external.url)
        try:
            await remote.upsert_entities(
                [sensor("WeatherObserved", *CORE, temperature=23.5)], tenant="dortmund"
            )
        finally:
            await remote.aclose()

    async_to_sync(write)()
    config = dataclasses.replace(
        settings.CONFIG, values={**settings.CONFIG.values, "BROKER_URL": external.url}
    )
    monkeypatch.setattr(settings, "CONFIG", config)
    monkeypatch.setattr(broker_app, "_current", None)  # no in-process broker to fall back on
    monkeypatch.setattr(sensors, "now", lambda: NOW)
    monkeypatch.setattr(feed, "_ensured", set())
    cache.invalidate("dortmund")

    html = client.get("/dortmund/dashboard/").content.decode()
    assert 'data-id="urn:ngsi-ld:WeatherObserved:core"' in html and "23,5 °C" in html
    # the live map's subscription was registered in the external broker
    listed = external.request(
        "GET", "/ngsi-ld/v1/subscriptions", headers={"NGSILD-Tenant": "dortmund"}
    ).json()
    assert any(s["id"].endswith("dos-portal-live-dortmund") for s in listed)
    station = client.get("/dortmund/dashboard/station/urn:ngsi-ld:WeatherObserved:core/")
    assert station.status_code == 200 and "23,5" in station.content.decode()
