"""Live KPIs: compute a KPI's declared query from the urban data platform, and publish KPIs
as NGSI-LD ``KeyPerformanceIndicator`` entities (Smart Data Model, dataModel.KeyPerformanceIndicator).

Both talk to the broker through the client of :mod:`dos.broker.client` (its coroutines
``query_entities``, ``query_temporal`` and ``upsert_entities``).

- *Mean of the latest values*, *sum* and *number of entities* read the entities' current
  state; a latest value counts when its observation time (``observedAt`` of the attribute,
  else ``dateObserved``) lies in the KPI's period. (A sum across entities of their current
  level, e.g. free spaces of all car parks, not a sum over time.)
- *Average, minimum, maximum* read every value of the period from the temporal API
  (ETSI GS CIM 009 §6.18.3.1, ``options=aggregatedValues`` with one period spanning the range):
  the average is the sum over all entities divided by their number of values, not the mean of
  per-entity means. A broker without the temporal API falls back to the current values.
- *Days at or above the threshold* asks for each entity's daily maximum
  (``aggrMethods=max``, ``aggrPeriodDuration=P1D``, days starting at local midnight of the
  period's first day) and counts the distinct days on which any entity reached the threshold
  (a "Hitzetag" is a day with a maximum ≥ 30 °C).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from asgiref.sync import async_to_sync
from django.utils import timezone

from dos.portal.strategy.models import Aggregation, Kpi, Period, Source

PAGE = 1000
TEMPORAL_PAGE = 100  # entities per temporal query (each with up to 1,000 periods)
WINDOW = dt.timedelta(days=900)  # daily maxima are asked for in windows below that limit
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# Sum stays over the entities' current values: the sum of levels across entities (free
# spaces of all car parks) is what KPIs mean by it, not a sum over time.
HISTORY = (Aggregation.AVG, Aggregation.MIN, Aggregation.MAX)


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
    if period == Period.YEAR:  # 1 January, local midnight
        local = timezone.localtime(now)
        return local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
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
    """Apply the KPI's aggregation to the entities' current values in its period."""
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


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _series(entity: dict[str, Any], name: str, method: str) -> list[list[Any]]:
    """The ``[[value, start, end], …]`` of one method of an aggregated attribute (all
    instances of a multi-attribute together)."""
    attribute = _attribute(entity, name)
    found: list[list[Any]] = []
    for instance in attribute if isinstance(attribute, list) else [attribute]:
        if isinstance(instance, dict) and isinstance(instance.get(method), list):
            found.extend(instance[method])
    return found


async def _aggregated(
    client: Any, kpi: Kpi, tenants: list[str], **params: str
) -> list[dict[str, Any]]:
    """Every temporal entity of the KPI's type with its attribute aggregated as asked."""
    found: list[dict[str, Any]] = []
    for tenant in tenants:
        offset = 0
        while True:
            page, _cut = await client.query_temporal(
                tenant=tenant,
                type=kpi.entity_type,
                attrs=[kpi.attribute],
                limit=TEMPORAL_PAGE,
                offset=offset,
                options="aggregatedValues",
                **params,
            )
            found.extend(page)
            if len(page) < TEMPORAL_PAGE:
                break
            offset += TEMPORAL_PAGE
    return found


def _between(start: dt.datetime | None, now: dt.datetime) -> dict[str, str]:
    if start is None:
        return {"timerel": "before", "timeAt": _stamp(now)}
    return {"timerel": "between", "timeAt": _stamp(start), "endTimeAt": _stamp(now)}


async def _over_history(
    client: Any, kpi: Kpi, tenants: list[str], now: dt.datetime
) -> Decimal | None:
    """Average, minimum or maximum of every value in the period (temporal API)."""
    entities = await _aggregated(
        client,
        kpi,
        tenants,
        aggrMethods="sum,totalCount,min,max",  # the average is Σsum / Σcount
        **_between(period_start(kpi.period, now), now),
    )
    total, count = Decimal(0), 0
    lows: list[Decimal] = []
    highs: list[Decimal] = []
    for entity in entities:
        for method, target in (("min", lows), ("max", highs)):
            target.extend(Decimal(str(v[0])) for v in _series(entity, kpi.attribute, method))
        total += sum(
            (Decimal(str(v[0])) for v in _series(entity, kpi.attribute, "sum")), Decimal(0)
        )
        count += sum(int(v[0]) for v in _series(entity, kpi.attribute, "totalCount"))
    if count == 0 or not highs:
        return None
    if kpi.aggregation == Aggregation.MIN:
        result = min(lows)
    elif kpi.aggregation == Aggregation.MAX:
        result = max(highs)
    else:
        result = total / count
    return result.quantize(Decimal("0.0001"))


def _first_day(kpi: Kpi, now: dt.datetime) -> dt.datetime:
    """Local midnight of the period's first day (the days counted begin there)."""
    start = period_start(kpi.period, now) or EPOCH
    local = timezone.localtime(start)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


async def _days_above(client: Any, kpi: Kpi, tenants: list[str], now: dt.datetime) -> int | None:
    """Distinct days on which any entity's daily maximum reached the threshold; ``None``
    when no entity has a value in the period."""
    assert kpi.threshold is not None
    threshold = float(kpi.threshold)
    first = _first_day(kpi, now)
    if kpi.period == Period.ALL:  # begin with the earliest value instead of 1970
        earliest = [
            v[1]
            for e in await _aggregated(client, kpi, tenants, aggrMethods="min")
            for v in _series(e, kpi.attribute, "min")
        ]
        if not earliest:
            return None
        begin = min(dt.datetime.fromisoformat(t.replace("Z", "+00:00")) for t in earliest)
        day = timezone.localtime(begin).date()
        first = first.replace(year=day.year, month=day.month, day=day.day)
    hot: set[str] = set()
    seen = False
    start = first
    while start < now:
        end = min(start + WINDOW, now)
        entities = await _aggregated(
            client,
            kpi,
            tenants,
            aggrMethods="max",
            aggrPeriodDuration="P1D",
            timerel="between",
            timeAt=_stamp(start),
            endTimeAt=_stamp(end),
        )
        for entity in entities:
            for value, day_start, _day_end in _series(entity, kpi.attribute, "max"):
                if value is None:
                    continue
                seen = True
                if float(value) >= threshold:
                    hot.add(day_start)
        start = end
    return len(hot) if seen else None


def compute(kpi: Kpi, client: Any, now: dt.datetime | None = None) -> Decimal | None:
    """The current value of a live KPI (``None`` when no entity has a value in the period)."""
    from dos.broker.client import BrokerError

    if kpi.source != Source.LIVE:
        raise LiveUnavailable("the KPI's values are entered by editors")
    now = now or timezone.now()
    tenants = tenants_of(kpi)
    if kpi.aggregation == Aggregation.DAYS_ABOVE:
        try:
            days = async_to_sync(_days_above)(client, kpi, tenants, now)
        except BrokerError as exc:
            raise LiveUnavailable(f"the broker's temporal API refused the query: {exc}") from None
        return None if days is None else Decimal(days).quantize(Decimal("0.0001"))
    if kpi.aggregation in HISTORY:
        try:
            return async_to_sync(_over_history)(client, kpi, tenants, now)
        except BrokerError as exc:
            if exc.status not in (400, 404, 405, 501):
                raise
            # a broker without the temporal API: the current values of the period
    entities = async_to_sync(_fetch)(client, kpi, tenants)
    return aggregate(kpi, entities, now)


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
