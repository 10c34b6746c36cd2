"""Live KPIs: compute a KPI's declared query from the urban data platform, and publish KPIs
as NGSI-LD ``KeyPerformanceIndicator`` entities (Smart Data Model, dataModel.KeyPerformanceIndicator).

Both talk to the broker through the client of :mod:`dos.broker.client` (any object with its
coroutines ``query_entities`` and ``upsert_entities``). The broker offers the current state of
entities; aggregations therefore run over the entities' current values whose observation time
(``observedAt`` of the attribute, else ``dateObserved``) falls in the KPI's period. Counting
days above a threshold needs a time series (the NGSI-LD temporal API) and is refused with
:class:`LiveUnavailable` until the broker offers it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from asgiref.sync import async_to_sync
from django.utils import timezone

from dos.portal.strategy.models import Aggregation, Kpi, Period, Source

PAGE = 1000


class LiveUnavailable(Exception):
    """The KPI's query cannot be computed from the data the broker offers."""


def tenants_of(kpi: Kpi) -> list[str]:
    """The NGSI-LD tenants a KPI reads: its city, else its project's cities, else all."""
    from dos.portal.tenancy.models import City

    if kpi.city_id:
        return [kpi.city.tenant]
    cities = list(kpi.project.cities.all()) or list(City.objects.all())
    return [c.tenant for c in cities]


def period_start(period: str, now: dt.datetime) -> dt.datetime | None:
    """The beginning of the KPI's period before ``now`` (``None``: all time)."""
    if period == Period.DAY:
        return now - dt.timedelta(days=1)
    if period == Period.WEEK:
        return now - dt.timedelta(days=7)
    if period == Period.MONTH:
        return now - dt.timedelta(days=30)
    if period == Period.YEAR:
        return now.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    return None


def _attribute(entity: dict[str, Any], name: str) -> Any:
    """The attribute by its short name, also when the broker answered with expanded names."""
    if name in entity:
        return entity[name]
    for key, value in entity.items():
        if key.endswith(("/" + name, "#" + name)):
            return value
    return None


def _observed(entity: dict[str, Any], attribute: Any) -> dt.datetime | None:
    stamp = attribute.get("observedAt") if isinstance(attribute, dict) else None
    if stamp is None:
        observed = _attribute(entity, "dateObserved")
        stamp = observed.get("value") if isinstance(observed, dict) else observed
        if isinstance(stamp, dict):  # {"@type": "DateTime", "@value": ...}
            stamp = stamp.get("@value")
    if not isinstance(stamp, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def aggregate(kpi: Kpi, entities: list[dict[str, Any]], now: dt.datetime) -> Decimal | None:
    """Apply the KPI's aggregation to the entities' values in its period."""
    if kpi.aggregation == Aggregation.DAYS_ABOVE:
        raise LiveUnavailable("counting days needs the NGSI-LD temporal API")
    start = period_start(kpi.period, now)
    if kpi.aggregation == Aggregation.COUNT:
        return Decimal(len(entities))
    values: list[Decimal] = []
    for entity in entities:
        attribute = _attribute(entity, kpi.attribute)
        value = attribute.get("value") if isinstance(attribute, dict) else attribute
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        observed = _observed(entity, attribute)
        if start is not None and observed is not None and not start <= observed <= now:
            continue
        values.append(Decimal(str(value)))
    if not values:
        return None
    if kpi.aggregation == Aggregation.MIN:
        result = min(values)
    elif kpi.aggregation == Aggregation.MAX:
        result = max(values)
    elif kpi.aggregation == Aggregation.SUM:
        result = sum(values, Decimal(0))
    else:  # latest values and average: the mean over the entities
        result = sum(values, Decimal(0)) / len(values)
    return result.quantize(Decimal("0.0001"))


async def _fetch(client: Any, kpi: Kpi, tenants: list[str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    attrs = [kpi.attribute, "dateObserved"] if kpi.aggregation != Aggregation.COUNT else None
    for tenant in tenants:
        offset = 0
        while True:
            page = await client.query_entities(
                tenant=tenant, type=kpi.entity_type, attrs=attrs, limit=PAGE, offset=offset
            )
            found.extend(page)
            if len(page) < PAGE:
                break
            offset += PAGE
    return found


def compute(kpi: Kpi, client: Any, now: dt.datetime | None = None) -> Decimal | None:
    """The current value of a live KPI (``None`` when no entity has a value in the period)."""
    if kpi.source != Source.LIVE:
        raise LiveUnavailable("the KPI's values are entered by editors")
    if kpi.aggregation == Aggregation.DAYS_ABOVE:
        raise LiveUnavailable("counting days needs the NGSI-LD temporal API")
    entities = async_to_sync(_fetch)(client, kpi, tenants_of(kpi))
    return aggregate(kpi, entities, now or timezone.now())


def kpi_entity(kpi: Kpi) -> dict[str, Any]:
    """The KPI as an NGSI-LD ``KeyPerformanceIndicator`` entity (normalised form)."""
    values = list(kpi.values.all())
    latest = values[-1] if values else None
    entity: dict[str, Any] = {
        "id": f"urn:ngsi-ld:KeyPerformanceIndicator:dos-strategy-{kpi.pk}",
        "type": "KeyPerformanceIndicator",
        "name": {"type": "Property", "value": kpi.name},
        "description": {"type": "Property", "value": kpi.description or kpi.name},
        "category": {"type": "Property", "value": ["quantitative", kpi.kind]},
        "process": {"type": "Property", "value": f"{kpi.project.code} {kpi.project.title}"},
        "organization": {"type": "Property", "value": kpi.project.lead_department or "DOS"},
    }
    if latest is not None:
        entity["kpiValue"] = {
            "type": "Property",
            "value": float(latest.value),
            "observedAt": dt.datetime.combine(latest.date, dt.time(), dt.UTC)
            .isoformat()
            .replace("+00:00", "Z"),
        }
        entity["calculationPeriod"] = {
            "type": "Property",
            "value": {"from": values[0].date.isoformat(), "to": latest.date.isoformat()},
        }
    if kpi.unit:
        entity["kpiValue" if latest else "description"].setdefault("unitText", kpi.unit)
    if kpi.target is not None:
        entity["kpiTarget"] = {"type": "Property", "value": float(kpi.target)}
    return entity


def publish(kpis: list[Kpi], client: Any) -> int:
    """Upsert the KPIs as entities in the tenants of their projects; returns how many."""
    by_tenant: dict[str, list[dict[str, Any]]] = {}
    for kpi in kpis:
        entity = kpi_entity(kpi)
        for city in kpi.project.cities.all() or [None]:
            by_tenant.setdefault(city.tenant if city else "", []).append(entity)

    async def run() -> None:
        for tenant, entities in by_tenant.items():
            await client.upsert_entities(entities, tenant=tenant)

    async_to_sync(run)()
    return len(kpis)
