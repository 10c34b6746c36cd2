"""Charts drawn on the server as inline SVG, so that they need no JavaScript.

Every chart is an ``<svg role="img">`` with a title and a description; the pages show the
same numbers as a table next to it (the text alternative).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

INK = "#1b1f24"
GRID = "#c4cbd3"
MUTED = "#4d5863"
_ids = itertools.count(1)
FONT = 'font-family="system-ui, sans-serif"'


def _fmt(value: Decimal | float | int) -> str:
    return str(number_format(Decimal(str(value)).normalize(), use_l10n=True))


def _svg(width: int, height: int, title: str, desc: str, body: list[str], css: str) -> SafeString:
    ident = f"svg{next(_ids)}"
    # Every text put into the markup is escaped.
    return mark_safe(
        f'<svg class="{css}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{ident}t {ident}d" xmlns="http://www.w3.org/2000/svg" {FONT}>'
        f'<title id="{ident}t">{escape(title)}</title><desc id="{ident}d">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def line_chart(
    title: str,
    points: Sequence[tuple[dt.date, Decimal]],
    *,
    unit: str = "",
    baseline: Decimal | None = None,
    target: Decimal | None = None,
    colour: str = "#1a5f9e",
) -> SafeString:
    """A KPI's values over time with its baseline and target as dashed lines."""
    width, height, left, right, top, bottom = 640, 240, 64, 16, 16, 40
    values = [v for _d, v in points] + [v for v in (baseline, target) if v is not None]
    low, high = (min(values), max(values)) if values else (Decimal(0), Decimal(1))
    if low > 0 and low < high / 2:
        low = Decimal(0)
    if high == low:
        high = low + 1
    first = points[0][0] if points else dt.date.today()
    last = points[-1][0] if points else first
    span_days = max((last - first).days, 1)

    def x(day: dt.date) -> float:
        return left + (width - left - right) * ((day - first).days / span_days if points else 0.5)

    def y(value: Decimal) -> float:
        return top + (height - top - bottom) * float((high - value) / (high - low))

    body = []
    for step in range(5):
        value = low + (high - low) * step / 4
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="{GRID}"/><text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end" '
            f'font-size="12" fill="{MUTED}">{escape(_fmt(round(value, 2)))}</text>'
        )
    for label, value, dash in ((_("Baseline"), baseline, "6 4"), (_("Target"), target, "2 3")):
        if value is not None:
            body.append(
                f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                f'stroke="{INK}" stroke-dasharray="{dash}"/><text x="{width - right}" '
                f'y="{y(value) - 4:.1f}" text-anchor="end" font-size="12" fill="{INK}">'
                f"{label} {escape(_fmt(value))}</text>"
            )
    if points:
        path = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="3"/>')
        for day, value in points:
            body.append(
                f'<circle cx="{x(day):.1f}" cy="{y(value):.1f}" r="4.5" fill="{colour}">'
                f"<title>{day:%d.%m.%Y}: {escape(_fmt(value))} {escape(unit)}</title></circle>"
            )
        for day, anchor in ((first, "start"), (last, "end")):
            body.append(
                f'<text x="{x(day):.1f}" y="{height - 14}" text-anchor="{anchor}" font-size="12" '
                f'fill="{MUTED}">{day:%m/%Y}</text>'
            )
    desc = (
        _("%(count)s values from %(first)s to %(last)s; latest value %(value)s %(unit)s")
        % {
            "count": len(points),
            "first": f"{first:%d.%m.%Y}",
            "last": f"{last:%d.%m.%Y}",
            "value": _fmt(points[-1][1]),
            "unit": unit,
        }
        if points
        else _("No values yet.")
    )
    return _svg(width, height, title, desc, body, "chart chart-line")


@dataclass
class Bar:
    label: str
    value: Decimal | int | float
    colour: str = "#1a5f9e"


