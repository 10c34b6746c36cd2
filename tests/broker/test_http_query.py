"""Queries, batch operations, discovery and @contexts over HTTP on both engines."""

from __future__ import annotations

from typing import Any

import pytest

from tests.broker.conftest import TestClient

BASE = "/ngsi-ld/v1"


def sensor(i: int, kind: str = "WeatherObserved", **extra: Any) -> dict[str, Any]:
    return {
        "id": f"urn:ngsi-ld:{kind}:{i}",
        "type": kind,
        "temperature": {"type": "Property", "value": 20 + i},
        "location": {
            "type": "GeoProperty",
            "value": {"type": "Point", "coordinates": [7.46 + i * 0.01, 51.51]},
        },
        **extra,
    }


@pytest.fixture
def filled(client: TestClient) -> TestClient:
    batch = [sensor(i, scope="/Dortmund/Innenstadt" if i < 3 else "/Schwerte") for i in range(6)]
    batch.append(sensor(9, "Streetlight", status={"type": "Property", "value": "on"}))
    response = client.post(f"{BASE}/entityOperations/create", json=batch)
    assert response.status_code == 201, response.text
    assert len(response.json()) == 7
    return client


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [e["id"].rsplit(":", 1)[1] for e in response.json()]


def test_query_by_type_q_and_paging(filled: TestClient) -> None:
    got = filled.get(f"{BASE}/entities", params={"type": "WeatherObserved", "q": "temperature>22"})
    assert ids(got) == ["3", "4", "5"]
    page = filled.get(
        f"{BASE}/entities",
        params={"type": "WeatherObserved", "limit": 2, "offset": 1, "count": "true"},
    )
    assert ids(page) == ["1", "2"] and page.headers["NGSILD-Results-Count"] == "6"
    both = filled.get(f"{BASE}/entities", params={"type": "WeatherObserved,Streetlight"})
    assert len(ids(both)) == 7
    rng = filled.get(
        f"{BASE}/entities", params={"type": "WeatherObserved", "q": "temperature==21..23"}
    )
    assert ids(rng) == ["1", "2", "3"]
    only = filled.get(f"{BASE}/entities", params={"type": "Streetlight", "q": 'status=="on"'})
    assert ids(only) == ["9"]


def test_query_by_id_pattern_attrs_and_projection(filled: TestClient) -> None:
    got = filled.get(f"{BASE}/entities", params={"idPattern": "Streetlight", "attrs": "status"})
    assert got.json() == [
        {
            "id": "urn:ngsi-ld:Streetlight:9",
            "type": "Streetlight",
            "status": {"type": "Property", "value": "on"},
        }
    ]
    by_attr = filled.get(f"{BASE}/entities", params={"attrs": "status"})
    assert ids(by_attr) == ["9"]
    by_id = filled.get(
        f"{BASE}/entities",
        params={"id": "urn:ngsi-ld:WeatherObserved:1,urn:ngsi-ld:WeatherObserved:4"},
    )
    assert ids(by_id) == ["1", "4"]
    kv = filled.get(
        f"{BASE}/entities",
        params={
            "id": "urn:ngsi-ld:WeatherObserved:1",
            "options": "keyValues",
            "pick": "id,temperature",
        },
    )
    assert kv.json() == [{"id": "urn:ngsi-ld:WeatherObserved:1", "temperature": 21}]


def test_scope_and_geo_queries(filled: TestClient) -> None:
    scoped = filled.get(
        f"{BASE}/entities", params={"type": "WeatherObserved", "scopeQ": "/Dortmund/#"}
    )
    assert ids(scoped) == ["0", "1", "2"]
    near = filled.get(
        f"{BASE}/entities",
        params={
            "type": "WeatherObserved",
            "georel": "near;maxDistance==800",
            "geometry": "Point",
            "coordinates": "[7.48,51.51]",
            "count": "true",
        },
    )
    # 0.01° of longitude at 51.5° N is about 690 m
    assert ids(near) == ["1", "2", "3"] and near.headers["NGSILD-Results-Count"] == "3"
    within = filled.get(
        f"{BASE}/entities",
        params={
            "georel": "within",
            "geometry": "Polygon",
            "coordinates": "[[[7.455,51.5],[7.475,51.5],[7.475,51.52],[7.455,51.52],[7.455,51.5]]]",
        },
    )
    assert ids(within) == ["0", "1"]


def test_post_query(filled: TestClient) -> None:
    got = filled.post(
        f"{BASE}/entityOperations/query",
        json={
            "type": "Query",
            "entities": [{"type": "WeatherObserved"}],
            "q": "temperature<22",
            "geoQ": {
                "georel": "near;maxDistance==5000",
                "geometry": "Point",
                "coordinates": [7.46, 51.51],
            },
        },
        params={"count": "true"},
    )
    assert ids(got) == ["0", "1"] and got.headers["NGSILD-Results-Count"] == "2"


