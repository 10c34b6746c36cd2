"""Typical parking occupancy by weekday and hour, from the parking spots' history.

A ``ParkingSpot``'s ``status`` (``free``/``occupied``) is text, and the spots of the demo
network write it only when it changes, so the history is a change log: the share of an hour a
spot was occupied follows from the state it had when the hour began and the changes within
the hour. The history comes from the NGSI-LD temporal API (ETSI GS CIM 009 §6.18.3.1,
``options=temporalValues``): the last instance before the window (``timerel=before``,
``lastN=1``) and every instance within it (``timerel=between``). The broker's aggregation
cannot do this: it aggregates numbers and counts instances, but does not carry a state over
time.

For each car park and each local weekday × hour the result is the occupied spot-time divided
by the observed spot-time of the last :data:`WEEKS` weeks, in percent (``None`` where no spot
was observed).

Each hour is computed once: the occupied and observed spot-seconds per car park and UTC hour
are stored in :class:`~dos.portal.dashboards.models.OccupancyHour` (shared by all processes),
so after the first computation of the window a new hour needs only that hour's history. The
folded result is cached per tenant and hour.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from dos.broker.client import BrokerClient
from dos.portal.dashboards.charts import iso
from dos.portal.dashboards.models import OccupancyHour
from dos.portal.dashboards.sensors import Sensor, parse_time, run

WEEKS = 4
HOUR = 3600
PAGE = 1000  # spots per temporal query (fewer, larger answers are faster)
LIMIT = 1000  # instances per attribute the broker returns at most (docs/temporal.md)
CACHE_SECONDS = 3600
STATES = {"occupied": 1, "free": 0}  # other states (closed, unknown, deleted) are not observed


@dataclass
class Matrix:
    """The typical occupancy of one car park: ``cells[weekday][hour]`` in percent."""

    name: str
    spots: int
    cells: list[list[float | None]]

    @property
    def peak(self) -> tuple[int, int, float] | None:
        """The busiest weekday, hour and occupancy (for the text alternative)."""
        found = [
            (v, -d, -h)
            for d, row in enumerate(self.cells)
            for h, v in enumerate(row)
            if v is not None
        ]
        if not found:
            return None
        value, day, hour = max(found)  # the earliest of equal values
        return -day, -hour, value


def park_of(sensor: Sensor) -> str:
    """The car park a spot belongs to (``carPark``, else ``refParkingSite``)."""
    return str(sensor.static.get("carPark") or sensor.static.get("refParkingSite") or "–")


def _values(entity: dict[str, Any]) -> list[tuple[int, int | None]]:
    """``(epoch seconds, 1 occupied / 0 free / None other)`` of the entity's status values."""
    attribute = entity.get("status")
    found = []
    for instance in attribute if isinstance(attribute, list) else [attribute]:
        if not isinstance(instance, dict):
            continue
        for value, stamp in instance.get("values") or []:
            moment = parse_time(stamp)
            if moment is not None:
                found.append((int(moment.timestamp()), STATES.get(str(value))))
    return found


async def _history(
    broker: BrokerClient, tenant: str, start: dt.datetime, end: dt.datetime
) -> dict[str, list[tuple[int, int | None]]]:
    """spot id → its status changes from the last one before ``start`` up to ``end``."""
    changes: dict[str, list[tuple[int, int | None]]] = {}
    for window in (
        {"timerel": "before", "timeAt": iso(start), "lastN": "1"},
        {"timerel": "between", "timeAt": iso(start), "endTimeAt": iso(end)},
    ):
        offset = 0
        while True:
            page, _cut = await broker.query_temporal(
                tenant=tenant,
                type="ParkingSpot",
                attrs=["status"],
                limit=PAGE,
                offset=offset,
                options="temporalValues",
                **window,
            )
            for entity in page:
                values = _values(entity)
                if window["timerel"] == "between" and len(values) >= LIMIT:
                    values = await _rest(broker, tenant, entity["id"], values, end)
                changes.setdefault(entity["id"], []).extend(values)
            if len(page) < PAGE:
                break
            offset += PAGE
    return changes


async def _rest(
    broker: BrokerClient,
    tenant: str,
    entity_id: str,
    values: list[tuple[int, int | None]],
    end: dt.datetime,
) -> list[tuple[int, int | None]]:
    """The whole window of a spot whose history the broker cut at its instance limit."""
    while True:
        after = dt.datetime.fromtimestamp(values[-1][0], dt.UTC)
        entity = await broker.get_temporal_entity(
            entity_id,
            tenant=tenant,
            attrs="status",
            options="temporalValues",
            timerel="between",
            timeAt=iso(after + dt.timedelta(seconds=1)),
            endTimeAt=iso(end),
        )
        more = _values(entity) if entity else []
        values.extend(more)
        if len(more) < LIMIT:
            return values


