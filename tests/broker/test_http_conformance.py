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


def building(i: int, name: str, sub: int) -> dict[str, Any]:
    return {
        "id": f"urn:ngsi-ld:Building:{i}",
        "type": "Building",
        "name": {"type": "Property", "value": name, "sub": {"type": "Property", "value": sub}},
    }


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("name", ["1", "2", "3", "4"]),
        ("name;desc", ["3", "2", "1", "4"]),
        ("id;desc", ["4", "3", "2", "1"]),
        ("createdAt", ["2", "1", "3", "4"]),
        ("name.sub;desc,id", ["1", "3", "2", "4"]),
        ("type,name.sub", ["2", "1", "3", "4"]),
    ],
)
def test_query_order_by(client: TestClient, order: str, expected: list[str]) -> None:
    for entity in (building(2, "B", 1), building(1, "A", 5), building(3, "C", 5)):
        assert client.post(f"{BASE}/entities", json=entity).status_code == 201
    nameless = {"id": "urn:ngsi-ld:Building:4", "type": "Building"}
    assert client.post(f"{BASE}/entities", json=nameless).status_code == 201
    got = client.get(f"{BASE}/entities", params={"type": "Building", "orderBy": order})
    assert got.status_code == 200, got.text
    assert [e["id"].rsplit(":", 1)[1] for e in got.json()] == expected
    page = client.get(
        f"{BASE}/entities",
        params={"type": "Building", "orderBy": order, "limit": 2, "offset": 1, "count": "true"},
    )
    assert [e["id"].rsplit(":", 1)[1] for e in page.json()] == expected[1:3]
    assert page.headers["NGSILD-Results-Count"] == "4"
    posted = client.post(
        f"{BASE}/entityOperations/query",
        params={"orderBy": order},
        json={"type": "Query", "entities": [{"type": "Building"}]},
    )
    assert [e["id"].rsplit(":", 1)[1] for e in posted.json()] == expected


def test_order_by_refuses_bad_direction(client: TestClient) -> None:
    got = client.get(f"{BASE}/entities", params={"type": "Building", "orderBy": "name;up"})
    assert got.status_code == 400 and error_type(got) == "BadRequestData"


