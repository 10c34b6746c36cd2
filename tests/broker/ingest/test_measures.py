"""Measures over HTTP /iot/json → entity attributes read back; every rejection case."""

from __future__ import annotations

import pytest

from dos.observability import METRICS
from tests.broker.conftest import TestClient
from tests.broker.ingest.conftest import APIKEY, DEVICE, ENTITY, provision

MEASURE = f"/iot/json?k={APIKEY}&i={DEVICE}"


def rejected(reason: str) -> int:
    return METRICS.counters[("ingest_rejected", (("reason", reason),))]


def test_first_measure_creates_the_entity(client: TestClient) -> None:
    provision(client)
    sent = {"t": 21.5, "h": 48, "TimeInstant": "2026-06-01T12:00:00+02:00"}
    response = client.post(MEASURE, json=sent)
    assert response.status_code == 200, response.text
    entity = client.get(f"/ngsi-ld/v1/entities/{ENTITY}").json()
    assert entity["type"] == "WeatherObserved"
    assert entity["temperature"] == {
        "type": "Property",
        "value": 21.5,
        "unitCode": "CEL",
        "observedAt": "2026-06-01T10:00:00.000Z",
    }
    assert entity["relativeHumidity"]["value"] == 48
    assert entity["relativeHumidity"]["unitCode"] == "P1"
    assert entity["location"]["value"] == {"type": "Point", "coordinates": [7.46, 51.51]}
    assert entity["stationName"]["value"] == "Test station"
    assert entity["source"]["value"] == "test"  # static attribute of the service group


def test_later_measures_update_without_timestamp(client: TestClient) -> None:
    provision(client)
    client.post(MEASURE, json={"t": 20.0})
    assert client.post(MEASURE, json={"t": 19.25}).status_code == 200
    entity = client.get(f"/ngsi-ld/v1/entities/{ENTITY}").json()
    assert entity["temperature"]["value"] == 19.25
    assert entity["temperature"]["observedAt"].endswith("Z")  # time of receipt
    assert "relativeHumidity" not in entity


def test_a_list_of_measures_is_applied_in_order(client: TestClient) -> None:
    provision(client)
    batch = [
        {"t": 10.0, "observedAt": "2026-01-01T00:00:00Z"},
        {"t": 11.0, "observedAt": "2026-01-01T01:00:00Z"},
    ]
    assert client.post(MEASURE, json=batch).status_code == 200
    entity = client.get(f"/ngsi-ld/v1/entities/{ENTITY}").json()
    assert entity["temperature"]["value"] == 11.0
    assert entity["temperature"]["observedAt"] == "2026-01-01T01:00:00.000Z"


@pytest.mark.parametrize(
    ("url", "body", "status", "reason", "detail"),
    [
        ("/iot/json?k=wrong&i=klima-001", {"t": 1}, 404, "unknown_apikey", "apikey wrong"),
        (f"/iot/json?k={APIKEY}&i=ghost", {"t": 1}, 404, "unknown_device", "device ghost"),
        (f"/iot/json?k={APIKEY}", {"t": 1}, 400, "malformed", "parameters k"),
        (MEASURE, [], 400, "malformed", "1 to 1000"),
        (MEASURE, {}, 400, "malformed", "non-empty JSON object"),
        (MEASURE, "21.5", 400, "malformed", "JSON object"),
        (MEASURE, {"t": "warm"}, 400, "out_of_range", "temperature must be a number"),
        (MEASURE, {"h": 130}, 400, "out_of_range", "relativeHumidity 130 is above the maximum"),
        (MEASURE, {"h": -1}, 400, "out_of_range", "below the minimum 0"),
        (MEASURE, {"x": 1}, 400, "unknown_attribute", "object_id 'x'"),
        (MEASURE, {"t": 1, "TimeInstant": "yesterday"}, 400, "malformed", "ISO 8601"),
    ],
)
def test_rejections(
    client: TestClient, url: str, body: object, status: int, reason: str, detail: str
) -> None:
    provision(client)
    before = rejected(reason)
    response = client.post(url, json=body)
    assert response.status_code == status, response.text
    assert detail in response.json()["detail"]
    assert rejected(reason) == before + 1
    assert client.get(f"/ngsi-ld/v1/entities/{ENTITY}").status_code == 404  # nothing stored
    assert f'dos_ingest_rejected_total{{reason="{reason}"}}' in METRICS.render()


def test_invalid_json_body_is_rejected(client: TestClient) -> None:
    provision(client)
    before = rejected("malformed")
    response = client.post(
        MEASURE, content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400 and "not valid JSON" in response.json()["detail"]
    assert rejected("malformed") == before + 1


def test_parking_status_enum(client: TestClient) -> None:
    client.post(
        "/iot/services",
        json={"services": [{"apikey": "park", "entity_type": "ParkingSpot"}]},
    )
    spot = {
        "device_id": "p-1",
        "attributes": [{"object_id": "s", "name": "status", "type": "Text"}],
    }
    assert client.post("/iot/devices", json={"devices": [spot]}).status_code == 201
    bad = client.post("/iot/json?k=park&i=p-1", json={"s": "maybe"})
    assert bad.status_code == 400 and "not one of closed, free, occupied" in bad.json()["detail"]
    assert client.post("/iot/json?k=park&i=p-1", json={"s": "free"}).status_code == 200
    got = client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:ParkingSpot:p-1").json()
    assert got["status"]["value"] == "free"