def _spot_hours(
    changes: list[tuple[int, int | None]],
    start: int,
    occupied: list[float],
    observed: list[float],
) -> None:
    """Add one spot's occupied and observed seconds per hour of the window to the sums."""
    hours = len(observed)
    end = start + hours * HOUR
    ordered = sorted(changes)
    for index, (moment, state) in enumerate(ordered):
        until = ordered[index + 1][0] if index + 1 < len(ordered) else end
        begin, until = max(moment, start), min(until, end)
        if state is None or until <= begin:
            continue
        while begin < until:
            slot = (begin - start) // HOUR
            stop = min(until, start + (slot + 1) * HOUR)
            observed[slot] += stop - begin
            if state:
                occupied[slot] += stop - begin
            begin = stop


def spot_hours(
    sensors: list[Sensor],
    changes: dict[str, list[tuple[int, int | None]]],
    start: dt.datetime,
    hours: int,
) -> dict[str, tuple[list[float], list[float]]]:
    """car park → its (occupied, observed) spot-seconds in each hour from ``start``."""
    base = int(start.timestamp())
    parks: dict[str, tuple[list[float], list[float]]] = {}
    for sensor in sensors:
        if sensor.type != "ParkingSpot":
            continue
        occupied, observed = parks.setdefault(park_of(sensor), ([0.0] * hours, [0.0] * hours))
        _spot_hours(changes.get(sensor.id, []), base, occupied, observed)
    return parks


def fold(
    rows: Iterable[tuple[str, dt.datetime, float, float]], spots: Counter[str]
) -> list[Matrix]:
    """Fold (car park, UTC hour, occupied, observed) into weekday × hour per car park (local
    time); car parks without any observation are left out."""
    local: dict[dt.datetime, tuple[int, int]] = {}
    sums: dict[str, tuple[list[list[float]], list[list[float]]]] = {}
    for park, hour, occupied, observed in rows:
        if hour not in local:
            moment = timezone.localtime(hour)
            local[hour] = (moment.weekday(), moment.hour)
        day, slot = local[hour]
        taken, seen = sums.setdefault(
            park, ([[0.0] * 24 for _ in range(7)], [[0.0] * 24 for _ in range(7)])
        )
        taken[day][slot] += occupied
        seen[day][slot] += observed
    result = []
    for name in sorted(sums):
        taken, seen = sums[name]
        cells = [
            [round(100 * t / s, 1) if s else None for t, s in zip(ts, ss, strict=True)]
            for ts, ss in zip(taken, seen, strict=True)
        ]
        if any(v is not None for row in cells for v in row):
            result.append(Matrix(name, spots[name], cells))
    return result


def window(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The last :data:`WEEKS` weeks up to the last full hour."""
    end = now.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    return end - dt.timedelta(weeks=WEEKS), end


def store_hours(tenant: str, sensors: list[Sensor], start: dt.datetime, end: dt.datetime) -> int:
    """Compute the car parks' hours of ``[start, end)`` not stored yet and store them; returns
    how many hours were computed.

    The last stored hour is computed again with the new ones: a status change that reached
    the broker after its hour had been computed (a late measure) is counted then. Hours that
    left the window are deleted.
    """
    parks = {park_of(s) for s in sensors if s.type == "ParkingSpot"}
    if not parks:
        return 0
    stored = dict(
        OccupancyHour.objects.filter(tenant=tenant, car_park__in=parks, hour__gte=start)
        .values("car_park")
        .annotate(last=Max("hour"))
        .values_list("car_park", "last")
    )
    missing = parks - stored.keys()
    begin = start if missing else min(stored.values())
    if not missing and begin + dt.timedelta(hours=1) >= end:
        return 0  # every car park is up to date
    hours = int((end - begin).total_seconds()) // HOUR

    async def work(broker: BrokerClient) -> dict[str, list[tuple[int, int | None]]]:
        return await _history(broker, tenant, begin, end)

    sums = spot_hours(sensors, run(work), begin, hours)
    rows = [
        OccupancyHour(
            tenant=tenant,
            car_park=park,
            hour=begin + dt.timedelta(hours=n),
            occupied=occupied[n],
            observed=observed[n],
        )
        for park, (occupied, observed) in sums.items()
        for n in range(hours)
    ]
    with transaction.atomic():
        OccupancyHour.objects.filter(tenant=tenant, hour__gte=begin, hour__lt=end).delete()
        OccupancyHour.objects.filter(tenant=tenant, hour__lt=start).delete()
        # another process may have stored the same hours meanwhile: theirs are as good
        OccupancyHour.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return hours


def typical_occupancy(tenant: str, sensors: list[Sensor], now: dt.datetime) -> list[Matrix]:
    """Typical occupancy per car park of the tenant (cached until the next full hour)."""
    spots = Counter(park_of(s) for s in sensors if s.type == "ParkingSpot")
    if not spots:
        return []
    start, end = window(now)
    key = f"dashboards:occupancy:{tenant}:{end.isoformat()}"
    cached: list[Matrix] | None = cache.get(key)
    if cached is not None:
        return cached
    store_hours(tenant, sensors, start, end)
    rows = OccupancyHour.objects.filter(
        tenant=tenant, car_park__in=spots, hour__gte=start, hour__lt=end
    ).values_list("car_park", "hour", "occupied", "observed")
    result = fold(rows, spots)
    cache.set(key, result, CACHE_SECONDS)
    return result
