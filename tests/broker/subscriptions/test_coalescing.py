"""Pending notifications of one subscription travel together: distinct entities share one
notification (in their order, up to a cap); a second change of an entity is a new one."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from dos.broker.store import Store
from dos.broker.subscriptions.dispatcher import Dispatcher, Settings
from tests.broker.conftest import TestClient
from tests.broker.subscriptions.conftest import subscription
from tests.broker.subscriptions.receiver import Receiver

BASE = "/ngsi-ld/v1"
SUB = "urn:ngsi-ld:Subscription:coalesce"


def entity(n: int, temperature: float) -> dict[str, Any]:
    return {
        "id": f"urn:ngsi-ld:WeatherObserved:c{n}",
        "type": "WeatherObserved",
        "temperature": {"type": "Property", "value": temperature},
    }


def queue_changes(client: TestClient, receiver: Receiver) -> None:
    """Three entities created, then the first one updated: four rows in the outbox."""
    body = subscription(
        receiver.url,
        id=SUB,
        notification={
            "format": "keyValues",
            "attributes": ["temperature"],
            "endpoint": {"uri": receiver.url, "accept": "application/json"},
        },
    )
    assert client.post(f"{BASE}/subscriptions", json=body).status_code == 201
    for n in range(3):
        assert client.post(f"{BASE}/entities", json=entity(n, n)).status_code == 201
    response = client.patch(
        f"{BASE}/entities/urn:ngsi-ld:WeatherObserved:c0/attrs",
        json={"temperature": {"type": "Property", "value": 10}},
    )
    assert response.status_code == 204


def deliver(client: TestClient, settings: Settings, receiver: Receiver, count: int) -> None:
    dispatcher = Dispatcher(client.app.state.store, client.app.state.resolver, settings)
    future = asyncio.run_coroutine_threadsafe(dispatcher.run(), client._loop)
    try:
        items = 0
        deadline = time.monotonic() + 10
        while items < count and time.monotonic() < deadline:
            time.sleep(0.02)
            items = sum(len(n["data"]) for n in list(receiver.received))
        assert items == count
    finally:
        asyncio.run_coroutine_threadsafe(dispatcher.stop(), client._loop).result(10)
        future.result(10)


def data_of(receiver: Receiver) -> list[list[tuple[str, float]]]:
    return [[(d["id"][-2:], d["temperature"]) for d in n["data"]] for n in receiver.received]


def times_sent(client: TestClient) -> int:
    return int(client.get(f"{BASE}/subscriptions/{SUB}").json()["notification"]["timesSent"])


@pytest.mark.parametrize(
    ("cap", "expected"),
    [
        (100, [[("c0", 0), ("c1", 1), ("c2", 2)], [("c0", 10)]]),
        (2, [[("c0", 0), ("c1", 1)], [("c2", 2), ("c0", 10)]]),
        (1, [[("c0", 0)], [("c1", 1)], [("c2", 2)], [("c0", 10)]]),
    ],
)
def test_pending_rows_of_distinct_entities_share_a_notification(
    client: TestClient, store: Store, receiver: Receiver, cap: int, expected: list[Any]
) -> None:
    queue_changes(client, receiver)
    settings = Settings(poll=0.02, backoff_base=0.05, backoff_cap=0.3, timeout=2.0, coalesce=cap)
    deliver(client, settings, receiver, 4)
    assert data_of(receiver) == expected
    assert all(n["subscriptionId"] == SUB for n in receiver.received)
    assert len({n["id"] for n in receiver.received}) == len(expected)
    assert times_sent(client) == len(expected)  # notifications, not rows
    assert store.read(lambda s: s.x("SELECT COUNT(*) FROM outbox").fetchone()[0]) == 0


def test_a_failed_coalesced_notification_is_retried_whole_and_in_order(
    client: TestClient, receiver: Receiver
) -> None:
    queue_changes(client, receiver)
    receiver.status = 500  # refused: nothing recorded, every row waits
    settings = Settings(poll=0.02, backoff_base=0.05, backoff_cap=0.1, timeout=2.0)
    dispatcher = Dispatcher(client.app.state.store, client.app.state.resolver, settings)
    future = asyncio.run_coroutine_threadsafe(dispatcher.run(), client._loop)
    try:
        deadline = time.monotonic() + 10
        failed = 0
        while failed < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
            status = client.get(f"{BASE}/subscriptions/{SUB}").json()["notification"]
            failed = int(status.get("timesFailed", 0))
        assert failed >= 2 and status["status"] == "failed"
        receiver.status = 204
        deadline = time.monotonic() + 10
        while len(receiver.received) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        asyncio.run_coroutine_threadsafe(dispatcher.stop(), client._loop).result(10)
        future.result(10)
    assert data_of(receiver) == [[("c0", 0), ("c1", 1), ("c2", 2)], [("c0", 10)]]
    status = client.get(f"{BASE}/subscriptions/{SUB}").json()["notification"]
    assert status["status"] == "ok" and status["timesSent"] == 2