def bar_chart(title: str, bars: Sequence[Bar], *, unit: str = "") -> SafeString:
    """Horizontal bars with their value written next to them.

    Charts hold no links (an ``img`` must not contain interactive elements); the tables next
    to them link to the pages.
    """
    row, left, width = 30, 290, 720
    height = max(row * len(bars) + 10, 40)
    high = max((Decimal(str(b.value)) for b in bars), default=Decimal(1)) or Decimal(1)
    body = []
    for index, bar in enumerate(bars):
        top = 5 + index * row
        length = float(Decimal(str(bar.value)) / high) * (width - left - 110)
        label = escape(bar.label if len(bar.label) <= 36 else bar.label[:35] + "…")
        text = f'<text x="{left - 8}" y="{top + 17}" text-anchor="end" font-size="13" fill="{INK}">{label}</text>'
        body.append(
            text + f'<rect x="{left}" y="{top + 3}" width="{max(length, 1):.1f}" height="20" '
            f'fill="{escape(bar.colour)}" rx="2"/><text x="{left + length + 6:.1f}" '
            f'y="{top + 17}" font-size="13" fill="{INK}">{escape(_fmt(bar.value))} {escape(unit)}'
            "</text>"
        )
    desc = "; ".join(f"{b.label}: {_fmt(b.value)} {unit}".strip() for b in bars)
    return _svg(width, height, title, desc, body, "chart chart-bars")


@dataclass
class RoadmapRow:
    label: str
    start: dt.date | None
    end: dt.date | None
    colour: str = "#1a5f9e"
    heading: bool = False
    milestones: list[tuple[dt.date, bool, str]] = field(default_factory=list)


def roadmap_chart(
    title: str, rows: Sequence[RoadmapRow], first_year: int, last_year: int, today: dt.date
) -> SafeString:
    """A Gantt chart: one bar per project over the strategy's years, milestones as diamonds
    (filled when reached), a line for today."""
    left, right, row, top = 310, 12, 24, 28
    width = 1000
    height = top + row * len(rows) + 10
    start = dt.date(first_year, 1, 1)
    end = dt.date(last_year, 12, 31)
    days = (end - start).days

    def x(day: dt.date) -> float:
        day = min(max(day, start), end)
        return left + (width - left - right) * (day - start).days / days

    body = []
    for year in range(first_year, last_year + 2):
        pos = x(dt.date(year, 1, 1)) if year <= last_year else width - right
        body.append(
            f'<line x1="{pos:.1f}" x2="{pos:.1f}" y1="{top - 6}" y2="{height}" stroke="{GRID}"/>'
        )
        if year <= last_year:
            body.append(
                f'<text x="{pos + 4:.1f}" y="{top - 10}" font-size="13" fill="{MUTED}">{year}</text>'
            )
    for index, item in enumerate(rows):
        y0 = top + index * row
        label = escape(item.label if len(item.label) <= 40 else item.label[:39] + "…")
        weight = ' font-weight="700"' if item.heading else ""
        text = (
            f'<text x="{left - 8}" y="{y0 + 16}" text-anchor="end" font-size="12"{weight} '
            f'fill="{INK}">{label}</text>'
        )
        body.append(text)
        if item.start and item.end:
            x0, x1 = x(item.start), x(item.end)
            body.append(
                f'<rect x="{x0:.1f}" y="{y0 + 5}" width="{max(x1 - x0, 2):.1f}" height="14" '
                f'rx="3" fill="{escape(item.colour)}"><title>{label}: {item.start:%m/%Y}–'
                f"{item.end:%m/%Y}</title></rect>"
            )
        for day, done, name in item.milestones:
            cx, cy = x(day), y0 + 12
            fill = INK if done else "#fff"
            body.append(
                f'<path d="M{cx:.1f},{cy - 6} l6,6 l-6,6 l-6,-6 z" fill="{fill}" stroke="{INK}" '
                f'stroke-width="1.5"><title>{escape(name)} ({day:%d.%m.%Y})</title></path>'
            )
    if start <= today <= end:
        body.append(
            f'<line x1="{x(today):.1f}" x2="{x(today):.1f}" y1="{top - 6}" y2="{height}" '
            f'stroke="#b00020" stroke-width="2"/>'
        )
    desc = _("Schedule %(first)s–%(last)s of %(count)s projects.") % {
        "first": first_year,
        "last": last_year,
        "count": sum(not r.heading for r in rows),
    }
    return _svg(width, height, title, desc, body, "chart chart-roadmap")
