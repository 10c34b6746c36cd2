"""Demo step: the sensor network, provisioned as devices, with a backfill of recent history.

1. Service groups per city and kind (API key ``<city>-<kind>``, tenant = the city's slug) and
   one device per station of :func:`dos.demo.network.build_network`, through the real
   provisioning API ``/iot/services`` and ``/iot/devices``. Changed devices are updated.
2. The car parks of Schwerte as ``OffStreetParking`` entities.
3. A backfill of the last :data:`BACKFILL_DAYS` days in hourly steps through the NGSI-LD
   batch upsert (chunks of ~1000 entities, ``observedAt`` on every value, time order). Each
   station continues after its latest stored value, so running it again adds nothing twice.

The API keys are public demo keys; a real deployment provisions its own.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson

from dos.broker.ingest import registry
from dos.demo.network import CAR_PARKS, Station, build_network
from dos.demo.physics import Climate
from dos.demo.progress import Progress

BACKFILL_DAYS = 7  # `dos demo --days N` changes it
STEP = timedelta(hours=1)
CHUNK = 1000
SEED = 2030
TEXT_ATTRIBUTES = {"status"}


def apikey_of(station: Station) -> str:
    """The service group (API key) a station's device belongs to."""
    return f"{station.city}-{station.kind.replace('_', '-')}"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


def _static_attributes(station: Station) -> list[dict[str, Any]]:
    statics: list[dict[str, Any]] = [
        {
            "name": "location",
            "type": "geo:json",
            "value": {"type": "Point", "coordinates": [station.lon, station.lat]},
        },
        {"name": "areaServed", "type": "Text", "value": station.district},
    ]
    for name, value in station.static.items():
        kind = "Relationship" if name.startswith("ref") else "Property"
        statics.append({"name": name, "type": kind, "value": value})
    return statics


def device_of(station: Station) -> dict[str, Any]:
    """The provisioning JSON of a station's device."""
    attributes = []
    for object_id, (name, unit) in station.attributes.items():
        attr = {
            "object_id": object_id,
            "name": name,
            "type": "Text" if name in TEXT_ATTRIBUTES else "Number",
        }
        if unit:
            attr["unitCode"] = unit
        attributes.append(attr)
    return {
        "device_id": station.device_id,
        "apikey": apikey_of(station),
        "entity_name": station.entity_id,
        "entity_type": station.entity_type,
        "protocol": "IoTA-JSON",
        "transport": "MQTT",
        "timezone": "Europe/Berlin",
        "attributes": attributes,
        "static_attributes": _static_attributes(station),
    }


def entity_statics(station: Station) -> dict[str, Any]:
    """The static attributes of a station's entity, as NGSI-LD (what its device adds)."""
    result: dict[str, Any] = {}
    for static in _static_attributes(station):
        if static["type"] == "geo:json":
            result[static["name"]] = {"type": "GeoProperty", "value": static["value"]}
        elif static["type"] == "Relationship":
            result[static["name"]] = {"type": "Relationship", "object": static["value"]}
        else:
            result[static["name"]] = {"type": "Property", "value": static["value"]}
    return result


def measured(station: Station, values: dict[str, object], observed: str) -> dict[str, Any]:
    """NGSI-LD attributes of one measure (the same mapping the ingestion applies)."""
    attrs: dict[str, Any] = {}
    for object_id, value in values.items():
        name, unit = station.attributes[object_id]
        attr: dict[str, Any] = {"type": "Property", "value": value, "observedAt": observed}
        if unit:
            attr["unitCode"] = unit
        attrs[name] = attr
    return attrs


def broker_http(config: Any) -> httpx.AsyncClient:
    """HTTP to the broker root: ``DOS_BROKER_URL`` with its token, else this process's broker."""
    if config.BROKER_URL:
        headers = {"Authorization": f"Bearer {config.BROKER_TOKEN}"} if config.BROKER_TOKEN else {}
        return httpx.AsyncClient(
            base_url=str(config.BROKER_URL).rstrip("/"), headers=headers, timeout=60
        )
    from dos.broker.app import current_app
    from dos.broker.client import _trusted

    transport = httpx.ASGITransport(app=_trusted(current_app(config)))
    return httpx.AsyncClient(transport=transport, base_url="http://broker.internal", timeout=60)


def _check(response: httpx.Response, what: str) -> None:
    if response.status_code >= 400:
        raise RuntimeError(f"{what}: {response.status_code} {response.text[:300]}")


