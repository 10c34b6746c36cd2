"""Reading the sensors of a city from the broker: one :class:`Sensor` per NGSI-LD entity.

Entity types and attributes follow the FIWARE Smart Data Models the demo network feeds
(:mod:`dos.demo.network`): WeatherObserved, AirQualityObserved, GreenspaceRecord, ParkingSpot.
A sensor's district is the nearest district centre of its city.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dos.broker.client import BrokerClient
from dos.demo.network import DISTRICTS, urbanity_at

PAGE = 1000


@dataclass(frozen=True)
class Layer:
    """What the map colours: one attribute of one or more entity types."""

    key: str
    label: Any
    types: tuple[str, ...]
    attribute: str
    unit: str
    low: float
    high: float
    categorical: bool = False


LAYERS = [
    Layer("temperature", _("Air temperature"), ("WeatherObserved",), "temperature", "°C", -5, 35),
    Layer(
        "pm10",
        _("Fine dust PM10"),
        ("AirQualityObserved", "WeatherObserved"),
        "pm10",
        "µg/m³",
        0,
        60,
    ),
    Layer("moisture", _("Tree moisture"), ("GreenspaceRecord",), "soilMoisture", "%", 0, 100),
    Layer("parking", _("Parking spaces"), ("ParkingSpot",), "status", "", 0, 1, True),
]
LAYER_BY_KEY = {layer.key: layer for layer in LAYERS}
TYPES = ("WeatherObserved", "AirQualityObserved", "GreenspaceRecord", "ParkingSpot")
#: The attribute shown as a sensor's value in the table, by entity type.
MAIN_ATTRIBUTE = {
    "WeatherObserved": "temperature",
    "AirQualityObserved": "pm10",
    "GreenspaceRecord": "soilMoisture",
    "ParkingSpot": "status",
}
UNITS = {
    "temperature": "°C",
    "blackGlobeTemperature": "°C",
    "relativeHumidity": "%",
    "pm10": "µg/m³",
    "pm25": "µg/m³",
    "soilMoisture": "%",
    "atmosphericPressure": "hPa",
    "precipitation": "mm",
    "windSpeed": "m/s",
}


@dataclass
class Sensor:
    """One sensor entity with its position and current attribute values."""

    id: str
    type: str
    city: str
    name: str
    lat: float
    lon: float
    district: str
    urbanity: float
    values: dict[str, Any]
    observed: dt.datetime | None
    static: dict[str, Any]

    def value(self, attribute: str) -> Any:
        return self.values.get(attribute)


def now() -> dt.datetime:
    """The current time (one place, so tests can fix it)."""
    from django.utils import timezone

    return timezone.now()


def client() -> BrokerClient:
    """The portal's NGSI-LD client (in-process broker or ``DOS_BROKER_URL``)."""
    return BrokerClient.from_config(settings.CONFIG)


def run(work: Any) -> Any:
    """Run ``work(client)`` (a coroutine function) with a fresh client, from sync code."""

    async def go() -> Any:
        broker = client()
        try:
            return await work(broker)
        finally:
            await broker.aclose()

    return async_to_sync(go)()


def _plain(attribute: Any) -> Any:
    if isinstance(attribute, dict):
        if attribute.get("type") == "Relationship":
            return attribute.get("object")
        return attribute.get("value", attribute.get("@value"))
    return attribute


def parse_time(stamp: Any) -> dt.datetime | None:
    if not isinstance(stamp, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def nearest_district(city: str, lat: float, lon: float) -> str:
    centres = DISTRICTS.get(city, {})
    if not centres:
        return ""
    scale = math.cos(math.radians(lat))
    return min(
        centres,
        key=lambda name: (centres[name][0] - lat) ** 2 + ((centres[name][1] - lon) * scale) ** 2,
    )


def to_sensor(entity: dict[str, Any], city: str) -> Sensor | None:
    """The sensor of an entity in normalised form; None when it has no point location."""
    location = _plain(entity.get("location"))
    if not isinstance(location, dict) or location.get("type") != "Point":
        return None
    try:
        lon, lat = float(location["coordinates"][0]), float(location["coordinates"][1])
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    values: dict[str, Any] = {}
    static: dict[str, Any] = {}
    observed: dt.datetime | None = None
    for name, attribute in entity.items():
        if name in ("id", "type", "location", "@context"):
            continue
        value = _plain(attribute)
        if isinstance(attribute, dict) and attribute.get("observedAt"):
            values[name] = value
            stamp = parse_time(attribute["observedAt"])
            if stamp and (observed is None or stamp > observed):
                observed = stamp
        elif name in MAIN_ATTRIBUTE.values() or name in UNITS:
            values[name] = value
        else:
            static[name] = value
    district = static.get("district")
    if not isinstance(district, str) or not district:
        district = nearest_district(city, lat, lon)
    name = static.get("name")
    return Sensor(
        id=entity["id"],
        type=entity["type"] if isinstance(entity["type"], str) else entity["type"][0],
        city=city,
        name=name if isinstance(name, str) else entity["id"],
        lat=lat,
        lon=lon,
        district=district,
        urbanity=urbanity_at(city, (lat, lon)) if city in DISTRICTS else 0.0,
        values=values,
        observed=observed,
        static=static,
    )


async def fetch(broker: BrokerClient, tenant: str, types: tuple[str, ...] = TYPES) -> list[Sensor]:
    """Every sensor of ``types`` in the tenant: one query for all types (a comma-separated
    ``type``, ETSI GS CIM 009 §4.17), paging through the broker's results."""
    found: list[Sensor] = []
    offset = 0
    while True:
        page = await broker.query_entities(
            tenant=tenant, type=",".join(types), limit=PAGE, offset=offset
        )
        for entity in page:
            sensor = to_sensor(entity, tenant)
            if sensor is not None:
                found.append(sensor)
        if len(page) < PAGE:
            return found
        offset += PAGE


def sensors_of(tenants: list[str], types: tuple[str, ...] = TYPES) -> list[Sensor]:
    """The sensors of several tenants (synchronous, for views)."""

    async def work(broker: BrokerClient) -> list[Sensor]:
        result: list[Sensor] = []
        for tenant in tenants:
            result.extend(await fetch(broker, tenant, types))
        return result

    found: list[Sensor] = run(work)
    return found


def entity_of(tenant: str, entity_id: str) -> Sensor | None:
    async def work(broker: BrokerClient) -> dict[str, Any] | None:
        return await broker.get_entity(entity_id, tenant=tenant)

    entity = run(work)
    return to_sensor(entity, tenant) if entity else None
