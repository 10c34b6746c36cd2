"""The dashboards' cache: how often the broker is asked, and that what is shown stays right."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse

from dos.broker.client import BrokerClient
from dos.portal.dashboards import cache, charts, views
from tests.factories import dortmund
from tests.portal.dashboards.conftest import CORE, HOERDE, NOW, sensor

pytestmark = pytest.mark.django_db
STATION = "urn:ngsi-ld:WeatherObserved:core"


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Every entity query and temporal read the portal sends to the broker."""
    found: list[tuple[str, dict[str, Any]]] = []
    query, temporal = BrokerClient.query_entities, BrokerClient.get_temporal_entity

    async def counted_query(self: BrokerClient, **params: Any) -> Any:
        found.append(("query", params))
        return await query(self, **params)

    async def counted_temporal(self: BrokerClient, entity_id: str, **params: Any) -> Any:
        found.append(("temporal", params))
        return await temporal(self, entity_id, **params)

    monkeypatch.setattr(BrokerClient, "query_entities", counted_query)
    monkeypatch.setattr(BrokerClient, "get_temporal_entity", counted_temporal)
    return found


@pytest.fixture
def city(broker):
    dortmund()
    broker(
        "dortmund",
        [
            sensor("WeatherObserved", CORE[0], *CORE[1:], temperature=31.5),
            sensor("WeatherObserved", HOERDE[0], *HOERDE[1:], temperature=27.0),
            sensor("ParkingSpot", "p1", 51.514, 7.466, status="free"),
        ],
    )
    return broker


