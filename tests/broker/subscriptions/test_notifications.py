"""Notifications delivered from the outbox to a real local HTTP receiver, on both engines:
formats, triggers, order after a dead receiver comes back, delivery after a restart."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from dos.broker.store import Store
from tests.broker.conftest import TestClient, broker_client
from tests.broker.subscriptions.conftest import Running, run_dispatcher, subscription
from tests.broker.subscriptions.receiver import Receiver, free_port

BASE = "/ngsi-ld/v1"
ID = "urn:ngsi-ld:WeatherObserved:n1"


def weather(temperature: float, entity_id: str = ID) -> dict[str, Any]:
    return {
        "id": entity_id,
        "type": "WeatherObserved",
        "temperature": {"type": "Property", "value": temperature},
        "humidity": {"type": "Property", "value": 50},
    }


def set_temperature(client: TestClient, value: float, entity_id: str = ID) -> None:
    response = client.patch(
        f"{BASE}/entities/{entity_id}/attrs",
        json={"temperature": {"type": "Property", "value": value}},
    )
    assert response.status_code == 204, response.text


def outbox_size(store: Store) -> int:
    return int(store.read(lambda s: s.x("SELECT COUNT(*) FROM outbox").fetchone()[0]))


def test_notification_payload_and_status(
    client: TestClient, store: Store, receiver: Receiver, dispatcher: Running
) -> None:
    body = subscription(
        receiver.url,
        id="urn:ngsi-ld:Subscription:n1",
        watchedAttributes=["temperature"],
        notification={
            "attributes": ["temperature"],
            "format": "keyValues",
            "endpoint": {
                "uri": receiver.url,
                "receiverInfo": [{"key": "X-Auth", "value": "secret"}],
            },
        },
    )
    assert client.post(f"{BASE}/subscriptions", json=body).status_code == 201
    client.post(f"{BASE}/entities", json=weather(20))
    client.patch(
        f"{BASE}/entities/{ID}/attrs", json={"humidity": {"type": "Property", "value": 60}}
    )  # not watched: no notification
    set_temperature(client, 21)
    first, second = receiver.wait_for(2)
    assert first["type"] == "Notification"
    assert first["subscriptionId"] == "urn:ngsi-ld:Subscription:n1"
    assert first["id"].startswith("urn:ngsi-ld:Notification:") and "notifiedAt" in first
    assert first["data"] == [{"id": ID, "type": "WeatherObserved", "temperature": 20}]
    assert second["data"] == [{"id": ID, "type": "WeatherObserved", "temperature": 21}]
    assert receiver.headers[0]["X-Auth"] == "secret"
    assert receiver.headers[0]["Content-Type"] == "application/json"
    time.sleep(0.1)
    assert len(receiver.received) == 2
    deadline = time.monotonic() + 5
    while outbox_size(store) and time.monotonic() < deadline:
        time.sleep(0.02)
    status = client.get(f"{BASE}/subscriptions/urn:ngsi-ld:Subscription:n1").json()
    assert status["notification"]["timesSent"] == 2
    assert status["notification"]["status"] == "ok"
    assert "lastSuccess" in status["notification"]


def test_q_filter_show_changes_and_delete_trigger(
    client: TestClient, receiver: Receiver, dispatcher: Running
) -> None:
    client.post(
        f"{BASE}/subscriptions",
        json=subscription(
            receiver.url,
            q="temperature>25",
            notificationTrigger=["attributeUpdated", "entityDeleted"],
            notification={"showChanges": True, "endpoint": {"uri": receiver.url}},
        ),
    )
    client.post(f"{BASE}/entities", json=weather(20))  # created: not a watched trigger
    set_temperature(client, 22)  # q false
    set_temperature(client, 30)
    client.delete(f"{BASE}/entities/{ID}")
    updated, deleted = receiver.wait_for(2)
    temperature = updated["data"][0]["temperature"]
    assert temperature["value"] == 30 and temperature["previousValue"] == 22
    assert deleted["data"][0]["id"] == ID and "deletedAt" in deleted["data"][0]


def test_dead_receiver_gets_everything_in_order(client: TestClient, store: Store) -> None:
    port = free_port()
    receiver = Receiver(port)  # not started: connection refused
    other = Receiver().start()
    running = run_dispatcher(client)
    try:
        client.post(f"{BASE}/subscriptions", json=subscription(receiver.url))
        client.post(
            f"{BASE}/subscriptions",
            json={**subscription(other.url), "entities": [{"type": "WeatherObserved"}]},
        )
        client.post(f"{BASE}/entities", json=weather(0))
        for value in range(1, 6):
            set_temperature(client, value)
        # the live endpoint is not held up by the dead one
        assert len(other.wait_for(6, timeout=5)) == 6
        deadline = time.monotonic() + 5
        status: dict[str, Any] = {}
        while time.monotonic() < deadline:
            listed = client.get(f"{BASE}/subscriptions").json()
            status = next(s for s in listed if s["notification"]["endpoint"]["uri"] == receiver.url)
            if status["notification"]["timesFailed"] >= 2:
                break
            time.sleep(0.05)
        assert status["notification"]["status"] == "failed"
        assert "lastFailure" in status["notification"]
        receiver.start()
        got = receiver.wait_for(6, timeout=10)
        values = [n["data"][0]["temperature"]["value"] for n in got]
        assert values == [0, 1, 2, 3, 4, 5]
    finally:
        running.stop()
        receiver.stop()
        other.stop()


def reopen(store: Store) -> Store:
    """A second store on the same database (what a restarted process opens)."""
    if store.engine == "sqlite":
        from dos.broker.store.sqlite import SqliteStore

        return SqliteStore(store.path)  # type: ignore[attr-defined]
    from dos.broker.store.postgres import PostgresStore

    return PostgresStore(store.url, schema=store.schema)  # type: ignore[attr-defined]


def test_restart_delivers_pending_outbox(store: Store, tmp_path: Path) -> None:
    receiver = Receiver()
    with broker_client(store, tmp_path, DOS_BROKER_OPEN_WRITES="true") as first:
        first.post(f"{BASE}/subscriptions", json=subscription(receiver.url))
        first.post(f"{BASE}/entities", json=weather(1))
        set_temperature(first, 2)
    assert outbox_size(store) == 2  # nothing delivered: no dispatcher ran
    second_store = reopen(store)
    receiver.start()
    try:
        with broker_client(second_store, tmp_path, DOS_BROKER_OPEN_WRITES="true") as second:
            running = run_dispatcher(second)
            try:
                got = receiver.wait_for(2)
                assert [n["data"][0]["temperature"]["value"] for n in got] == [1, 2]
            finally:
                running.stop()
    finally:
        receiver.stop()
        second_store.close()


def test_periodic_subscription(client: TestClient, receiver: Receiver, dispatcher: Running) -> None:
    client.post(f"{BASE}/entities", json=weather(5))
    body = subscription(receiver.url, timeInterval=1)
    assert client.post(f"{BASE}/subscriptions", json=body).status_code == 201
    got = receiver.wait_for(1, timeout=5)
    assert got[0]["data"][0]["temperature"]["value"] == 5


def test_expired_and_paused_subscriptions_stay_silent(client: TestClient, store: Store) -> None:
    client.post(
        f"{BASE}/subscriptions",
        json=subscription("http://127.0.0.1:9/x", isActive=False),
    )
    client.post(f"{BASE}/entities", json=weather(1))
    assert outbox_size(store) == 0


def test_updated_endpoint_receives_pending_notifications(
    client: TestClient, receiver: Receiver, dispatcher: Running
) -> None:
    dead = f"http://127.0.0.1:{free_port()}/gone"
    body = subscription(dead, id="urn:ngsi-ld:Subscription:moved")
    assert client.post(f"{BASE}/subscriptions", json=body).status_code == 201
    client.post(f"{BASE}/entities", json=weather(7))
    moved = client.patch(
        f"{BASE}/subscriptions/urn:ngsi-ld:Subscription:moved",
        json={"notification": {"endpoint": {"uri": receiver.url}}},
    )
    assert moved.status_code == 204
    got = receiver.wait_for(1, timeout=10)
    assert got[0]["data"][0]["temperature"]["value"] == 7


def test_show_changes_deleted_attributes_and_pick(
    client: TestClient, receiver: Receiver, dispatcher: Running
) -> None:
    client.post(f"{BASE}/entities", json=weather(20))
    body = subscription(
        receiver.url,
        notificationTrigger=["attributeUpdated", "attributeDeleted", "entityDeleted"],
        notification={
            "showChanges": True,
            "sysAttrs": True,
            "omit": ["createdAt", "modifiedAt"],
            "endpoint": {"uri": receiver.url, "accept": "application/ld+json"},
        },
    )
    assert client.post(f"{BASE}/subscriptions", json=body).status_code == 201
    set_temperature(client, 21)
    assert client.delete(f"{BASE}/entities/{ID}/attrs/humidity").status_code == 204
    assert client.delete(f"{BASE}/entities/{ID}").status_code == 204
    updated, attribute_deleted, entity_deleted = receiver.wait_for(3)
    data = updated["data"][0]
    assert data["temperature"]["value"] == 21 and data["temperature"]["previousValue"] == 20
    assert "previousValue" not in data["humidity"]  # unchanged: no previous value
    assert "@context" in data and "createdAt" not in data
    data = attribute_deleted["data"][0]
    assert data["humidity"].pop("deletedAt") == attribute_deleted["notifiedAt"]  # sysAttrs
    assert data["humidity"].pop("createdAt") and data["humidity"].pop("modifiedAt")
    assert data["humidity"] == {
        "type": "Property",
        "value": "urn:ngsi-ld:null",
        "previousValue": 50,
    }
    data = entity_deleted["data"][0]
    assert data["temperature"].pop("deletedAt") == entity_deleted["notifiedAt"]
    assert data["temperature"].pop("createdAt") and data["temperature"].pop("modifiedAt")
    assert data["temperature"] == {
        "type": "Property",
        "value": "urn:ngsi-ld:null",
        "previousValue": 21,
    }
    assert "deletedAt" in data and "humidity" not in data


def test_dataset_id_and_pick_select_what_is_notified(
    client: TestClient, receiver: Receiver, dispatcher: Running
) -> None:
    entity = weather(20)
    entity["temperature"] = [
        {"type": "Property", "value": 20},
        {"type": "Property", "value": 68, "datasetId": "urn:ngsi-ld:Dataset:f"},
    ]
    client.post(f"{BASE}/entities", json=entity)
    body = subscription(
        receiver.url,
        datasetId=["urn:ngsi-ld:Dataset:f"],
        notification={"pick": ["id", "temperature"], "endpoint": {"uri": receiver.url}},
    )
    assert client.post(f"{BASE}/subscriptions", json=body).status_code == 201
    client.patch(
        f"{BASE}/entities/{ID}/attrs",
        json={
            "temperature": {"type": "Property", "value": 70, "datasetId": "urn:ngsi-ld:Dataset:f"}
        },
    )
    (notification,) = receiver.wait_for(1)
    assert notification["data"] == [
        {
            "id": ID,
            "temperature": {"type": "Property", "value": 70, "datasetId": "urn:ngsi-ld:Dataset:f"},
        }
    ]


def test_type_selection_and_percent_encoded_q(
    client: TestClient, receiver: Receiver, dispatcher: Running
) -> None:
    body = subscription(
        receiver.url,
        entities=[{"type": "(Tower|WeatherObserved)"}],
        q="humidity==50;place==%22Old%20Town%22",
        notificationTrigger=["entityCreated"],
    )
    assert client.post(f"{BASE}/subscriptions", json=body).status_code == 201
    got = client.get(f"{BASE}/subscriptions").json()[0]
    assert got["entities"] == [{"type": "(Tower|WeatherObserved)"}]
    other = weather(1, "urn:ngsi-ld:WeatherObserved:other")
    other["place"] = {"type": "Property", "value": "New Town"}
    client.post(f"{BASE}/entities", json=other)
    entity = weather(20)
    entity["place"] = {"type": "Property", "value": "Old Town"}
    client.post(f"{BASE}/entities", json=entity)
    (notification,) = receiver.wait_for(1)
    assert [e["id"] for e in notification["data"]] == [ID]


def test_deleted_instances_and_whole_attributes(
    client: TestClient, receiver: Receiver, dispatcher: Running
) -> None:
    entity = weather(20)
    entity["temperature"] = [
        {"type": "Property", "value": 20},
        {"type": "Property", "value": 68, "datasetId": "urn:ngsi-ld:Dataset:f"},
    ]
    client.post(f"{BASE}/entities", json=entity)
    body = subscription(
        receiver.url, watchedAttributes=["temperature"], notificationTrigger=["attributeDeleted"]
    )
    assert client.post(f"{BASE}/subscriptions", json=body).status_code == 201
    url = f"{BASE}/entities/{ID}/attrs/temperature"
    assert client.delete(url, params={"datasetId": "urn:ngsi-ld:Dataset:f"}).status_code == 204
    assert client.delete(url, params={"deleteAll": "true"}).status_code == 204
    one, whole = receiver.wait_for(2)
    assert one["data"][0]["temperature"] == [
        {"type": "Property", "value": 20},
        {"type": "Property", "value": "urn:ngsi-ld:null", "datasetId": "urn:ngsi-ld:Dataset:f"},
    ]
    assert whole["data"][0]["temperature"] == {"type": "Property", "value": "urn:ngsi-ld:null"}


def test_key_values_of_deleted_instances_name_their_datasets(
    client: TestClient, receiver: Receiver, dispatcher: Running
) -> None:
    """keyValues (§4.5.4): a multi-attribute is {"dataset": {datasetId | @none: value}}, a
    deleted instance's value urn:ngsi-ld:null (as ETSI 046_22_07 expects)."""
    entity = weather(20)
    entity["temperature"] = [
        {"type": "Property", "value": 20},
        {"type": "Property", "value": 68, "datasetId": "urn:ngsi-ld:Dataset:f"},
        {"type": "Property", "value": 21, "datasetId": "urn:ngsi-ld:Dataset:g"},
    ]
    client.post(f"{BASE}/entities", json=entity)
    body = subscription(
        receiver.url,
        watchedAttributes=["temperature"],
        notificationTrigger=["attributeDeleted"],
        notification={"format": "keyValues", "endpoint": {"uri": receiver.url}},
    )
    assert client.post(f"{BASE}/subscriptions", json=body).status_code == 201
    url = f"{BASE}/entities/{ID}/attrs/temperature"
    assert client.delete(url, params={"datasetId": "urn:ngsi-ld:Dataset:f"}).status_code == 204
    assert client.delete(url, params={"deleteAll": "true"}).status_code == 204
    one, whole = receiver.wait_for(2)
    assert one["data"][0]["temperature"] == {
        "dataset": {
            "@none": 20,
            "urn:ngsi-ld:Dataset:g": 21,
            "urn:ngsi-ld:Dataset:f": "urn:ngsi-ld:null",
        }
    }
    assert whole["data"][0]["temperature"] == "urn:ngsi-ld:null"  # the whole attribute


