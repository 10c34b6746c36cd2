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


#: Entities per broker query (the broker's maximum) and queries per answer at most.
PAGE = 1000
MAX_PAGES = 20


def _entities(
    tenant: str, types: tuple[str, ...], attrs: tuple[str, ...] | None = None
) -> list[dict[str, Any]]:
    """Every entity of ``types`` in ``tenant`` (page by page, at most
    :data:`MAX_PAGES` × :data:`PAGE`); ``attrs`` narrows what the broker sends."""
    from dos.broker.client import BrokerClient

    async def query() -> list[dict[str, Any]]:
        client = BrokerClient.from_config(settings.CONFIG)
        found: list[dict[str, Any]] = []
        try:
            for page in range(MAX_PAGES):
                batch = await client.query_entities(
                    tenant=tenant,
                    type=",".join(types),
                    attrs=attrs,
                    limit=PAGE,
                    offset=page * PAGE,
                )
                found.extend(batch)
                if len(batch) < PAGE:
                    break
        finally:
            await client.aclose()
        return found

    try:
        return async_to_sync(query)()
    except Exception as exc:  # network, broker or store failure: tell the app to retry
        raise BrokerUnavailable(f"{type(exc).__name__}: {exc}") from None


def _observed(attribute: Any) -> str | None:
    return attribute.get("observedAt") if isinstance(attribute, dict) else None


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
        # The entity's own date, else the latest observedAt of its readings.
        "observed_at": _value(attrs.get("dateObserved"))
        or _value(attrs.get("observationDateTime"))
        or max(filter(None, (_observed(v) for v in attrs.values())), default=None),
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
                "observed_at": _observed(attribute),
            }
        if wanted and wanted not in values:
            continue
        items.append({**_common(entity), "values": values})
    return sorted(items, key=lambda item: (str(item["district"] or ""), item["name"]))


def _free_spots(tenant: str) -> dict[str, tuple[int, int]]:
    """Car park id → (free, total) counted from its ``ParkingSpot`` entities (``status`` and
    ``refParkingSite``), for car parks that do not report ``availableSpotNumber`` themselves
    (the spots of the demo network report their own state)."""
    counts: dict[str, tuple[int, int]] = {}
    for spot in _entities(tenant, ("ParkingSpot",), ("status", "refParkingSite")):
        attrs = {_short(k): v for k, v in spot.items()}
        site = attrs.get("refParkingSite")
        park = site.get("object") or site.get("value") if isinstance(site, dict) else site
        if not isinstance(park, str):
            continue
        free, total = counts.get(park, (0, 0))
        status = _value(attrs.get("status"))
        counts[park] = (free + (status == "free"), total + (status in ("free", "occupied")))
    return counts


def parking(city: City, language: str, request: HttpRequest) -> list[dict[str, Any]]:
    """Occupancy of the city's car parks: free and total spaces, share occupied (reported by
    the car park, else counted from its parking spots)."""
    items = []
    spots: dict[str, tuple[int, int]] | None = None
    for entity in _entities(city.tenant, PARKING_TYPES):
        attrs = {_short(k): _value(v) for k, v in entity.items()}
        total, free = attrs.get("totalSpotNumber"), attrs.get("availableSpotNumber")
        occupancy = attrs.get("occupancy")
        if free is None:
            if spots is None:
                spots = _free_spots(city.tenant)
            counted = spots.get(entity["id"])
            if counted is not None and counted[1]:
                free = counted[0]
                # Occupancy among the spots that report a state.
                occupancy = round(1 - counted[0] / counted[1], 3)
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