async def provision(http: httpx.AsyncClient, stations: list[Station]) -> int:
    """Service groups and devices of ``stations``; returns the number of new devices."""
    created = 0
    for city in sorted({s.city for s in stations}):
        headers = {"fiware-service": city, "Content-Type": "application/json"}
        mine = [s for s in stations if s.city == city]
        groups: dict[str, Station] = {}
        for station in mine:
            groups.setdefault(apikey_of(station), station)
        for apikey, station in groups.items():
            group = {"apikey": apikey, "entity_type": station.entity_type, "resource": "/iot/json"}
            response = await http.post(
                "/iot/services", content=orjson.dumps({"services": [group]}), headers=headers
            )
            if response.status_code == 409:
                response = await http.put(
                    "/iot/services",
                    params={"apikey": apikey, "resource": "/iot/json"},
                    content=orjson.dumps(group),
                    headers=headers,
                )
            _check(response, f"service group {apikey}")
        existing: dict[str, dict[str, Any]] = {}
        offset = 0
        while True:
            page = await http.get(
                "/iot/devices", params={"limit": 1000, "offset": offset}, headers=headers
            )
            _check(page, "device list")
            devices = page.json()["devices"]
            existing.update({d["device_id"]: d for d in devices})
            offset += len(devices)
            if not devices or offset >= page.json()["count"]:
                break
        new = [device_of(s) for s in mine if s.device_id not in existing]
        for start in range(0, len(new), 200):
            body = {"devices": new[start : start + 200]}
            response = await http.post("/iot/devices", content=orjson.dumps(body), headers=headers)
            _check(response, "devices")
        created += len(new)
        for station in mine:
            stored = existing.get(station.device_id)
            if stored is not None and stored != registry.device_from(device_of(station)):
                response = await http.put(
                    f"/iot/devices/{station.device_id}",
                    content=orjson.dumps(device_of(station)),
                    headers=headers,
                )
                _check(response, f"device {station.device_id}")
    return created


def car_parks() -> list[dict[str, Any]]:
    """The car parks of Schwerte as OffStreetParking entities."""
    result = []
    for number, (name, kind, spots, disabled, centre) in enumerate(CAR_PARKS, start=1):
        result.append(
            {
                "id": f"urn:ngsi-ld:OffStreetParking:schwerte-{number}",
                "type": "OffStreetParking",
                "name": {"type": "Property", "value": name},
                "category": {"type": "Property", "value": [kind]},
                "totalSpotNumber": {"type": "Property", "value": spots + disabled},
                "location": {
                    "type": "GeoProperty",
                    "value": {"type": "Point", "coordinates": [centre[1], centre[0]]},
                },
            }
        )
    return result


async def _latest(http: httpx.AsyncClient, city: str, stations: list[Station]) -> dict[str, str]:
    """The latest observedAt stored per entity id of ``stations`` (absent: none yet)."""
    latest: dict[str, str] = {}
    types = sorted({s.entity_type for s in stations})
    headers = {"NGSILD-Tenant": city}
    for entity_type in types:
        names = sorted(
            {a[0] for s in stations if s.entity_type == entity_type for a in s.attributes.values()}
        )
        offset = 0
        while True:
            response = await http.get(
                "/ngsi-ld/v1/entities",
                params={
                    "type": entity_type,
                    "limit": 1000,
                    "offset": offset,
                    "attrs": ",".join(names),
                },
                headers=headers,
            )
            if response.status_code == 404:  # the tenant has no entity yet
                break
            _check(response, "entity query")
            page = response.json()
            for entity in page:
                stamps = [
                    v.get("observedAt", "")
                    for k, v in entity.items()
                    if isinstance(v, dict) and k in names
                ]
                if stamps:
                    latest[entity["id"]] = min(stamps)
            offset += len(page)
            if len(page) < 1000:
                break
    return latest


def hours(days: int, end: datetime) -> list[datetime]:
    """Hourly times from ``days`` before ``end`` (rounded down to the hour) up to it."""
    last = end.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    count = days * 24
    return [last - STEP * (count - n) for n in range(count + 1)]


