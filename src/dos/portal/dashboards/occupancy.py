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
was observed). Results are cached per tenant and hour.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from dos.broker.client import BrokerClient
from dos.portal.dashboards.charts import iso
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


def matrices(
    sensors: list[Sensor],
    changes: dict[str, list[tuple[int, int | None]]],
    start: dt.datetime,
    hours: int,
) -> list[Matrix]:
    """Fold the spots' hours into weekday × hour per car park (local time)."""
    base = int(start.timestamp())
    # the local weekday and hour of every hour of the window
    slots = [timezone.localtime(start + dt.timedelta(hours=n)) for n in range(hours)]
    parks: dict[str, tuple[list[float], list[float], list[int]]] = {}
    for sensor in sensors:
        if sensor.type != "ParkingSpot":
            continue
        total = parks.setdefault(park_of(sensor), ([0.0] * hours, [0.0] * hours, [0]))
        total[2][0] += 1
        _spot_hours(changes.get(sensor.id, []), base, total[0], total[1])
    result = []
    for name, (occupied, observed, count) in sorted(parks.items()):
        taken = [[0.0] * 24 for _ in range(7)]
        seen = [[0.0] * 24 for _ in range(7)]
        for n, moment in enumerate(slots):
            taken[moment.weekday()][moment.hour] += occupied[n]
            seen[moment.weekday()][moment.hour] += observed[n]
        cells = [
            [round(100 * t / s, 1) if s else None for t, s in zip(ts, ss, strict=True)]
            for ts, ss in zip(taken, seen, strict=True)
        ]
        if any(v is not None for row in cells for v in row):
            result.append(Matrix(name, count[0], cells))
    return result


def window(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The last :data:`WEEKS` weeks up to the last full hour."""
    end = now.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    return end - dt.timedelta(weeks=WEEKS), end


def typical_occupancy(tenant: str, sensors: list[Sensor], now: dt.datetime) -> list[Matrix]:
    """Typical occupancy per car park of the tenant (cached until the next full hour)."""
    if not any(s.type == "ParkingSpot" for s in sensors):
        return []
    start, end = window(now)
    key = f"dashboards:occupancy:{tenant}:{end.isoformat()}"
    cached: list[Matrix] | None = cache.get(key)
    if cached is not None:
        return cached

    async def work(broker: BrokerClient) -> dict[str, list[tuple[int, int | None]]]:
        return await _history(broker, tenant, start, end)

    hours = int((end - start).total_seconds()) // HOUR
    result = matrices(sensors, run(work), start, hours)
    cache.set(key, result, CACHE_SECONDS)
    return result
