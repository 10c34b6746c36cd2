"""The demo sensor network and its measurements are complete, plausible and reproducible."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from statistics import correlation, mean

import pytest

from dos.demo.network import CAR_PARKS, build_network, count_by_kind
from dos.demo.physics import Climate

NETWORK = build_network(2030)
CLIMATE = Climate(2030)


def test_network_matches_the_published_figures() -> None:
    counts = count_by_kind(NETWORK)
    assert counts["climate"] + counts["climate_globe"] == 80
    assert counts["climate_globe"] == 25 and counts["climate"] == 55
    sites = {s.site for s in NETWORK if s.kind.startswith("climate")}
    assert len(sites) == 76
    assert counts["dust"] == 6
    assert counts["weather"] == 15
    regular = [
        s for s in NETWORK if s.kind == "parking" and "forDisabled" not in s.static["category"]
    ]
    assert len(regular) == 665
    assert {s.static["carPark"] for s in regular} == {name for name, *_ in CAR_PARKS}
    assert any("forDisabled" in s.static["category"] for s in NETWORK if s.kind == "parking")
    assert counts["tree"] > 0


def test_network_ids_are_unique_and_reproducible() -> None:
    assert len({s.device_id for s in NETWORK}) == len(NETWORK)
    assert len({s.entity_id for s in NETWORK}) == len(NETWORK)
    assert build_network(2030) == NETWORK
    assert build_network(7) != NETWORK


def test_stations_lie_in_their_city() -> None:
    for s in NETWORK:
        if s.city == "dortmund":
            assert 51.40 < s.lat < 51.62 and 7.28 < s.lon < 7.65, s
        else:
            assert 51.40 < s.lat < 51.49 and 7.48 < s.lon < 7.66, s


def _series(station, start: datetime, days: int, step_h: int = 1):
    return [start + timedelta(hours=h) for h in range(0, days * 24, step_h)]


def test_values_are_reproducible_for_a_seed() -> None:
    station = NETWORK[0]
    t = datetime(2026, 7, 1, 14, tzinfo=UTC)
    assert CLIMATE.measure(station, t) == Climate(2030).measure(station, t)
    assert CLIMATE.measure(station, t) != Climate(1).measure(station, t)


def test_summer_is_warmer_than_winter_and_afternoon_warmer_than_dawn() -> None:
    station = NETWORK[40]
    summer = mean(
        CLIMATE.temperature(station, t)
        for t in _series(station, datetime(2026, 7, 1, tzinfo=UTC), 20)
    )
    winter = mean(
        CLIMATE.temperature(station, t)
        for t in _series(station, datetime(2026, 1, 10, tzinfo=UTC), 20)
    )
    assert summer - winter > 10
    afternoons = [
        CLIMATE.temperature(station, datetime(2026, 7, d, 14, tzinfo=UTC)) for d in range(1, 21)
    ]
    dawns = [
        CLIMATE.temperature(station, datetime(2026, 7, d, 3, tzinfo=UTC)) for d in range(1, 21)
    ]
    assert mean(afternoons) - mean(dawns) > 4


def test_heat_island_core_warmer_than_outskirts_more_so_at_night() -> None:
    climate = [s for s in NETWORK if s.kind.startswith("climate")]
    core = sorted(climate, key=lambda s: -s.urbanity)[:10]
    rural = sorted(climate, key=lambda s: s.urbanity)[:10]
    days = range(1, 15)
    night = [datetime(2026, 8, d, 1, tzinfo=UTC) for d in days]
    noon = [datetime(2026, 8, d, 12, tzinfo=UTC) for d in days]

    def diff(times):
        return mean(CLIMATE.temperature(s, t) for s in core for t in times) - mean(
            CLIMATE.temperature(s, t) for s in rural for t in times
        )

    assert diff(night) > 1.5
    assert diff(night) > diff(noon) + 0.8


def test_humidity_falls_as_temperature_rises() -> None:
    station = NETWORK[3]
    times = _series(station, datetime(2026, 6, 1, tzinfo=UTC), 10)
    temps = [CLIMATE.temperature(station, t) for t in times]
    hums = [CLIMATE.relative_humidity(station, t) for t in times]
    assert correlation(temps, hums) < -0.5
    assert all(5 <= h <= 100 for h in hums)


def test_black_globe_is_hotter_than_air_in_the_sun() -> None:
    globe = next(s for s in NETWORK if s.kind == "climate_globe")
    noon = [datetime(2026, 7, d, 11, tzinfo=UTC) for d in range(1, 20)]
    assert (
        mean(
            CLIMATE.black_globe_temperature(globe, t) - CLIMATE.temperature(globe, t) for t in noon
        )
        > 2
    )


def test_fine_dust_higher_at_traffic_sites_and_pm25_below_pm10() -> None:
    dust = [s for s in NETWORK if s.kind == "dust"]
    traffic = [s for s in dust if s.traffic]
    quiet = [s for s in dust if not s.traffic]
    rush = [datetime(2026, 11, d, 7, tzinfo=UTC) for d in range(2, 7)]  # Mon–Fri, 08:00 local
    assert (
        mean(CLIMATE.pm10(s, t) for s in traffic for t in rush)
        > mean(CLIMATE.pm10(s, t) for s in quiet for t in rush) + 3
    )
    for s in dust:
        for t in rush:
            assert CLIMATE.pm25(s, t) < CLIMATE.pm10(s, t)


def test_parking_busier_on_weekday_mornings_than_at_night() -> None:
    pr = [s for s in NETWORK if s.static.get("carParkKind") == "park_and_ride"][:120]
    day = datetime(2026, 11, 25, 9, tzinfo=UTC)  # Wednesday 10:00 local
    night = datetime(2026, 11, 25, 2, tzinfo=UTC)
    busy = sum(CLIMATE.parking_occupied(s, day) for s in pr) / len(pr)
    quiet = sum(CLIMATE.parking_occupied(s, night) for s in pr) / len(pr)
    assert busy > 0.7 and quiet < 0.25


def test_tree_moisture_rises_after_rain_and_stays_in_range() -> None:
    tree = next(s for s in NETWORK if s.kind == "tree")
    start = datetime(2026, 9, 1, tzinfo=UTC)
    hours = [start + timedelta(hours=3 * i) for i in range(8 * 20)]
    levels = [CLIMATE.tree_moisture(tree, t) for t in hours]
    assert all(8 <= v <= 100 for v in levels)
    rises = [(a, b) for a, b in itertools.pairwise(levels) if b > a]
    rainy = [t for t in hours if CLIMATE.rain(t) > 0]
    assert rainy and rises


@pytest.mark.parametrize("kind", ["climate", "climate_globe", "dust", "tree", "weather", "parking"])
def test_every_kind_produces_a_full_payload(kind: str) -> None:
    station = next(s for s in NETWORK if s.kind == kind)
    payload = CLIMATE.measure(station, datetime(2026, 11, 27, 10, tzinfo=UTC))
    assert set(payload) == set(station.attributes)