async def backfill(
    http: httpx.AsyncClient,
    stations: list[Station],
    days: int,
    *,
    end: datetime | None = None,
    seed: int = SEED,
    progress: bool = True,
) -> int:
    """Write hourly values of the last ``days`` days; returns the number of entity writes."""
    climate = Climate(seed)
    times = hours(days, end or datetime.now(UTC))
    written = 0
    for city in sorted({s.city for s in stations}):
        mine = [s for s in stations if s.city == city]
        latest = await _latest(http, city, mine)
        headers = {"NGSILD-Tenant": city, "Content-Type": "application/json"}

        pending = list(_rows(mine, latest, times, climate))
        total = len(pending)
        stream = None if progress else io.StringIO()
        with Progress(f"{city}: history of {days} days", total, stream=stream) as bar:
            chunk: list[dict[str, Any]] = []
            for entity in pending:
                chunk.append(entity)
                if len(chunk) >= CHUNK:
                    await _upsert(http, chunk, headers)
                    written += len(chunk)
                    bar.advance(len(chunk))
                    chunk = []
            if chunk:
                await _upsert(http, chunk, headers)
                written += len(chunk)
                bar.advance(len(chunk))
    return written


def _rows(
    stations: list[Station], latest: dict[str, str], times: list[datetime], climate: Climate
) -> Iterable[dict[str, Any]]:
    """The entity writes of the backfill in time order, after each station's latest value.

    Parking spots change state rarely: a spot is written only when its status changed (its
    history is a change log), which keeps ``dos demo`` fast.
    """
    previous: dict[str, dict[str, object]] = {}
    for station in stations:
        last = latest.get(station.entity_id)
        if last and station.kind == "parking":
            moment = datetime.fromisoformat(last.replace("Z", "+00:00"))
            previous[station.entity_id] = climate.measure(station, moment)
    for moment in times:
        observed = iso(moment)
        for station in stations:
            last = latest.get(station.entity_id)
            if last is not None and last >= observed:
                continue
            values = climate.measure(station, moment)
            if station.kind == "parking":
                if previous.get(station.entity_id) == values:
                    continue
                previous[station.entity_id] = values
            entity = {"id": station.entity_id, "type": station.entity_type}
            if last is None:
                entity.update(entity_statics(station))  # statics only with the first write
                latest[station.entity_id] = ""
            entity.update(measured(station, values, observed))
            yield entity


async def _upsert(http: httpx.AsyncClient, chunk: list[dict[str, Any]], headers: Any) -> None:
    response = await http.post(
        "/ngsi-ld/v1/entityOperations/upsert",
        params={"options": "update"},
        content=orjson.dumps(chunk),
        headers=headers,
    )
    _check(response, "batch upsert")


async def _live_map(http: httpx.AsyncClient, tenants: list[str], *, active: bool) -> None:
    """Pause (or resume) the portal's live-map subscriptions: the map needs no notification
    for each hour of the backfill, only for what happens from now on. A tenant without the
    subscription yet is left alone."""
    from dos.portal.dashboards.feed import subscription_id

    for tenant in tenants:
        response = await http.patch(
            f"/ngsi-ld/v1/subscriptions/{subscription_id(tenant)}",
            content=orjson.dumps({"isActive": active}),
            headers={"NGSILD-Tenant": tenant, "Content-Type": "application/json"},
        )
        if response.status_code != 404:
            _check(response, "live map subscription")


async def load_async(
    config: Any,
    say: Callable[[str], None],
    *,
    stations: list[Station] | None = None,
    days: int | None = None,
    progress: bool = True,
    http: httpx.AsyncClient | None = None,
) -> None:
    """Provision ``stations`` (default: the whole network) and backfill their history."""
    stations = build_network(SEED) if stations is None else stations
    days = BACKFILL_DAYS if days is None else days
    async with http or broker_http(config) as http:
        created = await provision(http, stations)
        say(f"sensors: {len(stations)} devices provisioned ({created} new)")
        if any(s.kind == "parking" for s in stations):
            await _upsert(
                http, car_parks(), {"NGSILD-Tenant": "schwerte", "Content-Type": "application/json"}
            )
        tenants = sorted({s.city for s in stations})
        await _live_map(http, tenants, active=False)
        try:
            written = await backfill(http, stations, days, progress=progress)
        finally:
            await _live_map(http, tenants, active=True)
        say(f"sensors: {written} hourly values of the last {days} days written")


def load(say: Callable[[str], None]) -> None:
    """Demo step: provision the sensor network and backfill its recent history."""
    from dos.config import load as load_config

    asyncio.run(load_async(load_config(), say))