def _queries(calls: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    return [params for kind, params in calls if kind == "query"]


def test_one_broker_query_for_all_sensor_types(client, city, calls) -> None:
    assert client.get("/dortmund/dashboard/").status_code == 200
    assert [q["type"] for q in _queries(calls)] == [
        "WeatherObserved,AirQualityObserved,GreenspaceRecord,ParkingSpot"
    ]


def test_map_layers_and_analyses_share_one_snapshot(client, city, calls) -> None:
    html = client.get("/dortmund/dashboard/?layer=temperature").content.decode()
    client.get("/dortmund/dashboard/?layer=parking")
    client.get("/dortmund/dashboard/analysen/")
    assert len(_queries(calls)) == 1
    assert "31,5 °C" in html and 'data-id="urn:ngsi-ld:ParkingSpot:p1"' in html


def test_new_data_shows_after_invalidate(client, city, calls) -> None:
    client.get("/dortmund/dashboard/")
    city("dortmund", [sensor("WeatherObserved", CORE[0], *CORE[1:], temperature=12.0)])
    stale = client.get("/dortmund/dashboard/").content.decode()
    assert "31,5 °C" in stale and "12,0 °C" not in stale  # within the TTL
    cache.invalidate("dortmund")  # what a notification of new values does
    assert "12,0 °C" in client.get("/dortmund/dashboard/").content.decode()
    assert len(_queries(calls)) == 2


def test_without_cache_every_request_reads_the_broker(client, city, calls, monkeypatch) -> None:
    monkeypatch.setattr(cache, "ttl", lambda: 0)
    client.get("/dortmund/dashboard/")
    city("dortmund", [sensor("WeatherObserved", CORE[0], *CORE[1:], temperature=12.0)])
    assert "12,0 °C" in client.get("/dortmund/dashboard/").content.decode()
    assert len(_queries(calls)) == 2


def test_station_url_without_reverse_matches_reverse() -> None:
    odd = views.Sensor("urn:ngsi-ld:X:a b;ä?#%&=", "X", "dortmund", "", 0, 0, "", 0, {}, None, {})
    assert views._station_url(odd, {}) == views._station_url(odd)
    assert views._station_url(odd) == reverse("dashboards_city:station", args=["dortmund", odd.id])


@pytest.fixture
def history(broker):
    """Hourly values over the last 8 days at the station (the value is the hour)."""
    dortmund()
    moments = [NOW - dt.timedelta(hours=i) for i in range(8 * 24, -1, -1)]
    for moment in moments:
        broker(
            "dortmund",
            [sensor("WeatherObserved", CORE[0], *CORE[1:], at=moment, temperature=moment.hour)],
        )
    return broker


def _csv(client, key: str) -> list[list[str]]:
    response = client.get(f"/dortmund/dashboard/station/{STATION}/werte.csv?range={key}")
    return list(csv.reader(io.StringIO(response.content.decode())))


def _temporal(calls: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    return [params for kind, params in calls if kind == "temporal"]


def test_station_asks_only_for_open_periods_once_closed_ones_are_cached(
    client, history, calls, monkeypatch
) -> None:
    ttl = cache.ttl
    monkeypatch.setattr(cache, "ttl", lambda: 0)
    uncached = _csv(client, "7d")
    monkeypatch.setattr(cache, "ttl", ttl)
    calls.clear()
    assert client.get(f"/dortmund/dashboard/station/{STATION}/?range=7d").status_code == 200
    assert _csv(client, "7d") == uncached  # the CSV reuses the page's answer
    assert len(_temporal(calls)) == 1
    cache.invalidate("dortmund")  # new data: the open periods are asked for again
    assert _csv(client, "7d") == uncached
    asked = _temporal(calls)
    # NOW is 12:00; periods up to 11:00 are over (2 minutes' grace), 11:00–13:00 are open
    assert [(a["timeAt"], a["endTimeAt"]) for a in asked[1:]] == [
        ("2026-07-15T11:00:00Z", "2026-07-15T13:00:00Z")
    ]
    assert len(uncached) == 1 + 7 * 24  # the header and 7 days of hours up to 12:00
    assert uncached[-2:] == [
        ["2026-07-15T11:00:00Z", "11.00", "11.00", "11.00"],
        ["2026-07-15T12:00:00Z", "12.00", "12.00", "12.00"],
    ]


def test_station_shows_a_new_value_of_an_open_period(client, history, calls) -> None:
    assert _csv(client, "24h")[-1] == ["2026-07-15T12:00:00Z", "12.00", "12.00", "12.00"]
    later = NOW + dt.timedelta(minutes=3)
    history("dortmund", [sensor("WeatherObserved", CORE[0], *CORE[1:], at=later, temperature=30)])
    cache.invalidate("dortmund")
    rows = _csv(client, "24h")
    assert rows[-1] == ["2026-07-15T12:00:00Z", "21.00", "12.00", "30.00"]
    assert rows[-2] == ["2026-07-15T11:00:00Z", "11.00", "11.00", "11.00"]
    # the 24-hour window ends at 12:05 for NOW; the closed periods came from the cache
    assert [a["timeAt"] for a in _temporal(calls)][1:] == ["2026-07-15T11:55:00Z"]


def test_series_segment_is_reused_and_trimmed_as_the_window_moves(monkeypatch) -> None:
    monkeypatch.setattr(cache, "ttl", lambda: 60)
    asked: list[tuple[int, int]] = []

    def fetch(start: int, end: int) -> list[int]:
        asked.append((start, end))
        return list(range(start, end, 10))

    def rows(start: int, end: int, now: float) -> list[int]:
        return cache.series(("t", "e", "a"), start, end, 10, now, fetch, lambda row: row)

    assert rows(0, 100, 95 + cache.GRACE_SECONDS) == list(range(0, 100, 10))
    assert rows(10, 110, 105 + cache.GRACE_SECONDS) == list(range(10, 110, 10))
    assert asked == [(0, 100), (90, 110)]  # only the open periods the second time
    assert rows(500, 600, 595 + cache.GRACE_SECONDS) == list(range(500, 600, 10))
    assert asked[-1] == (500, 600)  # a window past the cached periods: asked anew


def test_year_chart_uses_daily_periods() -> None:
    # a year of 5-minute values is drawn from 365 daily aggregates, not 105,120 points
    assert charts.RANGE_BY_KEY["1y"].period == "P1D"
    assert {r.key: r.span // dt.timedelta(seconds=r.period_s) for r in charts.RANGES} == {
        "24h": 288,
        "7d": 168,
        "30d": 120,
        "1y": 365,
    }


@pytest.mark.parametrize("language", ["de", "en"])
def test_table_dates_read_as_django_formats_them(language: str) -> None:
    from django.utils import formats, timezone, translation

    moment = timezone.localtime(dt.datetime(2026, 3, 7, 17, 5, tzinfo=dt.UTC))
    with translation.override(language):
        fast = views._date_formatter("SHORT_DATETIME_FORMAT")(moment)
        assert fast == formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    if language == "de":
        assert fast == "07.03.2026 18:05"
