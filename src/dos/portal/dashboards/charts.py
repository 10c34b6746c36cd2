"""Station time series: ranges, server-side aggregation through the temporal API, SVG chart."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dos.broker.client import BrokerClient
from dos.portal.dashboards import cache
from dos.portal.dashboards.sensors import parse_time, run


@dataclass(frozen=True)
class Range:
    key: str
    label: Any
    span: dt.timedelta
    period: str  # ISO 8601 duration of one aggregation bucket
    period_s: int


RANGES = [
    Range("24h", _("24 hours"), dt.timedelta(hours=24), "PT5M", 300),
    Range("7d", _("7 days"), dt.timedelta(days=7), "PT1H", 3600),
    Range("30d", _("30 days"), dt.timedelta(days=30), "PT6H", 21600),
    Range("1y", _("1 year"), dt.timedelta(days=365), "P1D", 86400),
]
RANGE_BY_KEY = {r.key: r for r in RANGES}


@dataclass
class Row:
    start: dt.datetime
    avg: float | None
    low: float | None
    high: float | None


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def bounds(rng: Range, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The query window: ``span`` back from ``now``, both ends on bucket boundaries."""
    end_s = (int(now.timestamp()) // rng.period_s + 1) * rng.period_s
    start_s = end_s - int(rng.span.total_seconds())
    return dt.datetime.fromtimestamp(start_s, dt.UTC), dt.datetime.fromtimestamp(end_s, dt.UTC)


def series(tenant: str, entity_id: str, attribute: str, rng: Range, now: dt.datetime) -> list[Row]:
    """avg/min/max per bucket of the attribute in the range, aggregated by the broker; the
    periods that are over come from the dashboards' cache (:func:`cache.series`)."""
    start, end = bounds(rng, now)

    def fetch(start_s: int, end_s: int) -> list[Row]:
        async def work(broker: BrokerClient) -> dict[str, Any] | None:
            return await broker.get_temporal_entity(
                entity_id,
                tenant=tenant,
                attrs=attribute,
                options="aggregatedValues",
                aggrMethods="avg,min,max",
                aggrPeriodDuration=rng.period,
                timerel="between",
                timeAt=iso(dt.datetime.fromtimestamp(start_s, dt.UTC)),
                endTimeAt=iso(dt.datetime.fromtimestamp(end_s, dt.UTC)),
            )

        body = run(work)
        return rows_of((body or {}).get(attribute) or {})

    return cache.series(
        (tenant, entity_id, attribute),
        int(start.timestamp()),
        int(end.timestamp()),
        rng.period_s,
        now.timestamp(),
        fetch,
        lambda row: int(row.start.timestamp()),
    )


def rows_of(aggregated: dict[str, Any]) -> list[Row]:
    """Rows from an attribute in the aggregatedValues representation (§4.5.19)."""
    by_start: dict[dt.datetime, Row] = {}
    for method, field in (("avg", "avg"), ("min", "low"), ("max", "high")):
        for item in aggregated.get(method) or []:
            if not isinstance(item, list) or len(item) < 2:
                continue
            start = parse_time(item[1])
            if start is None:
                continue
            row = by_start.setdefault(start, Row(start, None, None, None))
            value = item[0]
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                setattr(row, field, float(value))
    return [by_start[k] for k in sorted(by_start)]


@dataclass
class Chart:
    width: int
    height: int
    line: str
    band: str
    y_ticks: list[tuple[float, str]]
    x_ticks: list[tuple[float, str]]
    left: int
    right: int
    top: int
    bottom: int


def chart(rows: list[Row], start: dt.datetime, end: dt.datetime, fmt: str) -> Chart | None:
    """SVG paths for the mean line and the min–max band, with axis ticks."""
    values = [v for r in rows for v in (r.avg, r.low, r.high) if v is not None]
    if not values:
        return None
    width, height, left, right, top, bottom = 760, 300, 56, 744, 16, 260
    low, high = min(values), max(values)
    if high - low < 1e-9:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.08
    low, high = low - pad, high + pad
    span = (end - start).total_seconds()

    def x(moment: dt.datetime) -> float:
        return round(left + (moment - start).total_seconds() / span * (right - left), 1)

    def y(value: float) -> float:
        return round(bottom - (value - low) / (high - low) * (bottom - top), 1)

    line = " ".join(
        f"{'M' if i == 0 else 'L'}{x(r.start)},{y(r.avg)}"
        for i, r in enumerate(r for r in rows if r.avg is not None)
    )
    banded = [r for r in rows if r.low is not None and r.high is not None]
    band = ""
    if banded:
        upper = [f"{x(r.start)},{y(r.high)}" for r in banded]  # type: ignore[arg-type]
        lower = [f"{x(r.start)},{y(r.low)}" for r in reversed(banded)]  # type: ignore[arg-type]
        band = "M" + " L".join(upper + lower) + " Z"
    y_ticks = [
        (y(low + (high - low) * i / 4), f"{low + (high - low) * i / 4:.1f}") for i in range(5)
    ]
    x_ticks = []
    for i in range(5):
        moment = start + (end - start) * i / 4
        x_ticks.append((x(moment), timezone.localtime(moment).strftime(fmt)))
    return Chart(width, height, line, band, y_ticks, x_ticks, left, right, top, bottom)