def test_a_commit_wakes_the_dispatcher_without_waiting_for_its_poll(
    client: TestClient, receiver: Receiver
) -> None:
    """With a poll of a minute, only the in-process wake-ups can deliver: every change of a
    burst arrives, in order, and soon."""
    import asyncio

    from dos.broker.subscriptions.dispatcher import Dispatcher, Settings

    # the first round (periodic check, outbox empty) happens at start: then it sleeps a minute
    slow = Settings(poll=60.0, lease=5.0, backoff_base=0.05, backoff_cap=0.3, timeout=2.0)
    dispatcher = Dispatcher(client.app.state.store, client.app.state.resolver, slow)
    future = asyncio.run_coroutine_threadsafe(dispatcher.run(), client._loop)
    try:
        body = subscription(receiver.url, watchedAttributes=["temperature"])
        assert client.post(f"{BASE}/subscriptions", json=body).status_code == 201
        client.post(f"{BASE}/entities", json=weather(0))
        for value in range(1, 30):
            set_temperature(client, value)
        got = receiver.wait_for(30, timeout=10)
        assert [n["data"][0]["temperature"]["value"] for n in got] == list(range(30))
    finally:
        asyncio.run_coroutine_threadsafe(dispatcher.stop(), client._loop).result(10)
        future.result(10)
