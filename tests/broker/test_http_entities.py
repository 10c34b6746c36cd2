"""The NGSI-LD entity API over HTTP, on both engines, reading every write back."""

from __future__ import annotations

from typing import Any

import pytest

from tests.broker.conftest import TestClient

BASE = "/ngsi-ld/v1"
CORE = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
ID = "urn:ngsi-ld:WeatherObserved:dortmund-1"


def weather(entity_id: str = ID, temperature: float = 21.5, **extra: Any) -> dict[str, Any]:
    return {
        "id": entity_id,
        "type": "WeatherObserved",
        "temperature": {"type": "Property", "value": temperature, "unitCode": "CEL"},
        "location": {
            "type": "GeoProperty",
            "value": {"type": "Point", "coordinates": [7.46, 51.51]},
        },
        **extra,
    }


def create(client: TestClient, body: dict[str, Any], **headers: str) -> None:
    response = client.post(f"{BASE}/entities", json=body, headers=headers)
    assert response.status_code == 201, response.text


def test_create_and_retrieve(client: TestClient) -> None:
    response = client.post(f"{BASE}/entities", json=weather())
    assert response.status_code == 201
    assert response.headers["location"] == f"{BASE}/entities/{ID}"
    got = client.get(f"{BASE}/entities/{ID}")
    assert got.status_code == 200
    assert got.headers["content-type"] == "application/json"
    assert 'rel="http://www.w3.org/ns/json-ld#context"' in got.headers["link"]
    body = got.json()
    assert body["id"] == ID and body["type"] == "WeatherObserved"
    assert body["temperature"] == {"type": "Property", "value": 21.5, "unitCode": "CEL"}
    assert body["location"]["value"]["coordinates"] == [7.46, 51.51]


def test_ld_json_puts_context_in_body(client: TestClient) -> None:
    create(client, weather())
    got = client.get(f"{BASE}/entities/{ID}", headers={"Accept": "application/ld+json"})
    assert got.headers["content-type"] == "application/ld+json"
    assert got.json()["@context"] == CORE
    assert "link" not in got.headers


def test_create_with_ld_json_body_context(client: TestClient) -> None:
    body = {**weather(), "@context": [{"temperature": "https://example.org/temp"}, CORE]}
    response = client.post(
        f"{BASE}/entities",
        content=__import__("orjson").dumps(body),
        headers={"Content-Type": "application/ld+json"},
    )
    assert response.status_code == 201, response.text
    # without that context the attribute has its full IRI
    plain = client.get(f"{BASE}/entities/{ID}").json()
    assert "https://example.org/temp" in plain


def test_representations_and_sys_attrs(client: TestClient) -> None:
    create(client, weather())
    kv = client.get(f"{BASE}/entities/{ID}", params={"options": "keyValues"}).json()
    assert kv["temperature"] == 21.5
    concise = client.get(f"{BASE}/entities/{ID}", params={"options": "concise"}).json()
    assert concise["temperature"] == {"value": 21.5, "unitCode": "CEL"}
    sys = client.get(f"{BASE}/entities/{ID}", params={"options": "sysAttrs"}).json()
    assert sys["createdAt"].endswith("Z") and "modifiedAt" in sys["temperature"]
    picked = client.get(f"{BASE}/entities/{ID}", params={"pick": "id,temperature"}).json()
    assert set(picked) == {"id", "temperature"}


def test_key_values_multi_attributes_name_their_datasets(client: TestClient) -> None:
    """§4.5.4: keyValues of a multi-attribute is {"dataset": {datasetId | @none: value}}, in
    answers and in what a client sends with options=keyValues."""
    body = {
        "id": ID,
        "type": "WeatherObserved",
        "speed": {"dataset": {"@none": 50, "urn:ngsi-ld:Dataset:gps": 52}},
        "name": "Phoenix-West",
    }
    response = client.post(f"{BASE}/entities", params={"options": "keyValues"}, json=body)
    assert response.status_code == 201, response.text
    stored = client.get(f"{BASE}/entities/{ID}").json()
    assert stored["speed"] == [
        {"type": "Property", "value": 50},
        {"type": "Property", "value": 52, "datasetId": "urn:ngsi-ld:Dataset:gps"},
    ]
    kv = client.get(f"{BASE}/entities/{ID}", params={"options": "keyValues"}).json()
    assert kv["speed"] == body["speed"] and kv["name"] == "Phoenix-West"
    bad = {**body, "id": ID + "-2", "speed": {"dataset": {"not a uri": 1}}}
    response = client.post(f"{BASE}/entities", params={"options": "keyValues"}, json=bad)
    assert response.status_code == 400
    assert "not a uri" in response.json()["detail"]
    assert client.get(f"{BASE}/entities/{ID}-2").status_code == 404


