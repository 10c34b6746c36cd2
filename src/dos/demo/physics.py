"""Physically plausible measurements for the demo sensors, as pure functions of time.

Every value is a deterministic function of (seed, station, time), so a backfill of the past and
the live simulator produce one consistent series, and a seed makes a run reproducible.

- Temperature: a seasonal cycle (coldest around 20 January), a daily cycle (minimum near
  sunrise, maximum mid-afternoon, larger in summer and on clear days), day-to-day weather
  anomalies shared by the region, and an urban heat island that grows with built-up density
  and is stronger at night.
- Relative humidity from a dew point that follows the day's weather (Magnus formula), so it
  falls as the temperature rises.
- Black-globe temperature: air temperature plus sunshine on the globe.
- Fine dust: a background that is higher in winter (heating) and in calm weather, plus traffic
  peaks at traffic sites; PM2.5 a share of PM10.
- Parking: occupancy probability by hour, weekday and kind of car park.
- Tree moisture: rises after rain and dries out faster when it is hot.
"""

from __future__ import annotations

import functools
import hashlib
import math
from datetime import UTC, datetime, timedelta

from dos.demo.network import Station

EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def _unit(seed: int, *key: object) -> float:
    """A reproducible pseudo-random number in [0, 1) for ``key``."""
    digest = hashlib.blake2b(repr((seed, *key)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _gauss(seed: int, *key: object) -> float:
    """A reproducible standard normal number (Box–Muller)."""
    u1 = max(_unit(seed, *key, "a"), 1e-12)
    u2 = _unit(seed, *key, "b")
    return math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)


def _smooth(seed: int, name: str, hours: float, period_hours: float) -> float:
    """Smooth noise (≈ standard normal) varying over ``period_hours``: cosine-interpolated knots."""
    x = hours / period_hours
    i = math.floor(x)
    f = (1 - math.cos((x - i) * math.pi)) / 2
    return _gauss(seed, name, i) * (1 - f) + _gauss(seed, name, i + 1) * f


def _hours(t: datetime) -> float:
    return (t - EPOCH).total_seconds() / 3600


def _local_hour(t: datetime) -> float:
    """Solar-ish local hour in Germany (UTC+1 as a fixed offset keeps the cycle smooth)."""
    local = t + timedelta(hours=1)
    return local.hour + local.minute / 60 + local.second / 3600


def _day_of_year(t: datetime) -> float:
    return t.timetuple().tm_yday + _local_hour(t) / 24


class Climate:
    """The region's weather for one seed."""

    def __init__(self, seed: int = 2030) -> None:
        self.seed = seed
        # region-wide values depend on the time only: computed once per time (the backfill and
        # tree moisture ask for the same hours again and again)
        for name in ("cloudiness", "wind_speed", "rain", "background_temperature", "dew_point"):
            setattr(self, name, functools.lru_cache(maxsize=1 << 16)(getattr(self, name)))

    # -- region-wide weather --------------------------------------------------------------
    def cloudiness(self, t: datetime) -> float:
        """0 clear … 1 overcast, changing over about a day."""
        return min(1.0, max(0.0, 0.55 + 0.3 * _smooth(self.seed, "cloud", _hours(t), 20)))

    def wind_speed(self, t: datetime) -> float:
        """m/s at 10 m, changing over hours; calmer at night."""
        night = 0.7 if not 8 <= _local_hour(t) <= 19 else 1.0
        return round(max(0.2, (3.2 + 1.8 * _smooth(self.seed, "wind", _hours(t), 9)) * night), 1)

    def rain(self, t: datetime) -> float:
        """Precipitation in mm per hour; rain spells are likelier in autumn and winter."""
        doy = _day_of_year(t)
        chance = 0.09 + 0.04 * math.cos(2 * math.pi * (doy - 330) / 365)
        hour = math.floor(_hours(t))
        spell = _smooth(self.seed, "rainspell", _hours(t), 30)
        if spell < 0.2 or _unit(self.seed, "rain", hour) > chance * (1 + spell):
            return 0.0
        return round(0.2 + 3.0 * _unit(self.seed, "rainamount", hour) ** 2, 1)

    def background_temperature(self, t: datetime) -> float:
        """Rural air temperature in °C (no heat island)."""
        doy = _day_of_year(t)
        seasonal = 10.5 - 8.5 * math.cos(2 * math.pi * (doy - 20) / 365)
        clouds = self.cloudiness(t)
        summer = 0.5 - 0.5 * math.cos(2 * math.pi * (doy - 20) / 365)  # 0 winter … 1 summer
        amplitude = (2.5 + 4.0 * summer) * (1.2 - 0.7 * clouds)
        hour = _local_hour(t)
        daily = -math.cos(2 * math.pi * (hour - 3.0) / 24)  # min ~03:00–05:00, max ~15:00
        anomaly = 3.0 * _smooth(self.seed, "temp", _hours(t), 72)
        return seasonal + amplitude * daily + anomaly

    def is_night(self, t: datetime) -> float:
        """1 at night, 0 by day, smooth around dawn and dusk."""
        return (1 + math.cos(2 * math.pi * (_local_hour(t) - 1.5) / 24)) / 2

    # -- per station --------------------------------------------------------------------
    def heat_island(self, station: Station, t: datetime) -> float:
        """Extra warmth in K from built-up density; up to ~4 K in the core on calm nights."""
        calm = 1.3 - min(self.wind_speed(t), 6) / 10
        return station.urbanity * (0.8 + 2.4 * self.is_night(t)) * calm

    def temperature(self, station: Station, t: datetime) -> float:
        noise = 0.15 * _gauss(self.seed, station.device_id, "t", math.floor(_hours(t) * 12))
        return round(self.background_temperature(t) + self.heat_island(station, t) + noise, 2)

    def dew_point(self, t: datetime) -> float:
        doy = _day_of_year(t)
        seasonal = 5.5 - 6.0 * math.cos(2 * math.pi * (doy - 25) / 365)
        return seasonal + 2.0 * _smooth(self.seed, "dew", _hours(t), 60)

    def relative_humidity(self, station: Station, t: datetime) -> float:
        temp = self.temperature(station, t)
        dew = min(self.dew_point(t), temp)
        if self.rain(t) > 0:
            dew = temp - 0.3
        # Magnus formula: RH = 100 * exp(17.62 Td/(243.12+Td)) / exp(17.62 T/(243.12+T))
        rh = 100 * math.exp(17.62 * dew / (243.12 + dew) - 17.62 * temp / (243.12 + temp))
        return round(min(100.0, max(5.0, rh)), 1)

    def black_globe_temperature(self, station: Station, t: datetime) -> float:
        doy = _day_of_year(t)
        sun_height = max(0.0, math.sin(math.pi * (_local_hour(t) - 6) / 14))
        season = 0.55 - 0.45 * math.cos(2 * math.pi * (doy - 172 + 182) / 365)
        sun = 11.0 * sun_height * season * (1 - 0.8 * self.cloudiness(t))
        return round(self.temperature(station, t) + sun, 2)

    def pressure(self, t: datetime) -> float:
        return round(1013.0 + 9.0 * _smooth(self.seed, "pressure", _hours(t), 80), 1)

    def pm10(self, station: Station, t: datetime) -> float:
        doy = _day_of_year(t)
        heating = 1 + 0.35 * math.cos(2 * math.pi * (doy - 15) / 365)
        calm = 1.8 - min(self.wind_speed(t), 8) / 8
        washout = 0.55 if self.rain(t) > 0 else 1.0
        hour = _local_hour(t)
        weekday = (t + timedelta(hours=1)).weekday() < 5
        rush = math.exp(-((hour - 8) ** 2) / 3) + 0.8 * math.exp(-((hour - 17.5) ** 2) / 4)
        traffic = (9.0 * rush * (1.0 if weekday else 0.4)) if station.traffic else 0.0
        background = 11.0 + 3.0 * _smooth(self.seed, "pm", _hours(t), 48)
        noise = 1.2 * _gauss(self.seed, station.device_id, "pm", math.floor(_hours(t) * 12))
        return round(max(2.0, (background * heating * calm + traffic) * washout + noise), 1)

    def pm25(self, station: Station, t: datetime) -> float:
        share = 0.62 + 0.08 * _smooth(self.seed, station.device_id, _hours(t), 24)
        return round(max(1.0, self.pm10(station, t) * share), 1)

    def tree_moisture(self, station: Station, t: datetime) -> float:
        """Crown/soil moisture in % of field capacity: rises with rain, dries with heat."""
        level = 55.0
        start = t - timedelta(days=12)
        step = timedelta(hours=3)
        shade = 0.8 + 0.4 * _unit(self.seed, station.device_id, "shade")
        moment = start
        while moment <= t:
            rain = self.rain(moment) * 3  # three hours of rain at that rate
            heat = max(0.0, self.background_temperature(moment) - 5) / 20
            level += rain * 4.0 - (0.35 + 1.1 * heat) * shade
            level = min(100.0, max(8.0, level))
            moment += step
        return round(level, 1)

    def parking_occupied(self, station: Station, t: datetime) -> bool:
        """Whether the spot is taken during the 15-minute slot containing ``t``."""
        local = t + timedelta(hours=1)
        hour = local.hour + local.minute / 60
        weekday = local.weekday()
        kind = str(station.static.get("carParkKind", "shopping"))
        if kind == "park_and_ride":
            peak = 0.9 if weekday < 5 else 0.3
            p = 0.08 + peak * _plateau(hour, 6.5, 18.5)
        elif kind == "shopping":
            peak = {5: 0.95, 6: 0.15}.get(weekday, 0.7)
            p = 0.05 + peak * _plateau(hour, 9.5, 19.5)
        else:
            summer = 0.5 - 0.5 * math.cos(2 * math.pi * (_day_of_year(t) - 20) / 365)
            peak = (0.45 + 0.45 * summer) * (1.2 if weekday >= 5 else 0.8)
            p = 0.05 + peak * _plateau(hour, 10, 20)
        if "forDisabled" in station.static.get("category", []):  # type: ignore[operator]
            p *= 0.6
        slot = math.floor(_hours(t) * 4)
        # Cars stay about an hour: the draw changes every four slots, offset per spot.
        offset = int(_unit(self.seed, station.device_id, "offset") * 4)
        return _unit(self.seed, station.device_id, "park", (slot + offset) // 4) < min(p, 0.98)

    def measure(self, station: Station, t: datetime) -> dict[str, object]:
        """The payload a device sends at ``t``, keyed by its object ids."""
        values: dict[str, object] = {}
        for object_id, (name, _unit_code) in station.attributes.items():
            values[object_id] = self._value(name, station, t)
        return values

    def _value(self, name: str, station: Station, t: datetime) -> object:
        if name == "temperature":
            return self.temperature(station, t)
        if name == "relativeHumidity":
            return self.relative_humidity(station, t)
        if name == "blackGlobeTemperature":
            return self.black_globe_temperature(station, t)
        if name == "pm10":
            return self.pm10(station, t)
        if name == "pm25":
            return self.pm25(station, t)
        if name == "atmosphericPressure":
            return self.pressure(t)
        if name == "precipitation":
            return self.rain(t)
        if name == "windSpeed":
            return self.wind_speed(t)
        if name == "soilMoisture":
            return self.tree_moisture(station, t)
        if name == "status":
            return "occupied" if self.parking_occupied(station, t) else "free"
        raise KeyError(f"no model for attribute {name}")


def _plateau(hour: float, start: float, end: float) -> float:
    """≈1 between ``start`` and ``end``, ramping over an hour on each side."""
    rise = 1 / (1 + math.exp(-(hour - start) * 3))
    fall = 1 / (1 + math.exp((hour - end) * 3))
    return rise * fall
