"""Helpers of the ingestion tests: a provisioned service group and device."""

from __future__ import annotations

from typing import Any

from tests.broker.conftest import TestClient

APIKEY = "klima-key"
DEVICE = "klima-001"
ENTITY = "urn:ngsi-ld:WeatherObserved:klima-001"


def service(**extra: Any) -> dict[str, Any]:
    return {
        "apikey": APIKEY,
        "entity_type": "WeatherObserved",
        "resource": "/iot/json",
        "static_attributes": [{"name": "source", "type": "Text", "value": "test"}],
        **extra,
    }


def device(device_id: str = DEVICE, **extra: Any) -> dict[str, Any]:
    return {
        "device_id": device_id,
        "apikey": APIKEY,
        "entity_name": f"urn:ngsi-ld:WeatherObserved:{device_id}",
        "entity_type": "WeatherObserved",
        "attributes": [
            {"object_id": "t", "name": "temperature", "type": "Number", "unitCode": "CEL"},
            {
                "object_id": "h",
                "name": "relativeHumidity",
                "type": "Number",
                "metadata": {"unitCode": {"type": "Text", "value": "P1"}},
            },
        ],
        "static_attributes": [
            {
                "name": "location",
                "type": "geo:json",
                "value": {"type": "Point", "coordinates": [7.46, 51.51]},
            },
            {"name": "stationName", "type": "Text", "value": "Test station"},
        ],
        **extra,
    }


def provision(client: TestClient, **headers: str) -> None:
    response = client.post("/iot/services", json={"services": [service()]}, headers=headers)
    assert response.status_code == 201, response.text
    response = client.post("/iot/devices", json={"devices": [device()]}, headers=headers)
    assert response.status_code == 201, response.text