def test_geo_json(client: TestClient) -> None:
    create(client, weather())
    got = client.get(f"{BASE}/entities/{ID}", headers={"Accept": "application/geo+json"})
    assert got.headers["content-type"] == "application/geo+json"
    feature = got.json()
    assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Point"
    assert feature["@context"] == "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
    listing = client.get(
        f"{BASE}/entities",
        params={"type": "WeatherObserved"},
        headers={"Accept": "application/geo+json"},
    ).json()
    assert listing["type"] == "FeatureCollection" and len(listing["features"]) == 1
    assert "@context" in listing and "@context" not in listing["features"][0]


def test_concise_input_is_accepted(client: TestClient) -> None:
    create(client, {"id": ID, "type": "WeatherObserved", "temperature": 12, "name": {"value": "x"}})
    body = client.get(f"{BASE}/entities/{ID}").json()
    assert body["temperature"] == {"type": "Property", "value": 12}


def test_conflict_and_not_found(client: TestClient) -> None:
    create(client, weather())
    again = client.post(f"{BASE}/entities", json=weather(temperature=1))
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/AlreadyExists"
    assert client.get(f"{BASE}/entities/{ID}").json()["temperature"]["value"] == 21.5
    missing = client.get(f"{BASE}/entities/urn:ngsi-ld:X:none")
    assert missing.status_code == 404
    assert missing.json()["type"].endswith("ResourceNotFound")


