"""Live values for the app from the urban data platform (through ``dos.broker.client``):
environment readings per district and parking occupancy, the latest state of each entity."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from django.conf import settings
from django.http import HttpRequest

from dos.portal.tenancy.models import City

ENVIRONMENT_TYPES = (
    "AirQualityObserved",
    "WeatherObserved",
    "NoiseLevelObserved",
    "EnvironmentObserved",
)
PARKING_TYPES = ("OffStreetParking", "OnStreetParking")
SKIPPED = {"id", "type", "location", "name", "areaServed", "address", "dateObserved", "refDevice"}


class BrokerUnavailable(Exception):
    """The urban data platform could not be asked; the API answers 503."""


def _short(name: str) -> str:
    """An attribute name without its vocabulary (``…/default-context/no2`` → ``no2``)."""
    return name.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _value(attribute: Any) -> Any:
    if isinstance(attribute, dict):
        value = attribute.get("value")
        if isinstance(value, dict) and "@value" in value:
            return value["@value"]
        return value
    return attribute


def _entities(tenant: str, types: tuple[str, ...]) -> list[dict[str, Any]]:
    from dos.broker.client import BrokerClient

    async def query() -> list[dict[str, Any]]:
        client = BrokerClient.from_config(settings.CONFIG)
        try:
            return await client.query_entities(tenant=tenant, type=",".join(types), limit=1000)
        finally:
            await client.aclose()

    try:
        return async_to_sync(query)()
    except Exception as exc:  # network, broker or store failure: tell the app to retry
        raise BrokerUnavailable(f"{type(exc).__name__}: {exc}") from None


def _common(entity: dict[str, Any]) -> dict[str, Any]:
    attrs = {_short(k): v for k, v in entity.items()}
    location = attrs.get("location")
    coordinates = (
        _value(location).get("coordinates") if isinstance(_value(location), dict) else None
    )
    return {
        "id": entity["id"],
        "type": _short(entity["type"]),
        "name": _value(attrs.get("name")) or entity["id"].rsplit(":", 1)[-1],
        "district": _value(attrs.get("areaServed")),
        "observed_at": _value(attrs.get("dateObserved"))
        or _value(attrs.get("observationDateTime")),
        "longitude": coordinates[0] if coordinates else None,
        "latitude": coordinates[1] if coordinates else None,
    }


def environment(city: City, language: str, request: HttpRequest) -> list[dict[str, Any]]:
    """The latest reading of every environment sensor of the city, by district;
    ``?measure=no2`` keeps the sensors that measure it."""
    wanted = request.GET.get("measure")
    items = []
    for entity in _entities(city.tenant, ENVIRONMENT_TYPES):
        values = {}
        for name, attribute in entity.items():
            short = _short(name)
            value = _value(attribute)
            if short in SKIPPED or isinstance(value, bool) or not isinstance(value, int | float):
                continue
            values[short] = {
                "value": value,
                "unit": attribute.get("unitCode") if isinstance(attribute, dict) else None,
            }
        if wanted and wanted not in values:
            continue
        items.append({**_common(entity), "values": values})
    return sorted(items, key=lambda item: (str(item["district"] or ""), item["name"]))


def parking(city: City, language: str, request: HttpRequest) -> list[dict[str, Any]]:
    """Occupancy of the city's car parks: free and total spaces, share occupied."""
    items = []
    for entity in _entities(city.tenant, PARKING_TYPES):
        attrs = {_short(k): _value(v) for k, v in entity.items()}
        total, free = attrs.get("totalSpotNumber"), attrs.get("availableSpotNumber")
        occupancy = attrs.get("occupancy")
        if (
            occupancy is None
            and isinstance(total, int | float)
            and isinstance(free, int | float)
            and total
        ):
            occupancy = round(1 - free / total, 3)
        items.append(
            {
                **_common(entity),
                "available_spots": free,
                "total_spots": total,
                "occupancy": occupancy,
                "status": attrs.get("status"),
            }
        )
    return sorted(items, key=lambda item: str(item["name"]))