def test_post_query_mixed_selectors_are_alternatives(filled: TestClient) -> None:
    """Selectors of different kinds: an entity matches when it matches any one of them."""
    query = {
        "type": "Query",
        "entities": [
            {"id": "urn:ngsi-ld:WeatherObserved:1", "type": "WeatherObserved"},
            {"idPattern": ".*:[45]$", "type": "WeatherObserved"},
            {"type": "Streetlight"},
        ],
    }
    got = filled.post(f"{BASE}/entityOperations/query", json=query, params={"count": "true"})
    assert ids(got) == ["1", "4", "5", "9"] and got.headers["NGSILD-Results-Count"] == "4"
    page = filled.post(
        f"{BASE}/entityOperations/query", json=query, params={"limit": 2, "offset": 1}
    )
    assert ids(page) == ["4", "5"]
    untyped = {
        "type": "Query",
        "entities": [{"id": "urn:ngsi-ld:Streetlight:9"}, {"idPattern": ":0$"}],
        "q": "temperature<25",
    }
    assert ids(filled.post(f"{BASE}/entityOperations/query", json=untyped)) == ["0"]


@pytest.mark.parametrize(
    ("entities", "fragment"),
    [
        ([{"type": "A"}, {"id": "not a uri"}], "not a URI"),
        ([{"type": "A"}, {"idPattern": "("}], "not a regular expression"),
        ([{"type": "A"}, {"kind": "B"}], "unknown EntitySelector member"),
        ([{"type": 3}], "must be a string"),
    ],
)
def test_post_query_bad_selectors(filled: TestClient, entities: Any, fragment: str) -> None:
    got = filled.post(
        f"{BASE}/entityOperations/query", json={"type": "Query", "entities": entities}
    )
    assert got.status_code == 400 and fragment in got.json()["detail"], got.text


@pytest.mark.parametrize(
    ("params", "status", "fragment"),
    [
        ({}, 400, "at least one"),
        ({"type": "A,", "limit": "5"}, 400, "type"),
        ({"type": "T", "q": "temperature>>1"}, 400, "q"),
        ({"type": "T", "limit": "5000"}, 403, "limit"),
        ({"type": "T", "limit": "0"}, 400, "count"),
        (
            {"type": "T", "georel": "near", "geometry": "Point", "coordinates": "[1,2]"},
            400,
            "georel",
        ),
        ({"type": "T", "options": "fancy"}, 400, "fancy"),
        ({"type": "T", "idPattern": "(("}, 400, "idPattern"),
        ({"type": "T", "scopeQ": "Dortmund"}, 400, "scopeQ"),
    ],
)
def test_bad_queries(
    client: TestClient, params: dict[str, str], status: int, fragment: str
) -> None:
    response = client.get(f"{BASE}/entities", params=params)
    assert response.status_code == status, response.text
    assert fragment in response.json()["detail"]


def test_batch_partial_failure_is_207(client: TestClient) -> None:
    client.post(f"{BASE}/entities", json=sensor(1))
    response = client.post(
        f"{BASE}/entityOperations/create",
        json=[sensor(1), sensor(2), {"id": "bad id", "type": "T"}, {"type": "T"}],
    )
    assert response.status_code == 207
    body = response.json()
    assert body["success"] == ["urn:ngsi-ld:WeatherObserved:2"]
    errors = {e["entityId"]: e["error"] for e in body["errors"]}
    assert errors["urn:ngsi-ld:WeatherObserved:1"]["type"].endswith("AlreadyExists")
    assert "bad id" in errors and "" in errors
    assert client.get(f"{BASE}/entities/urn:ngsi-ld:WeatherObserved:2").status_code == 200


def test_batch_upsert_update_merge_delete(client: TestClient) -> None:
    created = client.post(f"{BASE}/entityOperations/upsert", json=[sensor(1), sensor(2)])
    assert created.status_code == 201 and len(created.json()) == 2
    again = client.post(f"{BASE}/entityOperations/upsert", json=[sensor(1, humidity=5)])
    assert again.status_code == 204
    assert (
        client.get(f"{BASE}/entities/urn:ngsi-ld:WeatherObserved:1").json()["humidity"]["value"]
        == 5
    )
    updated = client.post(
        f"{BASE}/entityOperations/update",
        json=[{"id": "urn:ngsi-ld:WeatherObserved:2", "temperature": 0}],
    )
    assert updated.status_code == 204, updated.text
    assert (
        client.get(f"{BASE}/entities/urn:ngsi-ld:WeatherObserved:2").json()["temperature"]["value"]
        == 0
    )
    merged = client.post(
        f"{BASE}/entityOperations/merge",
        json=[
            {"id": "urn:ngsi-ld:WeatherObserved:2", "name": "Markt"},
            {"id": "urn:missing:1", "a": 1},
        ],
    )
    assert merged.status_code == 207
    assert merged.json()["errors"][0]["entityId"] == "urn:missing:1"
    assert (
        client.get(f"{BASE}/entities/urn:ngsi-ld:WeatherObserved:2").json()["name"]["value"]
        == "Markt"
    )
    deleted = client.post(
        f"{BASE}/entityOperations/delete", json=["urn:ngsi-ld:WeatherObserved:1", "urn:missing:1"]
    )
    assert deleted.status_code == 207
    assert deleted.json()["success"] == ["urn:ngsi-ld:WeatherObserved:1"]
    assert client.get(f"{BASE}/entities/urn:ngsi-ld:WeatherObserved:1").status_code == 404
    not_array = client.post(f"{BASE}/entityOperations/create", json={"id": "x"})
    assert not_array.status_code == 400