@pytest.mark.parametrize(
    ("content", "headers", "status", "fragment"),
    [
        (b"{not json", {"Content-Type": "application/json"}, 400, "not valid JSON"),
        (b"{}", {"Content-Type": "text/plain"}, 415, "text/plain"),
        (b'{"id": "no uri", "type": "T"}', {"Content-Type": "application/json"}, 400, "URI"),
        (b'{"id": "urn:a:1"}', {"Content-Type": "application/json"}, 400, "type"),
        (
            b'{"id": "urn:a:1", "type": "T", "p": {"type": "Relationship", "object": "x y"}}',
            {"Content-Type": "application/json"},
            400,
            "p",
        ),
        (
            b'{"id": "urn:a:1", "type": "T", "@context": "https://x.example/c"}',
            {"Content-Type": "application/json"},
            400,
            "@context",
        ),
    ],
)
def test_bad_input_is_a_named_4xx_and_stores_nothing(
    client: TestClient, content: bytes, headers: dict[str, str], status: int, fragment: str
) -> None:
    response = client.post(f"{BASE}/entities", content=content, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert fragment in response.json()["detail"]
    listing = client.get(f"{BASE}/entities", params={"idPattern": ".*"})
    assert listing.json() == []


def test_body_size_cap(store: Any, tmp_path: Any) -> None:
    from tests.broker.conftest import broker_client

    with broker_client(
        store, tmp_path, DOS_BROKER_OPEN_WRITES="true", DOS_BROKER_MAX_BODY="100"
    ) as small:
        response = small.post(
            f"{BASE}/entities", json=weather(name={"type": "Property", "value": "x" * 200})
        )
        assert response.status_code == 413
        assert response.json()["type"].endswith("RequestEntityTooLarge")


def test_accept_406_405_and_trailing_slash(client: TestClient) -> None:
    create(client, weather())
    assert client.get(f"{BASE}/entities/{ID}", headers={"Accept": "text/html"}).status_code == 406
    not_allowed = client.post(f"{BASE}/entities/{ID}", json={})
    assert not_allowed.status_code == 405 and "GET" in not_allowed.headers["allow"]
    assert client.get(f"{BASE}/entities/{ID}/").status_code == 200
    slash = client.post(f"{BASE}/entities/", json=weather("urn:ngsi-ld:W:2"))
    assert slash.status_code == 201


def test_replace_merge_delete(client: TestClient) -> None:
    create(client, weather())
    replaced = client.put(
        f"{BASE}/entities/{ID}",
        json={"type": "WeatherObserved", "humidity": {"type": "Property", "value": 80}},
    )
    assert replaced.status_code == 204, replaced.text
    body = client.get(f"{BASE}/entities/{ID}").json()
    assert "temperature" not in body and body["humidity"]["value"] == 80
    merged = client.patch(
        f"{BASE}/entities/{ID}", json={"humidity": {"value": 70}, "pressure": 1013}
    )
    assert merged.status_code == 204, merged.text
    body = client.get(f"{BASE}/entities/{ID}").json()
    assert body["humidity"]["value"] == 70 and body["pressure"]["value"] == 1013
    conflict = client.put(f"{BASE}/entities/{ID}", json={"id": "urn:other:1", "type": "T"})
    assert conflict.status_code == 400
    assert client.delete(f"{BASE}/entities/{ID}").status_code == 204
    assert client.get(f"{BASE}/entities/{ID}").status_code == 404
    assert client.delete(f"{BASE}/entities/{ID}").status_code == 404


def test_attribute_operations(client: TestClient) -> None:
    create(client, weather())
    appended = client.post(
        f"{BASE}/entities/{ID}/attrs",
        params={"options": "noOverwrite"},
        json={
            "temperature": {"type": "Property", "value": 99},
            "humidity": {"type": "Property", "value": 50},
        },
    )
    assert appended.status_code == 207
    assert appended.json()["notUpdated"][0]["attributeName"] == "temperature"
    assert appended.json()["updated"] == ["humidity"]
    partial = client.patch(f"{BASE}/entities/{ID}/attrs/temperature", json={"value": 6})
    assert partial.status_code == 204, partial.text
    body = client.get(f"{BASE}/entities/{ID}").json()
    assert body["temperature"] == {"type": "Property", "value": 6, "unitCode": "CEL"}
    updated = client.patch(
        f"{BASE}/entities/{ID}/attrs", json={"temperature": {"type": "Property", "value": 5}}
    )
    assert updated.status_code == 204
    body = client.get(f"{BASE}/entities/{ID}").json()
    assert body["temperature"] == {"type": "Property", "value": 5}
    missing = client.patch(
        f"{BASE}/entities/{ID}/attrs", json={"nope": {"type": "Property", "value": 5}}
    )
    assert missing.status_code == 207 and missing.json()["notUpdated"][0]["attributeName"] == "nope"
    assert body["humidity"]["value"] == 50
    put = client.put(f"{BASE}/entities/{ID}/attrs/humidity", json={"type": "Property", "value": 1})
    assert put.status_code == 204
    client.post(
        f"{BASE}/entities/{ID}/attrs",
        json={"humidity": {"type": "Property", "value": 2, "datasetId": "urn:ds:b"}},
    )
    assert len(client.get(f"{BASE}/entities/{ID}").json()["humidity"]) == 2
    gone = client.delete(f"{BASE}/entities/{ID}/attrs/humidity", params={"datasetId": "urn:ds:b"})
    assert gone.status_code == 204
    assert client.get(f"{BASE}/entities/{ID}").json()["humidity"]["value"] == 1
    assert (
        client.delete(
            f"{BASE}/entities/{ID}/attrs/humidity", params={"deleteAll": "true"}
        ).status_code
        == 204
    )
    assert "humidity" not in client.get(f"{BASE}/entities/{ID}").json()
    assert client.delete(f"{BASE}/entities/{ID}/attrs/humidity").status_code == 404


def test_tenants_are_separate(client: TestClient) -> None:
    create(client, weather(), **{"NGSILD-Tenant": "dortmund"})
    assert client.get(f"{BASE}/entities/{ID}").status_code == 404
    got = client.get(f"{BASE}/entities/{ID}", headers={"NGSILD-Tenant": "dortmund"})
    assert got.status_code == 200
    other = client.get(f"{BASE}/entities/{ID}", headers={"NGSILD-Tenant": "schwerte"})
    assert other.status_code == 404 and other.json()["type"].endswith("NonexistentTenant")
    types = client.get(f"{BASE}/types", headers={"NGSILD-Tenant": "dortmund"}).json()
    assert types["typeList"] == ["WeatherObserved"]
    assert client.get(f"{BASE}/types").json()["typeList"] == []
    bad = client.get(f"{BASE}/types", headers={"NGSILD-Tenant": "a b"})
    assert bad.status_code == 400


def test_entity_ids_with_slashes(client: TestClient) -> None:
    entity_id = "http://example.org/sensors/1"
    create(client, weather(entity_id))
    path = f"{BASE}/entities/http%3A%2F%2Fexample.org%2Fsensors%2F1"
    assert client.get(path).json()["id"] == entity_id
    assert client.patch(f"{path}/attrs/temperature", json={"value": 3}).status_code == 204
    assert client.get(path).json()["temperature"]["value"] == 3
    assert client.post(f"{path}/attrs", json={"humidity": 4}).status_code == 204
    assert client.delete(path).status_code == 204
    assert client.get(path).status_code == 404


def test_unreachable_context_is_503(client: TestClient) -> None:
    link = '<http://127.0.0.1:9/context.jsonld>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'
    response = client.post(f"{BASE}/entities", json=weather(), headers={"Link": link})
    assert response.status_code == 503
    assert response.json()["type"].endswith("LdContextNotAvailable")
    assert client.get(f"{BASE}/entities/{ID}").status_code == 404


def test_body_without_length_is_411(client: TestClient) -> None:
    import asyncio

    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": f"{BASE}/entities",
        "raw_path": f"{BASE}/entities".encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"host", b"testserver")],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    asyncio.run(client.app(scope, receive, send))
    assert messages[0]["status"] == 411


def test_language_property_with_lang(client: TestClient) -> None:
    create(
        client,
        {
            "id": ID,
            "type": "WeatherObserved",
            "street": {
                "type": "LanguageProperty",
                "languageMap": {"de": "Marktplatz", "en": "market square"},
            },
        },
    )
    full = client.get(f"{BASE}/entities/{ID}").json()
    assert full["street"]["languageMap"]["de"] == "Marktplatz"
    german = client.get(f"{BASE}/entities/{ID}", params={"lang": "de"}).json()
    assert german["street"]["value"] == "Marktplatz" and german["street"]["lang"] == "de"
    found = client.get(
        f"{BASE}/entities", params={"type": "WeatherObserved", "q": 'street[en]=="market square"'}
    )
    assert [e["id"] for e in found.json()] == [ID]
