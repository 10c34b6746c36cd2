"""The sensor maps (city and region), the live JSON, and the navigation entry."""

from __future__ import annotations

import re

import pytest

from dos.portal.dashboards import cache as dashboard_cache
from dos.portal.dashboards.scale import STATES, colour, viridis
from tests.factories import dortmund, schwerte
from tests.portal.dashboards.conftest import CORE, MENGEDE, sensor

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(broker):
    dortmund(), schwerte()
    broker(
        "dortmund",
        [
            sensor(
                "WeatherObserved", CORE[0], *CORE[1:], temperature=31.5, static={"name": "Kern"}
            ),
            sensor("WeatherObserved", MENGEDE[0], *MENGEDE[1:], temperature=24.0),
            sensor("AirQualityObserved", "dust1", 51.505, 7.456, pm10=42.0, pm25=20.0),
            sensor("GreenspaceRecord", "tree1", 51.4935, 7.4766, soilMoisture=22.0),
        ],
    )
    broker(
        "schwerte",
        [
            sensor("ParkingSpot", "p1", 51.4436, 7.5606, status="free"),
            sensor("ParkingSpot", "p2", 51.4437, 7.5607, status="occupied"),
        ],
    )
    return broker


def test_colour_scale_is_viridis() -> None:
    assert viridis(0) == "#440154" and viridis(1) == "#fde725"
    assert colour(-5, -5, 35) == "#440154"
    assert colour("free", 0, 1) == STATES["free"]


def test_city_map_lists_every_sensor_with_value_and_colour(client, network) -> None:
    response = client.get("/dortmund/dashboard/?layer=temperature")
    assert response.status_code == 200
    html = response.content.decode()
    for key in ("core", "mengede"):
        assert f'data-id="urn:ngsi-ld:WeatherObserved:{key}"' in html
    assert "31,5 °C" in html and "24,0 °C" in html  # German number format
    assert (
        f'fill="{colour(31.5, -5, 35)}" class="point" data-id="urn:ngsi-ld:WeatherObserved:core"'
        in html
    )
    # the table lists every sensor, also those of other layers
    assert "42,0 µg/m³" in html and "22,0 %" in html
    assert "Innenstadt-West" in html  # district of the core station
    assert "urn:ngsi-ld:ParkingSpot:p1" not in html  # other tenant


def test_region_map_shows_both_cities_and_parking_layer(client, network) -> None:
    response = client.get("/dashboard/?layer=parking")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'fill="{STATES["free"]}" class="point" data-id="urn:ngsi-ld:ParkingSpot:p1"' in html
    assert f'fill="{STATES["occupied"]}" class="point" data-id="urn:ngsi-ld:ParkingSpot:p2"' in html
    assert "/dashboard/dortmund/latest.json?layer=parking" in html
    assert "/dashboard/schwerte/latest.json?layer=parking" in html
    assert "Kern" in html and "belegt" in html


def test_latest_json_answers_current_values(client, network) -> None:
    body = client.get("/dashboard/dortmund/latest.json?layer=temperature").json()
    by_id = {s["id"]: s for s in body["sensors"]}
    core = by_id["urn:ngsi-ld:WeatherObserved:core"]
    assert core["value"] == 31.5 and core["colour"] == colour(31.5, -5, 35)
    assert by_id["urn:ngsi-ld:GreenspaceRecord:tree1"]["value"] == 22.0
    assert "colour" not in by_id["urn:ngsi-ld:GreenspaceRecord:tree1"]
    network("dortmund", [sensor("WeatherObserved", CORE[0], *CORE[1:], temperature=12.0)])
    dashboard_cache.invalidate("dortmund")  # what news of new data does (else: after the TTL)
    body = client.get("/dashboard/dortmund/latest.json").json()
    assert {s["id"]: s["value"] for s in body["sensors"]}[
        "urn:ngsi-ld:WeatherObserved:core"
    ] == 12.0


def test_latest_json_names_bad_input(client, network) -> None:
    missing = client.get("/dashboard/hagen/latest.json")
    assert missing.status_code == 404 and "city" in missing.json()["error"]
    bad = client.get("/dashboard/dortmund/latest.json?layer=noise")
    assert bad.status_code == 400 and "layer" in bad.json()["error"]


def test_empty_city_and_navigation(client, broker) -> None:
    dortmund()
    response = client.get("/dortmund/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Noch keine Sensoren." in html
    assert "Stadt auf einen Blick" in html


def test_clusters_when_many_sensors(client, broker) -> None:
    schwerte()
    spots = [
        sensor(
            "ParkingSpot",
            f"s{n}",
            51.4436 + n * 1e-5,
            7.5606,
            status="free" if n % 4 else "occupied",
        )
        for n in range(80)
    ]
    broker("schwerte", spots)
    html = client.get("/schwerte/dashboard/?layer=parking").content.decode()
    assert 'class="sensor-map clustered"' in html
    counts = [int(n) for n in re.findall(r'class="cluster-count">(\d+)<', html)]
    assert sum(counts) == 80 and len(counts) <= 3
    assert html.count('class="point"') == 80
