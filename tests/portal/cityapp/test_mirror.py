"""Defect reports mirrored to the in-process NGSI-LD broker, in their city's tenant."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings

from dos.broker.client import BrokerClient
from dos.portal.accounts.permissions import SYSTEM
from dos.portal.cityapp import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_store() -> None:
    from dos.broker.store import open_store

    store = open_store(settings.CONFIG)
    store.migrate()
    store.close()
    # the test settings' broker is shared by the tests of one process: start without the
    # sensors other tests (e.g. the demo's) left in the two cities
    from dos.portal.cityapp.api.live import ENVIRONMENT_TYPES, PARKING_TYPES

    async def clear() -> None:
        client = BrokerClient.from_config(settings.CONFIG)
        try:
            for tenant in ("dortmund", "schwerte"):
                types = ",".join((*ENVIRONMENT_TYPES, *PARKING_TYPES))
                while found := await client.query_entities(tenant=tenant, type=types, limit=1000):
                    for entity in found:
                        await client.delete_entity(entity["id"], tenant=tenant)
        finally:
            await client.aclose()

    async_to_sync(clear)()


def entities(tenant: str) -> list[dict[str, Any]]:
    async def query() -> list[dict[str, Any]]:
        client = BrokerClient.from_config(settings.CONFIG)
        try:
            return await client.query_entities(tenant=tenant, type="Open311ServiceRequest")
        finally:
            await client.aclose()

    return async_to_sync(query)()


@pytest.mark.usefixtures("broker_store")
def test_report_and_status_change_reach_the_broker(
    apps: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        report = actions.request_submit(
            apps["schwerte"]["key"],
            apps["schwerte"]["services"]["pothole"],
            lat=51.4459,
            long=7.5656,
            description="Loch vor dem Rathaus",
            email="reporter@example.test",
        )
    report.refresh_from_db()
    assert report.mirrored_at is not None and report.mirror_error == ""
    with django_capture_on_commit_callbacks(execute=True):
        actions.request_update(SYSTEM, report, state="resolved", status_notes="repariert")
    found = {e["id"]: e for e in entities("schwerte")}
    entity = found[f"urn:ngsi-ld:Open311ServiceRequest:schwerte:{report.pk}"]
    assert entity["status"]["value"] == "closed"
    assert entity["status_notes"]["value"] == "repariert"
    assert entity["location"]["value"]["coordinates"] == [7.5656, 51.4459]
    assert "reporter@example.test" not in str(entity)
    assert all(
        not e["id"].endswith(f":{report.pk}") or "schwerte" not in e["id"]
        for e in entities("dortmund")
    )


def upsert(tenant: str, entities_: list[dict[str, Any]]) -> None:
    async def send() -> None:
        client = BrokerClient.from_config(settings.CONFIG)
        try:
            await client.upsert_entities(entities_, tenant=tenant)
        finally:
            await client.aclose()

    async_to_sync(send)()


def prop(value: Any, **extra: Any) -> dict[str, Any]:
    return {"type": "Property", "value": value, **extra}


@pytest.mark.usefixtures("broker_store")
def test_live_environment_and_parking(client: Any, apps: dict[str, Any]) -> None:
    point = {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [7.46, 51.51]}}
    upsert(
        "dortmund",
        [
            {
                "id": "urn:ngsi-ld:AirQualityObserved:do-hoerde",
                "type": "AirQualityObserved",
                "areaServed": prop("Hörde"),
                "no2": prop(21.5, unitCode="GQ", observedAt="2026-11-27T09:00:00Z"),
                "pm10": prop(14.0, unitCode="GQ"),
                "location": point,
            },
            {
                "id": "urn:ngsi-ld:NoiseLevelObserved:do-city",
                "type": "NoiseLevelObserved",
                "areaServed": prop("Innenstadt-West"),
                "LAeq": prop(61.0),
                "location": point,
            },
            {
                "id": "urn:ngsi-ld:OffStreetParking:do-hbf",
                "type": "OffStreetParking",
                "name": prop("Parkhaus Hauptbahnhof"),
                "availableSpotNumber": prop(120),
                "totalSpotNumber": prop(400),
                "location": point,
            },
        ],
    )
    upsert(
        "schwerte",
        [
            {
                "id": "urn:ngsi-ld:OffStreetParking:sw-markt",
                "type": "OffStreetParking",
                "availableSpotNumber": prop(5),
                "totalSpotNumber": prop(50),
            }
        ],
    )
    key = apps["dortmund"]["raw"]
    environment = client.get("/api/app/v1/dortmund/environment", HTTP_X_API_KEY=key).json()
    assert [e["district"] for e in environment["results"]] == ["Hörde", "Innenstadt-West"]
    hoerde = environment["results"][0]
    assert hoerde["values"]["no2"] == {
        "value": 21.5,
        "unit": "GQ",
        "observed_at": "2026-11-27T09:00:00Z",
    }
    assert hoerde["values"]["pm10"]["observed_at"] is None
    # The latest reading dates the sensor when it has no dateObserved of its own.
    assert hoerde["observed_at"] == "2026-11-27T09:00:00Z"
    only_no2 = client.get("/api/app/v1/dortmund/environment?measure=no2", HTTP_X_API_KEY=key).json()
    assert only_no2["count"] == 1
    parking = client.get("/api/app/v1/dortmund/parking", HTTP_X_API_KEY=key).json()["results"]
    assert parking == [
        {
            "id": "urn:ngsi-ld:OffStreetParking:do-hbf",
            "type": "OffStreetParking",
            "name": "Parkhaus Hauptbahnhof",
            "district": None,
            "observed_at": None,
            "longitude": 7.46,
            "latitude": 51.51,
            "available_spots": 120,
            "total_spots": 400,
            "occupancy": 0.7,
            "status": None,
        }
    ]


@pytest.mark.usefixtures("broker_store")
def test_parking_counted_from_spots(client: Any, apps: dict[str, Any], monkeypatch: Any) -> None:
    """A car park without availableSpotNumber: its ParkingSpot entities are counted (as the
    demo network reports them), spots in another state are not; read page by page."""
    from dos.portal.cityapp.api import live

    monkeypatch.setattr(live, "PAGE", 2)  # the six spots come in three pages
    park = "urn:ngsi-ld:OffStreetParking:sw-bahnhof"
    spots = [
        {
            "id": f"urn:ngsi-ld:ParkingSpot:sw-bahnhof-{number}",
            "type": "ParkingSpot",
            "status": prop(state),
            "refParkingSite": {"type": "Relationship", "object": park}
            if number % 2
            else prop(park),
        }
        for number, state in enumerate(["free", "occupied", "occupied", "free", "closed"])
    ]
    other = {
        "id": "urn:ngsi-ld:ParkingSpot:elsewhere-1",
        "type": "ParkingSpot",
        "status": prop("free"),
        "refParkingSite": prop("urn:ngsi-ld:OffStreetParking:elsewhere"),
    }
    upsert(
        "schwerte",
        [
            {"id": park, "type": "OffStreetParking", "totalSpotNumber": prop(5)},
            *spots,
            other,
        ],
    )
    parking = client.get(
        "/api/app/v1/schwerte/parking", HTTP_X_API_KEY=apps["schwerte"]["raw"]
    ).json()["results"]
    assert [(p["id"], p["available_spots"], p["total_spots"]) for p in parking] == [(park, 2, 5)]
    assert parking[0]["occupancy"] == 0.5  # two of the four spots that report a state


def test_broker_down_is_503(client: Any, apps: dict[str, Any], monkeypatch: Any) -> None:
    from dos.portal.cityapp.api import live

    def down(tenant: str, types: Any, attrs: Any = None) -> Any:
        raise live.BrokerUnavailable("ConnectError: refused")

    monkeypatch.setattr(live, "_entities", down)
    response = client.get("/api/app/v1/dortmund/parking", HTTP_X_API_KEY=apps["dortmund"]["raw"])
    assert response.status_code == 503 and response["Retry-After"] == "30"