def test_discovery(filled: TestClient) -> None:
    types = filled.get(f"{BASE}/types").json()
    assert types["type"] == "EntityTypeList" and types["typeList"] == [
        "Streetlight",
        "WeatherObserved",
    ]
    details = filled.get(f"{BASE}/types", params={"details": "true"}).json()
    assert details[1]["typeName"] == "WeatherObserved"
    assert details[1]["attributeNames"] == ["location", "temperature"]
    info = filled.get(f"{BASE}/types/WeatherObserved").json()
    assert info["entityCount"] == 6 and info["type"] == "EntityTypeInfo"
    assert {a["attributeName"] for a in info["attributeDetails"]} == {"location", "temperature"}
    assert filled.get(f"{BASE}/types/Nothing").status_code == 404
    attrs = filled.get(f"{BASE}/attributes").json()
    assert attrs["attributeList"] == ["location", "status", "temperature"]
    temp = filled.get(f"{BASE}/attributes/temperature").json()
    assert temp["attributeCount"] == 7 and temp["attributeTypes"] == ["Property"]
    assert temp["typeNames"] == ["Streetlight", "WeatherObserved"]
    listed = filled.get(f"{BASE}/attributes", params={"details": "true"}).json()
    assert [a["attributeName"] for a in listed] == ["location", "status", "temperature"]
    assert listed[2] == {
        "id": temp["id"],
        "type": "Attribute",
        "attributeName": "temperature",
        "typeNames": ["Streetlight", "WeatherObserved"],
    }


def test_json_ld_contexts(client: TestClient) -> None:
    added = client.post(
        f"{BASE}/jsonldContexts", json={"@context": {"temp": "https://example.org/temperature"}}
    )
    assert added.status_code == 201, added.text
    location = added.headers["location"]
    local_id = location.rsplit("/", 1)[1]
    listing = client.get(f"{BASE}/jsonldContexts").json()
    assert any(url.endswith(local_id) for url in listing)
    shown = client.get(f"{BASE}/jsonldContexts/{local_id}").json()
    assert shown == {"@context": {"temp": "https://example.org/temperature"}}
    # the hosted context is used through its URL without any network
    url = f"http://127.0.0.1:8000/ngsi-ld/v1/jsonldContexts/{local_id}"
    link = f'<{url}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'
    created = client.post(
        f"{BASE}/entities",
        json={"id": "urn:x:1", "type": "T", "temp": 4},
        headers={"Link": link},
    )
    assert created.status_code == 201, created.text
    plain = client.get(f"{BASE}/entities/urn:x:1").json()
    assert plain["https://example.org/temperature"]["value"] == 4
    other_tenant = client.get(
        f"{BASE}/jsonldContexts/{local_id}", headers={"NGSILD-Tenant": "schwerte"}
    )
    assert other_tenant.status_code == 404
    assert client.delete(f"{BASE}/jsonldContexts/{local_id}").status_code == 204
    assert client.get(f"{BASE}/jsonldContexts/{local_id}").status_code == 404


def test_index_follows_updates(filled: TestClient) -> None:
    entity = f"{BASE}/entities/urn:ngsi-ld:WeatherObserved:0"
    moved = filled.patch(
        f"{entity}/attrs",
        json={
            "location": {
                "type": "GeoProperty",
                "value": {"type": "Point", "coordinates": [8.0, 52.0]},
            }
        },
    )
    assert moved.status_code == 204
    near_new = filled.get(
        f"{BASE}/entities",
        params={
            "georel": "near;maxDistance==100",
            "geometry": "Point",
            "coordinates": "[8.0,52.0]",
        },
    )
    assert ids(near_new) == ["0"]
    near_old = filled.get(
        f"{BASE}/entities",
        params={
            "georel": "near;maxDistance==100",
            "geometry": "Point",
            "coordinates": "[7.46,51.51]",
        },
    )
    assert ids(near_old) == []
    assert filled.post(f"{entity}/attrs", json={"pm10": 12}).status_code == 204
    assert ids(filled.get(f"{BASE}/entities", params={"attrs": "pm10"})) == ["0"]
    assert "pm10" in filled.get(f"{BASE}/attributes").json()["attributeList"]
    assert filled.delete(f"{entity}/attrs/pm10").status_code == 204
    assert ids(filled.get(f"{BASE}/entities", params={"attrs": "pm10"})) == []
    assert filled.delete(entity).status_code == 204
    info = filled.get(f"{BASE}/types/WeatherObserved").json()
    assert info["entityCount"] == 5
