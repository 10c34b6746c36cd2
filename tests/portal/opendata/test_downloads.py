"""Streamed CSV and GeoJSON downloads of a generated dataset's current values."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync

from dos.portal.accounts.permissions import SYSTEM
from dos.portal.opendata import broker as opendata_broker
from dos.portal.opendata.actions import dataset_sync
from tests.factories import dortmund
from tests.portal.opendata.conftest import upsert, weather
from tests.portal.opendata.factories import DatasetFactory

pytestmark = pytest.mark.django_db


def body(response: Any) -> bytes:
    """Consume the asynchronous streaming body as the ASGI handler would."""
    assert response.streaming

    async def collect() -> bytes:
        return b"".join([part async for part in response.streaming_content])

    return async_to_sync(collect)()


@pytest.fixture
def stations(broker: Any, monkeypatch: pytest.MonkeyPatch) -> int:
    dortmund()
    count = 7
    upsert([weather(n) for n in range(count)], "dortmund")
    dataset_sync(SYSTEM)
    monkeypatch.setattr(opendata_broker, "PAGE_SIZE", 3)  # several pages
    return count


def test_current_csv_reads_back(client: Any, stations: int) -> None:
    response = client.get("/opendata/dortmund-weatherobserved/aktuell.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "dortmund-weatherobserved-aktuell.csv" in response["Content-Disposition"]
    text = body(response).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == stations
    assert list(rows[0])[:4] == ["id", "type", "longitude", "latitude"]
    first = {row["id"]: row for row in rows}["urn:ngsi-ld:WeatherObserved:dortmund-0002"]
    assert first["type"] == "WeatherObserved"
    assert float(first["temperature"]) == pytest.approx(20.2)
    assert float(first["longitude"]) == pytest.approx(7.462)
    assert float(first["latitude"]) == pytest.approx(51.51)
    assert first["name"] == "Station 2, Nord"
    assert first["location"] == ""  # a point is in longitude/latitude


def test_current_geojson_reads_back(client: Any, stations: int) -> None:
    response = client.get("/opendata/dortmund-weatherobserved/aktuell.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(body(response))
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == stations
    feature = {f["id"]: f for f in collection["features"]}[
        "urn:ngsi-ld:WeatherObserved:dortmund-0001"
    ]
    assert feature["geometry"] == {"type": "Point", "coordinates": [7.461, 51.51]}
    assert feature["properties"]["temperature"] == pytest.approx(20.1)
    assert feature["properties"]["type"] == "WeatherObserved"


def test_empty_type_gives_header_and_empty_collection(client: Any, broker: Any) -> None:
    DatasetFactory(
        slug="dortmund-parkingspot", city=dortmund(), source="generated", entity_type="ParkingSpot"
    )
    text = body(client.get("/opendata/dortmund-parkingspot/aktuell.csv")).decode("utf-8-sig")
    assert text.splitlines() == ["id,type,longitude,latitude,location"]
    collection = json.loads(body(client.get("/opendata/dortmund-parkingspot/aktuell.geojson")))
    assert collection == {"type": "FeatureCollection", "features": []}


def test_downloads_of_unknown_or_manual_datasets_are_404(client: Any, broker: Any) -> None:
    DatasetFactory(slug="haushalt")
    assert client.get("/opendata/gibt-es-nicht/aktuell.csv").status_code == 404
    assert client.get("/opendata/haushalt/aktuell.geojson").status_code == 404


def measured(n: int, value: float, at: str) -> dict[str, Any]:
    return {
        "id": f"urn:ngsi-ld:WeatherObserved:dortmund-{n:04d}",
        "type": "WeatherObserved",
        "temperature": {"type": "Property", "value": value, "observedAt": at},
    }


@pytest.fixture
def history(broker: Any) -> None:
    dortmund()
    for day, value in (("01", 10.0), ("02", 11.0), ("03", 12.0), ("04", 13.0)):
        upsert([measured(n, value + n, f"2026-11-{day}T12:00:00Z") for n in range(3)], "dortmund")
    dataset_sync(SYSTEM)


def history_rows(client: Any, query: str) -> list[dict[str, str]]:
    response = client.get(f"/opendata/dortmund-weatherobserved/verlauf.csv?{query}")
    assert response.status_code == 200
    assert "-verlauf-2026-11-02-" in response["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"))))


def test_history_csv_of_a_period_reads_back(client: Any, history: None) -> None:
    rows = history_rows(client, "von=2026-11-02&bis=2026-11-03")
    assert [(r["id"][-4:], r["attribute"], r["observedAt"][:10], r["value"]) for r in rows] == [
        ("0000", "temperature", "2026-11-02", "11.0"),
        ("0000", "temperature", "2026-11-03", "12.0"),
        ("0001", "temperature", "2026-11-02", "12.0"),
        ("0001", "temperature", "2026-11-03", "13.0"),
        ("0002", "temperature", "2026-11-02", "13.0"),
        ("0002", "temperature", "2026-11-03", "14.0"),
    ]


def test_history_reads_on_after_the_broker_cuts_an_attribute(
    client: Any, history: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dos.broker.http import temporal

    monkeypatch.setattr(temporal, "_limit", lambda request: 2)  # 3 instances per station: a 206
    monkeypatch.setattr(opendata_broker, "HISTORY_PAGE", 2)
    rows = history_rows(client, "von=2026-11-02&bis=2026-11-04")
    assert len(rows) == 9
    assert {(r["id"][-4:], r["observedAt"][:10]) for r in rows} == {
        (f"{n:04d}", f"2026-11-0{day}") for n in range(3) for day in (2, 3, 4)
    }


@pytest.fixture
def long_history(broker: Any) -> None:
    """Station 0 measured every 6 hours over 10 days, station 1 once."""
    dortmund()
    for day in range(1, 11):
        for hour in (0, 6, 12, 18):
            upsert(
                [measured(0, day + hour / 100, f"2026-11-{day:02d}T{hour:02d}:00:00Z")], "dortmund"
            )
    upsert([measured(1, 99.0, "2026-11-05T12:00:00Z")], "dortmund")
    dataset_sync(SYSTEM)


def test_history_reads_on_in_slices_of_time(
    client: Any, long_history: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dos.broker.client import BrokerClient
    from dos.broker.http import temporal

    monkeypatch.setattr(temporal, "_limit", lambda request: 4)  # one day of station 0 per response
    asked: list[dict[str, Any]] = []
    query = BrokerClient.query_temporal

    async def spy(self: BrokerClient, **params: Any) -> Any:
        asked.append(params)
        return await query(self, **params)

    monkeypatch.setattr(BrokerClient, "query_temporal", spy)
    rows = history_rows(client, "von=2026-11-02&bis=2026-11-09")
    expected = [
        ("0000", f"2026-11-{day:02d}T{hour:02d}", f"{day + hour / 100}")
        for day in range(2, 10)
        for hour in (0, 6, 12, 18)
    ]
    assert [(r["id"][-4:], r["observedAt"][:13], r["value"]) for r in rows] == [
        *expected,
        ("0001", "2026-11-05T12", "99.0"),
    ]
    # after a cut answer every attribute of its page is read on (any may have been cut)
    read_on = [a for a in asked if a.get("id") == "urn:ngsi-ld:WeatherObserved:dortmund-0000"]
    # each read-on asks for a slice of about one response's span, not for the rest of the
    # period: the broker reads only that slice (linear, not quadratic, in the history)
    assert all(a["endTimeAt"] < "2026-11-10T00:00:00Z" for a in read_on[:-1])
    assert read_on[0]["timeAt"] == "2026-11-02T18:00:00.000Z"
    assert read_on[0]["endTimeAt"] == "2026-11-03T12:00:00.000Z"  # 18 h held 4 instances
    assert len(read_on) <= 12  # 7 more days of 4 instances in slices of 18 h


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("von=2026-11-02", "bis:"),
        ("von=gestern&bis=2026-11-03", "von:"),
        ("von=2026-11-05&bis=2026-11-03", "bis:"),
    ],
)
def test_history_bad_period_is_400_naming_the_field(
    client: Any, history: None, query: str, message: str
) -> None:
    response = client.get(f"/opendata/dortmund-weatherobserved/verlauf.csv?{query}")
    assert response.status_code == 400
    assert response.content.decode().startswith(message)
