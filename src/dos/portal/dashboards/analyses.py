"""Analyses over the sensors: parking, trees (current values), heat island and air quality
(time series from the temporal API, aggregated by the broker)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import mean
from typing import Any

from django.utils import timezone

from dos.broker.client import BrokerClient
from dos.portal.dashboards.charts import iso
from dos.portal.dashboards.sensors import Sensor, parse_time, run

TREE_ALERT = 30.0  # % soil moisture below which a tree needs water
HEAT_DAY = 30.0  # °C daily maximum
TROPICAL_NIGHT = 20.0  # °C daily minimum
PM10_DAILY_LIMIT = 50.0  # µg/m³, EU directive 2008/50/EC
PM10_ALLOWED_DAYS = 35  # exceedances per calendar year
PM25_ANNUAL_LIMIT = 25.0  # µg/m³
NIGHT_HOURS = set(range(22, 24)) | set(range(0, 6))  # local time
REFERENCE_SHARE = 0.1  # the least urban tenth of the stations is the rural reference


@dataclass
class CarPark:
    name: str
    spots: int = 0
    free: int = 0
    disabled_free: int = 0

    @property
    def occupancy(self) -> float:
        return round(100 * (self.spots - self.free) / self.spots, 1) if self.spots else 0.0


def car_parks(sensors: list[Sensor]) -> list[CarPark]:
    """Free spaces per car park now (spots grouped by ``carPark``, else ``refParkingSite``)."""
    parks: dict[str, CarPark] = {}
    for sensor in sensors:
        if sensor.type != "ParkingSpot":
            continue
        name = sensor.static.get("carPark") or sensor.static.get("refParkingSite") or "–"
        park = parks.setdefault(str(name), CarPark(str(name)))
        park.spots += 1
        if sensor.values.get("status") == "free":
            park.free += 1
            if "forDisabled" in (sensor.static.get("category") or []):
                park.disabled_free += 1
    return sorted(parks.values(), key=lambda p: p.name)


def tree_moisture(sensors: list[Sensor]) -> list[Sensor]:
    """Trees by moisture, driest first."""
    trees = [s for s in sensors if s.type == "GreenspaceRecord" and _num(s.value("soilMoisture"))]
    return sorted(trees, key=lambda s: s.values["soilMoisture"])


def tree_alerts(sensors: list[Sensor], threshold: float = TREE_ALERT) -> list[Sensor]:
    """Trees whose moisture is below ``threshold`` (they need water)."""
    return [s for s in tree_moisture(sensors) if s.values["soilMoisture"] < threshold]


def _num(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# -- time series -----------------------------------------------------------------------------
def aggregated_series(
    tenant: str,
    entity_type: str,
    attrs: list[str],
    start: dt.datetime,
    end: dt.datetime,
    period: str,
) -> dict[str, dict[str, list[tuple[dt.datetime, float, float, float]]]]:
    """entity id → attribute → [(bucket start, avg, min, max)] from one temporal query."""

    async def work(broker: BrokerClient) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        offset = 0
        while True:
            page, _cut = await broker.query_temporal(
                tenant=tenant,
                type=entity_type,
                attrs=attrs,
                limit=100,
                offset=offset,
                options="aggregatedValues",
                aggrMethods="avg,min,max",
                aggrPeriodDuration=period,
                timerel="between",
                timeAt=iso(start),
                endTimeAt=iso(end),
            )
            found.extend(page)
            if len(page) < 100:
                return found
            offset += 100

    result: dict[str, dict[str, list[tuple[dt.datetime, float, float, float]]]] = {}
    for entity in run(work):
        for attr in attrs:
            data = entity.get(attr) or {}
            rows: dict[dt.datetime, list[float]] = {}
            for index, method in enumerate(("avg", "min", "max")):
                for item in data.get(method) or []:
                    stamp = parse_time(item[1]) if isinstance(item, list) else None
                    if stamp is not None and _num(item[0]):
                        rows.setdefault(stamp, [float("nan")] * 3)[index] = float(item[0])
            if rows:
                result.setdefault(entity["id"], {})[attr] = [
                    (k, *rows[k])
                    for k in sorted(rows)  # type: ignore[misc]
                ]
    return result


@dataclass
class StationHeat:
    sensor: Sensor
    day: float | None
    night: float | None
    reference: bool = False


@dataclass
class DistrictHeat:
    district: str
    day: float | None
    night: float | None
    heat_days: int
    tropical_nights: int
    stations: int
    globe: float | None = None
    air: float | None = None


@dataclass
class Heat:
    days: int
    reference: list[Sensor]
    stations: list[StationHeat]
    districts: list[DistrictHeat] = field(default_factory=list)


def heat(sensors: list[Sensor], series: dict[str, dict[str, list[Any]]], days: int) -> Heat:
    """Heat island: each station's day/night mean minus the rural reference's, per district
    the mean of its stations, heat days and tropical nights (a day counts for a district when
    the mean of its stations' daily maximum / minimum reaches the threshold), and the mean
    black-globe ("felt") temperature next to the air temperature by day."""
    climate = [s for s in sensors if s.type == "WeatherObserved" and s.id in series]
    climate.sort(key=lambda s: s.urbanity)
    count = max(1, round(len(climate) * REFERENCE_SHARE))
    reference = climate[:count]
    ref_ids = {s.id for s in reference}
    # hour → reference mean temperature
    ref_hours: dict[dt.datetime, list[float]] = defaultdict(list)
    for sensor in reference:
        for start, avg, _low, _high in series[sensor.id].get("temperature", []):
            ref_hours[start].append(avg)
    ref_mean = {k: mean(v) for k, v in ref_hours.items()}
    stations: list[StationHeat] = []
    daily: dict[str, dict[dt.date, dict[str, list[float]]]] = defaultdict(
        lambda: defaultdict(lambda: {"max": [], "min": []})
    )
    globe_by_district: dict[str, list[float]] = defaultdict(list)
    air_by_district: dict[str, list[float]] = defaultdict(list)
    for sensor in climate:
        diffs: dict[str, list[float]] = {"day": [], "night": []}
        per_day: dict[dt.date, dict[str, list[float]]] = defaultdict(lambda: {"max": [], "min": []})
        for start, avg, low, high in series[sensor.id].get("temperature", []):
            local = timezone.localtime(start)
            part = "night" if local.hour in NIGHT_HOURS else "day"
            if start in ref_mean:
                diffs[part].append(avg - ref_mean[start])
            per_day[local.date()]["max"].append(high)
            per_day[local.date()]["min"].append(low)
            if part == "day":
                air_by_district[sensor.district].append(avg)
        for start, avg, _low, _high in series[sensor.id].get("blackGlobeTemperature", []):
            if timezone.localtime(start).hour not in NIGHT_HOURS:
                globe_by_district[sensor.district].append(avg)
        for day, extremes in per_day.items():
            daily[sensor.district][day]["max"].append(max(extremes["max"]))
            daily[sensor.district][day]["min"].append(min(extremes["min"]))
        stations.append(
            StationHeat(
                sensor,
                round(mean(diffs["day"]), 2) if diffs["day"] else None,
                round(mean(diffs["night"]), 2) if diffs["night"] else None,
                sensor.id in ref_ids,
            )
        )
    districts = []
    for district in sorted({s.sensor.district for s in stations}):
        members = [s for s in stations if s.sensor.district == district]
        day_values = [s.day for s in members if s.day is not None]
        night_values = [s.night for s in members if s.night is not None]
        by_day = daily[district]
        districts.append(
            DistrictHeat(
                district,
                round(mean(day_values), 2) if day_values else None,
                round(mean(night_values), 2) if night_values else None,
                sum(1 for v in by_day.values() if mean(v["max"]) >= HEAT_DAY),
                sum(1 for v in by_day.values() if mean(v["min"]) >= TROPICAL_NIGHT),
                len(members),
                round(mean(globe_by_district[district]), 1)
                if globe_by_district[district]
                else None,
                round(mean(air_by_district[district]), 1) if air_by_district[district] else None,
            )
        )
    stations.sort(key=lambda s: (s.sensor.district, s.sensor.name))
    return Heat(days, reference, stations, districts)


@dataclass
class AirStation:
    sensor: Sensor
    days: int
    pm10_mean: float | None
    pm10_exceedances: int
    pm25_mean: float | None
    daily: list[tuple[dt.datetime, float | None, float | None]]

    @property
    def pm10_ok(self) -> bool:
        return self.pm10_exceedances <= PM10_ALLOWED_DAYS

    @property
    def pm25_ok(self) -> bool:
        return self.pm25_mean is None or self.pm25_mean <= PM25_ANNUAL_LIMIT


def air(sensors: list[Sensor], series: dict[str, dict[str, list[Any]]]) -> list[AirStation]:
    """Per station: daily means of PM10/PM2.5 in the year so far, days over the PM10 daily
    limit (50 µg/m³; 35 allowed per year) and the PM2.5 mean against the annual limit (25)."""
    result = []
    for sensor in sensors:
        data = series.get(sensor.id)
        if not data or "pm10" not in data:
            continue
        pm10 = {start: avg for start, avg, _l, _h in data.get("pm10", [])}
        pm25 = {start: avg for start, avg, _l, _h in data.get("pm25", [])}
        days = sorted(set(pm10) | set(pm25))
        result.append(
            AirStation(
                sensor,
                len(days),
                round(mean(pm10.values()), 1) if pm10 else None,
                sum(1 for v in pm10.values() if v > PM10_DAILY_LIMIT),
                round(mean(pm25.values()), 1) if pm25 else None,
                [(d, pm10.get(d), pm25.get(d)) for d in days],
            )
        )
    return sorted(result, key=lambda a: a.sensor.name)
