"""ETSI conformance fixes over HTTP on both engines: purge, parameter checks, pick/omit."""

from __future__ import annotations

from typing import Any

import pytest

from tests.broker.conftest import TestClient
from tests.broker.test_http_query import BASE, sensor


@pytest.fixture
def filled(client: TestClient) -> TestClient:
    batch = [sensor(i) for i in range(3)]
    batch.append(sensor(9, "Streetlight", status={"type": "Property", "value": "on"}))
    response = client.post(f"{BASE}/entityOperations/create", json=batch)
    assert response.status_code == 201, response.text
    return client


def error_type(response: Any) -> str:
    return str(response.json()["type"]).rsplit("/", 1)[1]


def test_purge_by_type_and_q_deletes_only_matches(filled: TestClient) -> None:
    gone = filled.delete(
        f"{BASE}/entities", params={"type": "WeatherObserved", "q": "temperature>20"}
    )
    assert gone.status_code == 204, gone.text
    left = filled.get(f"{BASE}/entities", params={"type": "WeatherObserved,Streetlight"})
    assert sorted(e["id"] for e in left.json()) == [
        "urn:ngsi-ld:Streetlight:9",
        "urn:ngsi-ld:WeatherObserved:0",
    ]


def test_purge_drop_and_keep_attributes(filled: TestClient) -> None:
    drop = filled.delete(f"{BASE}/entities", params={"type": "WeatherObserved", "drop": "location"})
    assert drop.status_code == 204, drop.text
    one = filled.get(f"{BASE}/entities/urn:ngsi-ld:WeatherObserved:1").json()
    assert "location" not in one and one["temperature"]["value"] == 21
    keep = filled.delete(f"{BASE}/entities", params={"type": "Streetlight", "keep": "status"})
    assert keep.status_code == 204, keep.text
    light = filled.get(f"{BASE}/entities/urn:ngsi-ld:Streetlight:9").json()
    assert set(light) == {"id", "type", "status"}


def test_purge_local_purges_all_and_refusals(filled: TestClient) -> None:
    none = filled.delete(f"{BASE}/entities")
    assert none.status_code == 400 and error_type(none) == "BadRequestData"
    both = filled.delete(
        f"{BASE}/entities", params={"type": "Streetlight", "keep": "a", "drop": "b"}
    )
    assert both.status_code == 400 and error_type(both) == "BadRequestData"
    assert filled.get(f"{BASE}/entities", params={"type": "Streetlight"}).json()
    everything = filled.delete(f"{BASE}/entities", params={"local": "true"})
    assert everything.status_code == 204
    assert (
        filled.get(f"{BASE}/entities", params={"type": "WeatherObserved,Streetlight"}).json() == []
    )


def test_unknown_parameter_and_non_object_body_are_invalid_requests(client: TestClient) -> None:
    query = client.get(f"{BASE}/entities", params={"type": "X", "invalidParams": "v"})
    assert query.status_code == 400 and error_type(query) == "InvalidRequest"
    assert "invalidParams" in query.json()["detail"]
    types = client.get(f"{BASE}/types", params={"invalidParams": "v"})
    assert types.status_code == 400 and error_type(types) == "InvalidRequest"
    for body in ([], "text", 3):
        created = client.post(f"{BASE}/entities", json=body)
        assert created.status_code == 400 and error_type(created) == "InvalidRequest"
    assert client.get(f"{BASE}/entities", params={"type": "X"}).json() == []


@pytest.mark.parametrize(
    ("params", "status", "kind"),
    [
        ({"pick": "temperature", "attrs": "temperature"}, 400, "BadRequestData"),
        ({"omit": "temperature", "attrs": "temperature"}, 400, "BadRequestData"),
        ({"pick": "id,locatedAt{name"}, 400, "BadRequestData"),
        ({"pick": "id,locatedAt{{name}"}, 400, "BadRequestData"),
        ({"pick": "id,locatedAt{,name}"}, 400, "BadRequestData"),
        ({"pick": "id,locatedAt{}"}, 400, "BadRequestData"),
        ({"pick": "unknown"}, 404, "ResourceNotFound"),
        ({"omit": "id,type,temperature,location"}, 404, "ResourceNotFound"),
    ],
)
def test_retrieve_pick_omit_refusals(
    filled: TestClient, params: dict[str, str], status: int, kind: str
) -> None:
    got = filled.get(f"{BASE}/entities/urn:ngsi-ld:WeatherObserved:1", params=params)
    assert got.status_code == status, got.text
    assert error_type(got) == kind


def test_retrieve_pick_and_omit_together(filled: TestClient) -> None:
    got = filled.get(
        f"{BASE}/entities/urn:ngsi-ld:WeatherObserved:1",
        params={"pick": "id,temperature", "omit": "type"},
    )
    assert got.status_code == 200, got.text
    assert got.json() == {
        "id": "urn:ngsi-ld:WeatherObserved:1",
        "temperature": {"type": "Property", "value": 21},
    }
