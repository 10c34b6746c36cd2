"""The station page: chart aggregated by the temporal API, ranges, table and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from dos.portal.dashboards import charts
from tests.factories import dortmund
from tests.portal.dashboards.conftest import CORE, NOW, sensor

pytestmark = pytest.mark.django_db
STATION = "urn:ngsi-ld:WeatherObserved:core"


@pytest.fixture
def history(broker):
    dortmund()
    # Three hours today with two values each, and one value four days ago.
    moments = [NOW - dt.timedelta(days=4)] + [
        NOW - dt.timedelta(hours=h, minutes=m) for h in (3, 2, 1) for m in (30, 0)
    ]
    values = [5.0, 20.0, 22.0, 24.0, 26.0, 28.0, 30.0]
    for moment, value in zip(moments, values, strict=True):
        broker(
            "dortmund",
            [sensor("WeatherObserved", CORE[0], *CORE[1:], at=moment, temperature=value)],
        )
    return broker


def test_bounds_align_to_buckets() -> None:
    start, end = charts.bounds(charts.RANGE_BY_KEY["24h"], NOW + dt.timedelta(minutes=7))
    assert end == NOW + dt.timedelta(minutes=10) and end - start == dt.timedelta(hours=24)
    start, end = charts.bounds(charts.RANGE_BY_KEY["1y"], NOW)
    assert end == dt.datetime(2026, 7, 16, tzinfo=dt.UTC) and (end - start).days == 365


def test_station_page_draws_the_aggregated_chart(client, history) -> None:
    response = client.get(f"/dortmund/dashboard/station/{STATION}/?range=24h")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="ts-chart"' in html and 'class="line"' in html and 'class="band"' in html
    # 6 values in 24 h, one per 5-minute bucket; the one four days ago is outside
    assert "6 Zeitabschnitte" in html
    assert "30,0 °C" in html  # current value and highest
    assert 'aria-current="page">24 Stunden' in html


def test_station_csv_is_the_table_behind_the_chart(client, history) -> None:
    response = client.get(f"/dortmund/dashboard/station/{STATION}/werte.csv?range=7d")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["start", "temperature_avg", "temperature_min", "temperature_max"]
    # hourly buckets over 7 days: the old value, then 08:30 | 09:00 09:30 | 10:00 10:30 | 11:00
    assert rows[1] == ["2026-07-11T12:00:00Z", "5.00", "5.00", "5.00"]
    assert rows[2:] == [
        ["2026-07-15T08:00:00Z", "20.00", "20.00", "20.00"],
        ["2026-07-15T09:00:00Z", "23.00", "22.00", "24.00"],
        ["2026-07-15T10:00:00Z", "27.00", "26.00", "28.00"],
        ["2026-07-15T11:00:00Z", "30.00", "30.00", "30.00"],
    ]


def test_unknown_station_and_empty_range(client, history) -> None:
    assert client.get("/dortmund/dashboard/station/urn:ngsi-ld:X:none/").status_code == 404
    assert client.get(f"/schwerte/dashboard/station/{STATION}/").status_code == 404
    response = client.get(f"/dortmund/dashboard/station/{STATION}/?range=bogus")
    assert response.status_code == 200  # falls back to 24 h
