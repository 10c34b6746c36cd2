"""Provisioning over /iot/services and /iot/devices on both engines, read back."""

from __future__ import annotations

from pathlib import Path

from dos.broker.store import Store
from dos.broker.tokens import token_create
from tests.broker.conftest import TestClient, broker_client
from tests.broker.ingest.conftest import APIKEY, DEVICE, device, provision, service


def test_service_group_crud(client: TestClient) -> None:
    assert client.post("/iot/services", json={"services": [service()]}).status_code == 201
    listed = client.get("/iot/services").json()
    assert listed["count"] == 1
    assert listed["services"][0]["apikey"] == APIKEY
    assert listed["services"][0]["entity_type"] == "WeatherObserved"
    again = client.post("/iot/services", json={"services": [service()]})
    assert again.status_code == 409 and APIKEY in again.json()["detail"]
    put = client.put(
        f"/iot/services?apikey={APIKEY}&resource=/iot/json",
        json={"entity_type": "AirQualityObserved"},
    )
    assert put.status_code == 204, put.text
    assert client.get("/iot/services").json()["services"][0]["entity_type"] == (
        "AirQualityObserved"
    )
    assert client.delete(f"/iot/services?apikey={APIKEY}").status_code == 204
    assert client.get("/iot/services").json() == {"count": 0, "services": []}
    assert client.delete(f"/iot/services?apikey={APIKEY}").status_code == 404


def test_device_crud(client: TestClient) -> None:
    provision(client)
    one = client.get(f"/iot/devices/{DEVICE}").json()
    assert one["entity_name"] == "urn:ngsi-ld:WeatherObserved:klima-001"
    assert one["attributes"][0] == {
        "object_id": "t",
        "name": "temperature",
        "type": "Number",
        "unitCode": "CEL",
    }
    assert one["attributes"][1]["unitCode"] == "P1"  # from metadata.unitCode
    assert one["static_attributes"][0]["type"] == "GeoProperty"
    listed = client.get("/iot/devices").json()
    assert listed["count"] == 1 and listed["devices"][0]["device_id"] == DEVICE
    dup = client.post("/iot/devices", json={"devices": [device()]})
    assert dup.status_code == 409 and DEVICE in dup.json()["detail"]
    put = client.put(f"/iot/devices/{DEVICE}", json={"timezone": "Europe/Berlin"})
    assert put.status_code == 204, put.text
    assert client.get(f"/iot/devices/{DEVICE}").json()["timezone"] == "Europe/Berlin"
    assert client.delete(f"/iot/devices/{DEVICE}").status_code == 204
    missing = client.get(f"/iot/devices/{DEVICE}")
    assert missing.status_code == 404 and DEVICE in missing.json()["detail"]


def test_device_defaults_from_its_group(client: TestClient) -> None:
    client.post("/iot/services", json={"services": [service()]})
    response = client.post("/iot/devices", json={"devices": [{"device_id": "x-1"}]})
    assert response.status_code == 201, response.text
    got = client.get("/iot/devices/x-1").json()
    assert got["apikey"] == APIKEY
    assert got["entity_name"] == "urn:ngsi-ld:WeatherObserved:x-1"


def test_bad_provisioning_names_the_field(client: TestClient) -> None:
    bad = client.post("/iot/services", json={"services": [{"entity_type": "X"}]})
    assert bad.status_code == 400 and "apikey" in bad.json()["detail"]
    client.post("/iot/services", json={"services": [service()]})
    attrs = [{"object_id": "t", "name": "not a name"}]
    bad = client.post("/iot/devices", json={"devices": [device(attributes=attrs)]})
    assert bad.status_code == 400 and "attributes[0]: name" in bad.json()["detail"]
    bad = client.post("/iot/devices", json={"device": []})
    assert bad.status_code == 400 and '"devices"' in bad.json()["detail"]
    unknown_key = client.post("/iot/devices", json={"devices": [device(apikey="nope")]})
    assert unknown_key.status_code == 404 and "nope" in unknown_key.json()["detail"]


def test_provisioning_needs_a_write_token(store: Store, tmp_path: Path) -> None:
    with broker_client(store, tmp_path) as client:
        assert client.get("/iot/devices").status_code == 401
        _, reader = token_create(store, "dortmund", "read")
        _, writer = token_create(store, "dortmund", "write")
        headers = {"fiware-service": "dortmund", "Authorization": f"Bearer {reader}"}
        assert client.get("/iot/devices", headers=headers).status_code == 403
        headers["Authorization"] = f"Bearer {writer}"
        provision(client, **headers)
        assert client.get("/iot/devices", headers=headers).json()["count"] == 1
        # the same token names its tenant through NGSILD-Tenant too
        ld = {"NGSILD-Tenant": "dortmund", "Authorization": f"Bearer {writer}"}
        assert client.get(f"/iot/devices/{DEVICE}", headers=ld).status_code == 200
        other = {"fiware-service": "schwerte", "Authorization": f"Bearer {writer}"}
        assert client.get("/iot/devices", headers=other).status_code == 403