def test_delete_scope_patch_merge_patch_and_missing_path_parts(filled: TestClient) -> None:
    entity = sensor(7, scope="/Dortmund")
    assert filled.post(f"{BASE}/entities", json=entity).status_code == 201
    url = f"{BASE}/entities/urn:ngsi-ld:WeatherObserved:7"
    gone = filled.delete(f"{url}/attrs/scope")
    assert gone.status_code == 204, gone.text
    assert "scope" not in filled.get(url).json()
    assert filled.delete(f"{url}/attrs/scope").status_code == 404
    patched = filled.patch(
        f"{url}/attrs/temperature",
        content=b'{"value": 3}',
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 204, patched.text
    assert filled.get(url).json()["temperature"]["value"] == 3
    no_attr = filled.delete(f"{url}/attrs")
    assert no_attr.status_code == 405 and error_type(no_attr) == "MethodNotAllowed"
    for method in ("PUT", "PATCH"):
        no_id = filled.request(method, f"{BASE}/entities", json={"type": "X"})
        assert no_id.status_code == 400 and error_type(no_id) == "BadRequestData"


def test_attribute_payloads_add_types_and_set_scope(filled: TestClient) -> None:
    url = f"{BASE}/entities/urn:ngsi-ld:Streetlight:9"
    typed = filled.patch(f"{url}/attrs", json={"type": ["Streetlight", "Device"]})
    assert typed.status_code == 204, typed.text
    assert filled.get(url).json()["type"] == ["Streetlight", "Device"]
    unscoped = filled.patch(f"{url}/attrs", json={"scope": "/Dortmund"})
    assert unscoped.status_code == 207, unscoped.text
    assert unscoped.json()["notUpdated"][0]["attributeName"] == "scope"
    assert "scope" not in filled.get(url).json()
    appended = filled.post(f"{url}/attrs", json={"scope": "/Dortmund"})
    assert appended.status_code == 204, appended.text
    scoped = filled.patch(f"{url}/attrs", json={"scope": "/Dortmund"})
    assert scoped.status_code == 204, scoped.text
    assert filled.get(url).json()["scope"] == "/Dortmund"
    kept = filled.post(f"{url}/attrs", params={"options": "noOverwrite"}, json={"scope": "/Hörde"})
    assert kept.status_code == 204, kept.text
    assert filled.get(url).json()["scope"] == ["/Dortmund", "/Hörde"]
    replaced = filled.post(f"{url}/attrs", json={"scope": "/Schwerte", "type": "Lamp"})
    assert replaced.status_code == 204, replaced.text
    body = filled.get(url).json()
    assert body["scope"] == "/Schwerte" and body["type"] == ["Streetlight", "Device", "Lamp"]


def test_batch_with_link_header_and_json_ld_is_refused(client: TestClient) -> None:
    entity = {
        **sensor(1),
        "@context": "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld",
    }
    refused = client.post(
        f"{BASE}/entityOperations/create",
        json=[entity],
        headers={
            "Content-Type": "application/ld+json",
            "Link": '<https://example.org/ctx.jsonld>; rel="http://www.w3.org/ns/json-ld#context";'
            ' type="application/ld+json"',
        },
    )
    assert refused.status_code == 400 and error_type(refused) == "BadRequestData"
    assert client.get(f"{BASE}/entities", params={"type": "WeatherObserved"}).json() == []


def test_dataset_id_filters_instances(client: TestClient) -> None:
    entity = {
        "id": "urn:ngsi-ld:Building:d",
        "type": "Building",
        "name": [
            {"type": "Property", "value": "Tower"},
            {"type": "Property", "value": "Turm", "datasetId": "urn:ngsi-ld:Dataset:de"},
        ],
        "height": {"type": "Property", "value": 3, "datasetId": "urn:ngsi-ld:Dataset:fr"},
    }
    assert client.post(f"{BASE}/entities", json=entity).status_code == 201

    def query(**params: str) -> dict[str, Any]:
        got = client.get(f"{BASE}/entities", params={"type": "Building", **params})
        assert got.status_code == 200, got.text
        return dict(got.json()[0])

    german = query(datasetId="urn:ngsi-ld:Dataset:de")
    assert german["name"]["value"] == "Turm" and "height" not in german
    default = query(datasetId="@none")
    assert default["name"] == {"type": "Property", "value": "Tower"} and "height" not in default
    two = query(datasetId="urn:ngsi-ld:Dataset:de,urn:ngsi-ld:Dataset:fr")
    assert two["height"]["value"] == 3 and two["name"]["datasetId"] == "urn:ngsi-ld:Dataset:de"
    nothing = query(attrs="name", datasetId="urn:ngsi-ld:Dataset:fr")
    assert set(nothing) == {"id", "type"}


@pytest.fixture
def linked(client: TestClient) -> TestClient:
    country = {
        "id": "urn:ngsi-ld:Country:F",
        "type": "Country",
        "name": {"type": "Property", "value": "F"},
    }
    city = {
        "id": "urn:ngsi-ld:City:P",
        "type": "City",
        "name": {"type": "Property", "value": "P"},
        "isInCountry": {"type": "Relationship", "object": "urn:ngsi-ld:Country:F"},
    }
    building = {
        "id": "urn:ngsi-ld:Building:B",
        "type": "Building",
        "locatedAt": {"type": "Relationship", "object": "urn:ngsi-ld:City:P"},
    }
    for entity in (country, city, building):
        assert client.post(f"{BASE}/entities", json=entity).status_code == 201
    return client


def test_join_inline_and_flat(linked: TestClient) -> None:
    url = f"{BASE}/entities/urn:ngsi-ld:Building:B"
    inline = linked.get(url, params={"join": "inline"}).json()
    city = inline["locatedAt"]["entity"]
    assert city["id"] == "urn:ngsi-ld:City:P" and "entity" not in city["isInCountry"]
    two = linked.get(url, params={"join": "inline", "joinLevel": 2}).json()
    assert two["locatedAt"]["entity"]["isInCountry"]["entity"]["id"] == "urn:ngsi-ld:Country:F"
    simple = linked.get(url, params={"join": "inline", "options": "keyValues"}).json()
    assert simple["locatedAt"]["id"] == "urn:ngsi-ld:City:P"
    flat = linked.get(url, params={"join": "flat", "joinLevel": 2}).json()
    assert [e["id"] for e in flat] == [
        "urn:ngsi-ld:Building:B",
        "urn:ngsi-ld:City:P",
        "urn:ngsi-ld:Country:F",
    ]
    picked = linked.get(
        url, params={"join": "flat", "joinLevel": 2, "pick": "id,locatedAt{id,name}"}
    )
    assert picked.json() == [
        {
            "id": "urn:ngsi-ld:Building:B",
            "locatedAt": {"type": "Relationship", "object": "urn:ngsi-ld:City:P"},
        },
        {"id": "urn:ngsi-ld:City:P", "name": {"type": "Property", "value": "P"}},
    ]
    query = linked.get(f"{BASE}/entities", params={"type": "Building", "join": "flat"}).json()
    assert [e["id"] for e in query] == ["urn:ngsi-ld:Building:B", "urn:ngsi-ld:City:P"]
    bad = linked.get(url, params={"join": "sideways"})
    assert bad.status_code == 400 and error_type(bad) == "BadRequestData"


def test_join_in_query_object_and_flat_without_linked_entity(linked: TestClient) -> None:
    posted = linked.post(
        f"{BASE}/entityOperations/query",
        json={"type": "Query", "entities": [{"type": "Building"}], "join": "flat", "joinLevel": 2},
    )
    assert posted.status_code == 200, posted.text
    assert [e["id"] for e in posted.json()] == [
        "urn:ngsi-ld:Building:B",
        "urn:ngsi-ld:City:P",
        "urn:ngsi-ld:Country:F",
    ]
    assert linked.delete(f"{BASE}/entities/urn:ngsi-ld:City:P").status_code == 204
    alone = linked.get(f"{BASE}/entities/urn:ngsi-ld:Building:B", params={"join": "flat"})
    assert alone.json()["id"] == "urn:ngsi-ld:Building:B"


def test_retrieve_with_only_unknown_attrs_is_not_found(filled: TestClient) -> None:
    url = f"{BASE}/entities/urn:ngsi-ld:WeatherObserved:1"
    missing = filled.get(url, params={"attrs": "unknownAttribute"})
    assert missing.status_code == 404 and error_type(missing) == "ResourceNotFound"
    some = filled.get(url, params={"attrs": "unknownAttribute,temperature"})
    assert some.status_code == 200 and set(some.json()) == {"id", "type", "temperature"}


def test_query_pick_leaves_out_entities_without_the_members(filled: TestClient) -> None:
    got = filled.get(
        f"{BASE}/entities", params={"type": "WeatherObserved,Streetlight", "pick": "status"}
    )
    assert got.status_code == 200, got.text
    assert got.json() == [{"status": {"type": "Property", "value": "on"}}]


def test_batch_update_adds_types(filled: TestClient) -> None:
    got = filled.post(
        f"{BASE}/entityOperations/update",
        json=[{"id": "urn:ngsi-ld:Streetlight:9", "type": "Device"}],
    )
    assert got.status_code == 204, got.text
    body = filled.get(f"{BASE}/entities/urn:ngsi-ld:Streetlight:9").json()
    assert body["type"] == ["Streetlight", "Device"]
