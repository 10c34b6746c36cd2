"""Typical parking occupancy by weekday and hour, read back from a known spot history."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.cache import cache

from dos.portal.dashboards import occupancy
from tests.factories import schwerte
from tests.portal.dashboards.conftest import sensor

pytestmark = pytest.mark.django_db
MON, TUE, WED = 0, 1, 2


def _utc(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=dt.UTC)


@pytest.fixture
def spots(broker):
    """The window is 17 June 12:00 to 15 July 12:00 UTC (four Mondays: 22 June … 13 July).

    P1 spot a: free from before the window; occupied on Monday 13 July 08:00–10:30 local.
    P1 spot b: occupied from before the window. P2 spot c: first seen Tuesday 14 July 12:00
    local, occupied. Spot d of tenant "dortmund" must not count.
    """
    cache.clear()
    schwerte()

    def spot(key, park, status, at):
        return sensor(
            "ParkingSpot", key, 51.44, 7.56, at=at, status=status, static={"carPark": park}
        )

    for key, park, status, at in (
        ("a", "P1", "free", _utc(6, 1, 9)),
        ("b", "P1", "occupied", _utc(6, 1, 9)),
        ("a", "P1", "occupied", _utc(7, 13, 6)),
        ("a", "P1", "free", _utc(7, 13, 8, 30)),
        ("c", "P2", "occupied", _utc(7, 14, 10)),
    ):
        broker("schwerte", [spot(key, park, status, at)])
    broker("dortmund", [spot("d", "P1", "occupied", _utc(7, 13, 7))])
    return broker


def test_weekday_hour_matrix_per_car_park(spots) -> None:
    from dos.portal.dashboards.sensors import sensors_of

    found = occupancy.typical_occupancy("schwerte", sensors_of(["schwerte"]), _utc(7, 15, 12, 20))
    p1, p2 = found
    assert (p1.name, p1.spots, p2.name, p2.spots) == ("P1", 2, "P2", 1)
    assert p1.cells[MON][8] == 62.5  # b always, a one Monday of four: (4 + 1) / 8
    assert p1.cells[MON][9] == 62.5
    assert p1.cells[MON][10] == 56.2  # a half an hour on one Monday: (4 + 0.5) / 8
    assert p1.cells[MON][11] == 50.0
    assert p1.cells[TUE][8] == 50.0
    assert p1.cells[WED][13] == 50.0
    assert p2.cells[TUE][12] == 100.0 and p2.cells[MON][8] is None
    assert p2.cells[WED][13] == 100.0 and p2.cells[WED][14] is None  # window ends 14:00 local
    assert p1.peak == (MON, 8, 62.5)


def test_the_parking_dashboard_shows_the_heat_map_and_csv(client, spots, monkeypatch) -> None:
    from dos.portal.dashboards import sensors

    monkeypatch.setattr(sensors, "now", lambda: _utc(7, 15, 12, 20))
    html = client.get("/schwerte/dashboard/analysen/").content.decode()
    assert "Typische Belegung nach Wochentag und Stunde" in html
    table = html.split('id="occupancy-1"', 1)[1].split("</table>", 1)[0]
    assert "P1 (2 Plätze): Belegung in Prozent. Am vollsten: Montag 8:00, 62 %." in table
    monday = table.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert 'title="Montag"' in monday and ">63<" not in monday and ">56<" in monday
    response = client.get("/schwerte/dashboard/analysen/?csv=occupancy")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["car_park", "weekday", "hour", "occupancy_percent"]
    assert ["P1", "mon", "8", "62.50"] in rows
    assert ["P2", "tue", "12", "100.00"] in rows
    assert len(rows) == 1 + 2 * 7 * 24


def test_each_hour_is_computed_once_and_late_changes_are_counted(spots, monkeypatch) -> None:
    """An hour later only the new hour (and the last stored one again) is read from the
    broker; the stored hours then give what a computation from scratch gives."""
    from dos.portal.dashboards.models import OccupancyHour
    from dos.portal.dashboards.sensors import sensors_of

    first = _utc(7, 15, 12, 20)
    occupancy.typical_occupancy("schwerte", sensors_of(["schwerte"]), first)
    hours = 4 * 7 * 24
    assert OccupancyHour.objects.filter(tenant="schwerte").count() == 2 * hours
    assert not OccupancyHour.objects.filter(tenant="dortmund").exists()

    def spot(key, park, status, at):
        return sensor(
            "ParkingSpot", key, 51.44, 7.56, at=at, status=status, static={"carPark": park}
        )

    # a late measure for the last stored hour (11:00–12:00 UTC), then one in the new hour
    spots("schwerte", [spot("a", "P1", "occupied", _utc(7, 15, 11, 30))])
    spots("schwerte", [spot("a", "P1", "free", _utc(7, 15, 12, 15))])
    read: list[tuple[dt.datetime, dt.datetime]] = []
    history = occupancy._history

    async def counted(broker, tenant, start, end):
        read.append((start, end))
        return await history(broker, tenant, start, end)

    monkeypatch.setattr(occupancy, "_history", counted)
    later = _utc(7, 15, 13, 5)
    incremental = occupancy.typical_occupancy("schwerte", sensors_of(["schwerte"]), later)
    assert read == [(_utc(7, 15, 11), _utc(7, 15, 13))]
    assert OccupancyHour.objects.filter(tenant="schwerte").count() == 2 * hours
    assert not OccupancyHour.objects.filter(hour__lt=_utc(6, 17, 13)).exists()
    late = OccupancyHour.objects.get(tenant="schwerte", car_park="P1", hour=_utc(7, 15, 11))
    assert (late.occupied, late.observed) == (3600 + 1800, 7200)  # b all hour, a half of it
    new = OccupancyHour.objects.get(tenant="schwerte", car_park="P1", hour=_utc(7, 15, 12))
    assert (new.occupied, new.observed) == (3600 + 900, 7200)

    # the same hour again: nothing to read
    cache.clear()
    occupancy.typical_occupancy("schwerte", sensors_of(["schwerte"]), later)
    assert len(read) == 1

    OccupancyHour.objects.all().delete()
    cache.clear()
    scratch = occupancy.typical_occupancy("schwerte", sensors_of(["schwerte"]), later)
    assert [m.cells for m in scratch] == [m.cells for m in incremental]
    assert [(m.name, m.spots) for m in scratch] == [("P1", 2), ("P2", 1)]
    # a city without parking spots: nothing to compute, nothing stored
    assert occupancy.store_hours("dortmund", [], *occupancy.window(later)) == 0
