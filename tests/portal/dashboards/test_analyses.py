"""Analyses from known data: heat island, heat days, air quality limits, parking, trees;
and the strategy's live KPI tiles on the region dashboard."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from dos.portal.accounts.permissions import SYSTEM
from dos.portal.strategy import actions
from tests.factories import dortmund, schwerte
from tests.portal.dashboards.conftest import CORE, HOERDE, MENGEDE, sensor
from tests.portal.strategy.factories import ProjectFactory

pytestmark = pytest.mark.django_db

# (station, night 03:00 local, day 14:00 local) on 13 and 14 July (CEST = UTC+2)
HEAT = {CORE: (21.0, 30.5), HOERDE: (17.0, 26.0), MENGEDE: (15.0, 25.0)}


@pytest.fixture
def climate(broker):
    dortmund()
    for day in (13, 14):
        for hour_utc, part in ((1, 0), (12, 1)):
            at = dt.datetime(2026, 7, day, hour_utc, tzinfo=dt.UTC)
            entities = [
                sensor("WeatherObserved", s[0], *s[1:], at=at, temperature=values[part])
                for s, values in HEAT.items()
            ]
            entities[0]["blackGlobeTemperature"] = {
                "type": "Property",
                "value": 38.0 if part else 21.0,
                "observedAt": entities[0]["temperature"]["observedAt"],
            }
            broker("dortmund", entities)
    return broker


def _table(html: str, table_id: str) -> list[list[str]]:
    import re

    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    body = body.split("<tbody>", 1)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


def test_heat_island_by_district_day_and_night(client, climate) -> None:
    response = client.get("/dortmund/dashboard/analysen/?days=7")
    assert response.status_code == 200
    html = response.content.decode()
    rows = {r[0]: r for r in _table(html, "heat-districts")}
    # core: day +5.5 K, night +6 K, two heat days and two tropical nights; felt 38 °C by day
    assert rows["Innenstadt-West"] == [
        "Innenstadt-West",
        "5,5",
        "6,0",
        "2",
        "2",
        "30,5",
        "38,0",
        "1",
    ]
    assert rows["Hörde"][1:5] == ["1,0", "2,0", "0", "0"]
    assert rows["Mengede"][1:5] == ["0,0", "0,0", "0", "0"]  # the rural reference itself
    assert "(Referenz)" in html


def test_heat_csv(client, climate) -> None:
    response = client.get("/dortmund/dashboard/analysen/?days=7&csv=heat")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "district"
    assert ["Innenstadt-West", "5.50", "6.00", "2", "2", "1"] in rows


def test_heat_window_excludes_older_days(client, climate) -> None:
    html = client.get("/dortmund/dashboard/analysen/?days=2").content.decode()
    rows = {r[0]: r for r in _table(html, "heat-districts")}
    assert rows["Innenstadt-West"][3:5] == ["1", "1"]  # 13 July is outside the last two days
    assert client.get("/dortmund/dashboard/analysen/?days=abc").status_code == 200


def test_air_quality_against_eu_limits(client, broker) -> None:
    dortmund()
    for day, (pm10, pm25) in {1: (60.0, 20.0), 2: (40.0, 30.0), 3: (55.0, 25.0)}.items():
        at = dt.datetime(2026, 7, day, 12, tzinfo=dt.UTC)
        broker(
            "dortmund",
            [sensor("AirQualityObserved", "dust1", 51.505, 7.456, at=at, pm10=pm10, pm25=pm25)],
        )
    # a value from last year does not count
    old = dt.datetime(2025, 12, 30, 12, tzinfo=dt.UTC)
    broker("dortmund", [sensor("AirQualityObserved", "dust2", 51.505, 7.46, at=old, pm10=99.0)])
    html = client.get("/dortmund/dashboard/analysen/").content.decode()
    rows = _table(html, "air")
    assert rows[0] == ["dust1", "3", "51,7", "2", "25,0"]
    rows = list(
        csv.reader(
            io.StringIO(client.get("/dortmund/dashboard/analysen/?csv=air").content.decode())
        )
    )
    assert ["dust1", "3", "51.70", "2", "25.00"] in rows
    assert not any(r[0] == "dust2" and r[3] != "0" for r in rows[1:])


def test_parking_free_spaces_per_car_park(client, broker) -> None:
    schwerte()

    def spot(n, park, status, disabled=False):
        static = {"carPark": park, "category": ["forDisabled"] if disabled else ["public"]}
        return sensor("ParkingSpot", f"s{n}", 51.4436, 7.5606, status=status, static=static)

    broker(
        "schwerte",
        [
            spot(1, "P+R Bahnhof", "free"),
            spot(2, "P+R Bahnhof", "occupied"),
            spot(3, "P+R Bahnhof", "free", disabled=True),
            spot(4, "Markt", "occupied"),
            spot(5, "Markt", "occupied"),
        ],
    )
    html = client.get("/schwerte/dashboard/analysen/").content.decode()
    assert _table(html, "parking") == [
        ["Markt", "2", "0", "0", "100 %"],
        ["P+R Bahnhof", "3", "2", "1", "33 %"],
    ]


def test_tree_alerts(client, broker) -> None:
    dortmund()
    broker(
        "dortmund",
        [
            sensor(
                "GreenspaceRecord",
                f"t{n}",
                51.4935,
                7.4766,
                soilMoisture=m,
                static={"name": f"Baum {n}"},
            )
            for n, m in ((1, 25.0), (2, 45.0), (3, 12.0))
        ],
    )
    html = client.get("/dortmund/dashboard/analysen/").content.decode()
    alerts = html.split('id="tree-alerts"', 1)[1].split("</div>", 1)[0]
    assert "2 Bäume brauchen Wasser" in alerts
    assert alerts.index("Baum 3") < alerts.index("Baum 1") and "Baum 2" not in alerts
    rows = list(
        csv.reader(
            io.StringIO(client.get("/dortmund/dashboard/analysen/?csv=trees").content.decode())
        )
    )
    assert rows[1:] == [
        ["Baum 3", "12.0", "True"],
        ["Baum 1", "25.0", "True"],
        ["Baum 2", "45.0", "False"],
    ]


def test_kpi_tiles_link_to_their_projects(client, broker, django_assert_max_num_queries) -> None:
    project = ProjectFactory(cities=[dortmund()])
    kpi = actions.kpi_create(
        SYSTEM,
        project,
        name="Mittlere Temperatur",
        unit="°C",
        source="live",
        entity_type="WeatherObserved",
        attribute="temperature",
        aggregation="avg",
        period="day",
    )
    kpi.values.create(date=dt.date(2026, 7, 15), value=Decimal("22.5"), computed=True)
    actions.kpi_create(SYSTEM, project, name="Handeingabe", unit="Stück")
    with django_assert_max_num_queries(12):
        html = client.get("/dashboard/").content.decode()
    tiles = html.split('class="card-grid kpi-tiles"', 1)[1].split("</ul>", 1)[0]
    assert f'href="/strategie/projekte/{project.slug}/"' in tiles
    assert "Mittlere Temperatur" in tiles and "22,5 °C" in tiles
    assert "Handeingabe" not in tiles  # only live KPIs
