"""The map's live channel fed by a broker subscription: a measure written to the broker is
notified (real dispatcher, real notification) to the portal's endpoint, recorded, and shown
by the polling fallback and the event stream."""

from __future__ import annotations

import datetime as dt
import urllib.parse

import orjson
import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.test import AsyncClient

from dos.broker.client import BrokerClient
from dos.portal.dashboards import feed, views
from dos.portal.dashboards.models import LiveValue
from dos.portal.dashboards.scale import colour
from tests.factories import dortmund, schwerte
from tests.portal.dashboards.conftest import CORE, NOW, sensor

pytestmark = pytest.mark.django_db
BASE = "http://portal.test"


@pytest.fixture
def notified(broker, client, monkeypatch):
    """Registers the subscriptions of both cities; returns ``deliver()``, which lets the
    broker's dispatcher deliver what is due to the portal's endpoint (through the test
    client, so the test database is the one the view writes to)."""
    from dos.broker import app as broker_app
    from dos.broker.subscriptions.dispatcher import Dispatcher

    dortmund()
    schwerte()
    app = broker_app.current_app(None)
    monkeypatch.setattr(feed, "_base_url", BASE)  # pages re-registering keep this endpoint

    async def register() -> None:
        client_ = BrokerClient(app=app)
        try:
            assert await feed.register(client_, ["dortmund", "schwerte"], BASE) == 2
            # again: idempotent, an update of the same subscription
            assert await feed.register(client_, ["dortmund"], BASE) == 0
        finally:
            await client_.aclose()

    async_to_sync(register)()

    class Portal:
        """The dispatcher's HTTP client (``post``/``aclose`` of
        :class:`~dos.broker.subscriptions.httpclient.HttpClient`) posting to the test client."""

        async def post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
            assert url.startswith(BASE + feed.NOTIFY_PATH)
            response = await sync_to_async(client.generic)(
                "POST",
                urllib.parse.urlsplit(url).path,
                body,
                content_type=headers["Content-Type"],
                headers={k: v for k, v in headers.items() if k.lower() != "content-type"},
            )
            return int(response.status_code)

        async def aclose(self) -> None:
            pass

    def deliver() -> None:
        async def run() -> None:
            dispatcher = Dispatcher(app.state.store, app.state.resolver)
            dispatcher._client = Portal()  # type: ignore[assignment]
            while await dispatcher.tick():
                await dispatcher.drain()
            await dispatcher.stop()

        async_to_sync(run)()

    return deliver


def test_a_measure_reaches_the_live_endpoint_through_a_notification(
    broker, notified, client
) -> None:
    broker("dortmund", [sensor("WeatherObserved", *CORE, temperature=21.5)])
    broker("schwerte", [sensor("ParkingSpot", "p1", 51.44, 7.56, status="free")])
    notified()
    body = client.get("/dashboard/dortmund/latest.json?layer=temperature").json()
    (core,) = body["sensors"]
    assert (core["id"], core["value"], core["text"]) == (
        "urn:ngsi-ld:WeatherObserved:core",
        21.5,
        "21,5 °C",
    )
    assert core["colour"] == colour(21.5, -5, 35)
    assert core["observedAt"] == NOW.isoformat()
    cursor = body["cursor"]

    later = NOW + dt.timedelta(minutes=5)
    broker("dortmund", [sensor("WeatherObserved", *CORE, at=later, temperature=33.0)])
    notified()
    changed = client.get("/dashboard/dortmund/latest.json", {"since": cursor}).json()
    assert [(s["id"], s["value"]) for s in changed["sensors"]] == [
        ("urn:ngsi-ld:WeatherObserved:core", 33.0)
    ]
    spots = client.get("/dashboard/schwerte/latest.json").json()["sensors"]
    assert [(s["id"], s["text"]) for s in spots] == [("urn:ngsi-ld:ParkingSpot:p1", "frei")]
    assert LiveValue.objects.count() == 2  # one row per entity, tenants apart


def test_the_event_stream_sends_the_notified_values(broker, notified, monkeypatch) -> None:
    monkeypatch.setattr(views, "STREAM_SECONDS", 1.0)
    monkeypatch.setattr(views, "STREAM_POLL", 0.1)
    since = dt.datetime.now(dt.UTC).isoformat()
    broker("dortmund", [sensor("WeatherObserved", *CORE, temperature=24.0)])
    notified()

    async def read() -> tuple[str, str]:
        response = await AsyncClient().get(
            "/dashboard/dortmund/live/?layer=temperature", headers={"Last-Event-ID": since}
        )
        chunks = [chunk async for chunk in response.streaming_content]
        return response["Content-Type"], b"".join(
            c if isinstance(c, bytes) else c.encode() for c in chunks
        ).decode()

    kind, text = async_to_sync(read)()
    assert kind == "text/event-stream"
    events = [e for e in text.split("\n\n") if e.startswith("id: ")]
    assert len(events) == 1  # sent once, although the overlap reads it again
    data = orjson.loads(events[0].split("data: ", 1)[1])
    assert [(s["id"], s["text"]) for s in data["sensors"]] == [
        ("urn:ngsi-ld:WeatherObserved:core", "24,0 °C")
    ]


def test_notifications_need_the_tenants_key(client) -> None:
    body = orjson.dumps({"type": "Notification", "data": [{"id": "x", "type": "ParkingSpot"}]})
    refused = client.post(
        "/dashboard/notify/",
        body,
        content_type="application/json",
        headers={"NGSILD-Tenant": "dortmund", feed.KEY_HEADER: feed.receiver_key("schwerte")},
    )
    assert refused.status_code == 403 and feed.KEY_HEADER in refused.json()["error"]
    bad = client.post(
        "/dashboard/notify/",
        b"{}",
        content_type="application/json",
        headers={"NGSILD-Tenant": "dortmund", feed.KEY_HEADER: feed.receiver_key("dortmund")},
    )
    assert bad.status_code == 400 and "data" in bad.json()["error"]
    assert not LiveValue.objects.exists()


def test_live_requests_name_bad_input(client, broker) -> None:
    dortmund()
    missing = client.get("/dashboard/hagen/latest.json")
    assert missing.status_code == 404 and "city" in missing.json()["error"]
    bad = client.get("/dashboard/dortmund/latest.json?layer=noise")
    assert bad.status_code == 400 and "layer" in bad.json()["error"]
    since = client.get("/dashboard/dortmund/latest.json?since=gestern")
    assert since.status_code == 400 and "since" in since.json()["error"]
