"""Every change through the entity API appends to the attribute history, in the same
transaction, on both engines."""

from __future__ import annotations

from typing import Any

from dos.broker.store import Store
from tests.broker.conftest import TestClient

BASE = "/ngsi-ld/v1"
ID = "urn:ngsi-ld:WeatherObserved:h1"
TEMP = "https://smartdatamodels.org/dataModel.Weather/temperature"
VOCAB = "https://uri.etsi.org/ngsi-ld/default-context/"


def history(store: Store, entity_id: str = ID) -> list[dict[str, Any]]:
    def read(session: Any) -> list[dict[str, Any]]:
        rows = session.x(
            "SELECT attr, dataset_id, instance_id, num, observed_ms, created_ms, modified_ms, "
            "deleted_ms, value FROM attr_history WHERE entity_id = ? ORDER BY pk",
            (entity_id,),
        ).fetchall()
        keys = ("attr", "dataset", "instance_id", "num", "observed", "created", "modified")
        return [dict(zip((*keys, "deleted", "value"), row, strict=True)) for row in rows]

    return store.read(read)


def name(short: str) -> str:
    return VOCAB + short


def weather(temperature: float = 20.0, **extra: Any) -> dict[str, Any]:
    return {
        "id": ID,
        "type": "WeatherObserved",
        "temperature": {
            "type": "Property",
            "value": temperature,
            "observedAt": "2026-05-01T12:00:00Z",
        },
        "humidity": {"type": "Property", "value": 50},
        **extra,
    }


def test_create_appends_every_attribute(client: TestClient, store: Store) -> None:
    assert client.post(f"{BASE}/entities", json=weather()).status_code == 201
    rows = history(store)
    assert sorted(r["attr"] for r in rows) == [name("humidity"), name("temperature")]
    temperature = next(r for r in rows if r["attr"] == name("temperature"))
    assert temperature["num"] == 20.0
    assert temperature["instance_id"].startswith("urn:ngsi-ld:attribute:instance:")
    assert temperature["observed"] == 1777636800000
    assert temperature["deleted"] is None and temperature["created"] > 0


def test_updates_append_only_changed_instances(client: TestClient, store: Store) -> None:
    client.post(f"{BASE}/entities", json=weather())
    response = client.patch(
        f"{BASE}/entities/{ID}/attrs", json={"temperature": {"type": "Property", "value": 21}}
    )
    assert response.status_code == 204
    client.patch(f"{BASE}/entities/{ID}", json={"humidity": {"type": "Property", "value": 55}})
    client.post(
        f"{BASE}/entities/{ID}/attrs", json={"pressure": {"type": "Property", "value": 1013}}
    )
    client.patch(f"{BASE}/entities/{ID}/attrs/pressure", json={"value": 1014})
    client.put(f"{BASE}/entities/{ID}/attrs/pressure", json={"type": "Property", "value": 1015})
    rows = history(store)
    assert [(r["attr"].rsplit("/", 1)[1], r["num"]) for r in rows[2:]] == [
        ("temperature", 21.0),
        ("humidity", 55.0),
        ("pressure", 1013.0),
        ("pressure", 1014.0),
        ("pressure", 1015.0),
    ]


def test_deletions_are_recorded_with_deleted_at(client: TestClient, store: Store) -> None:
    client.post(f"{BASE}/entities", json=weather())
    assert client.delete(f"{BASE}/entities/{ID}/attrs/humidity").status_code == 204
    deleted = [r for r in history(store) if r["deleted"] is not None]
    assert [r["attr"] for r in deleted] == [name("humidity")]
    assert deleted[0]["value"] == '"urn:ngsi-ld:null"'
    assert client.delete(f"{BASE}/entities/{ID}").status_code == 204
    deleted = [r for r in history(store) if r["deleted"] is not None]
    assert [r["attr"] for r in deleted] == [name("humidity"), name("temperature")]


def test_replace_and_batch_append(client: TestClient, store: Store) -> None:
    client.post(f"{BASE}/entities", json=weather())
    client.put(
        f"{BASE}/entities/{ID}",
        json={"type": "WeatherObserved", "wind": {"type": "Property", "value": 3}},
    )
    rows = history(store)
    tail = {(r["attr"].rsplit("/", 1)[1], r["deleted"] is not None) for r in rows[2:]}
    assert tail == {("wind", False), ("temperature", True), ("humidity", True)}
    other = {
        "id": "urn:ngsi-ld:WeatherObserved:h2",
        "type": "WeatherObserved",
        "wind": {"type": "Property", "value": 7},
    }
    assert client.post(f"{BASE}/entityOperations/upsert", json=[other]).status_code in (201, 204)
    assert [r["num"] for r in history(store, other["id"])] == [7.0]
    other["wind"]["value"] = 8
    client.post(f"{BASE}/entityOperations/update", json=[other])
    client.post(f"{BASE}/entityOperations/delete", json=[other["id"]])
    rows = history(store, other["id"])
    assert [(r["num"], r["deleted"] is not None) for r in rows] == [
        (7.0, False),
        (8.0, False),
        (None, True),
    ]


def test_failed_write_leaves_no_history(client: TestClient, store: Store) -> None:
    client.post(f"{BASE}/entities", json=weather())
    assert client.post(f"{BASE}/entities", json=weather(30)).status_code == 409
    assert len(history(store)) == 2
