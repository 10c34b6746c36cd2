"""The dashboards read through the client over HTTP as they do against an external broker
(``DOS_BROKER_URL``): a remote client with a token instead of the trusted in-process one."""

from __future__ import annotations

import httpx
import pytest

from dos.broker import tokens
from dos.broker.client import BrokerClient
from dos.portal.dashboards import feed, sensors
from tests.factories import dortmund
from tests.portal.dashboards.conftest import CORE, sensor

pytestmark = pytest.mark.django_db


def test_map_through_a_remote_client(client, broker, monkeypatch) -> None:
    from dos.broker import app as broker_app

    dortmund()
    broker("dortmund", [sensor("WeatherObserved", CORE[0], *CORE[1:], temperature=19.5)])
    app = broker_app._current
    _, secret = tokens.token_create(app.state.store, "dortmund", "read")
    monkeypatch.setattr(broker_app, "_current", None)  # no in-process broker to fall back on

    def remote() -> BrokerClient:
        return BrokerClient(
            base_url="http://broker.example", token=secret, transport=httpx.ASGITransport(app=app)
        )

    monkeypatch.setattr(sensors, "client", remote)
    monkeypatch.setattr(feed, "_retry_after", 0.0)  # restored: the refusal below backs off
    monkeypatch.setattr(feed, "_ensured", set())  # as in a fresh process
    # a read token cannot register the live map's subscription: the page still shows the
    # values it read, and the live channel has nothing notified yet
    html = client.get("/dortmund/dashboard/").content.decode()
    assert 'data-id="urn:ngsi-ld:WeatherObserved:core"' in html and "19,5 °C" in html
    body = client.get("/dashboard/dortmund/latest.json").json()
    assert body["sensors"] == []
    assert feed._retry_after > 0  # the next pages do not wait for the refusing broker
