"""Tenants never see each other's subscriptions, notifications or histories."""

from __future__ import annotations

from dos.broker.store import Store
from tests.broker.conftest import TestClient
from tests.broker.subscriptions.conftest import subscription

BASE = "/ngsi-ld/v1"
A = {"NGSILD-Tenant": "dortmund"}
B = {"NGSILD-Tenant": "schwerte"}


def test_tenants_are_separate(client: TestClient, store: Store) -> None:
    sub = subscription("http://127.0.0.1:9/x", id="urn:ngsi-ld:Subscription:t")
    assert client.post(f"{BASE}/subscriptions", json=sub, headers=A).status_code == 201
    entity = {
        "id": "urn:ngsi-ld:WeatherObserved:t",
        "type": "WeatherObserved",
        "temperature": {"type": "Property", "value": 1},
    }
    assert client.post(f"{BASE}/entities", json=entity, headers=B).status_code == 201
    rows = store.read(lambda s: s.x("SELECT tenant FROM outbox").fetchall())
    assert rows == []
    assert client.get(f"{BASE}/subscriptions", headers=B).json() == []
    assert (
        client.get(f"{BASE}/subscriptions/urn:ngsi-ld:Subscription:t", headers=B).status_code == 404
    )
    assert client.post(f"{BASE}/entities", json=entity, headers=A).status_code == 201
    rows = store.read(lambda s: s.x("SELECT tenant FROM outbox").fetchall())
    assert [r[0] for r in rows] == ["dortmund"]
    history = client.get(f"{BASE}/temporal/entities/{entity['id']}", headers=B).json()
    assert [i["value"] for i in history["temperature"]] == [1]
    client.patch(
        f"{BASE}/entities/{entity['id']}/attrs",
        json={"temperature": {"type": "Property", "value": 2}},
        headers=A,
    )
    history = client.get(f"{BASE}/temporal/entities/{entity['id']}", headers=B).json()
    assert [i["value"] for i in history["temperature"]] == [1]
    missing = client.get(
        f"{BASE}/temporal/entities/{entity['id']}", headers={"NGSILD-Tenant": "none"}
    )
    assert missing.status_code == 404
