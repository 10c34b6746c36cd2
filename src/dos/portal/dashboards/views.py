"""Dashboard pages: sensor maps (city and region), live values as JSON, station charts with
CSV, analyses, and the strategy's live KPI tiles."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import hmac
from collections.abc import AsyncIterator
from html import escape
from typing import Any
from urllib.parse import quote

import orjson
from asgiref.sync import sync_to_async
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from dos.portal.dashboards import analyses, cache, charts, feed, geomap, occupancy
from dos.portal.dashboards import sensors as sensor_source
from dos.portal.dashboards.models import LiveValue
from dos.portal.dashboards.scale import STATES, ink, legend_stops, viridis
from dos.portal.dashboards.sensors import (
    LAYER_BY_KEY,
    LAYERS,
    MAIN_ATTRIBUTE,
    UNITS,
    Layer,
    Sensor,
    entity_of,
    sensors_of,
)
from dos.portal.tenancy.models import City

CLUSTER_FROM = 60  # sensors on the map from which the zoomed-out view shows clusters
STREAM_SECONDS = 60.0  # one event stream's length; the browser reconnects
STREAM_POLL = 1.0  # seconds between the stream's looks at the live values


def value_text(attribute: str, value: Any) -> str:
    """A value for people: localised number with unit, or the translated state."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return {"free": _("free"), "occupied": _("occupied")}.get(value, value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    unit = UNITS.get(attribute, "")
    return f"{formats.number_format(value, 1)} {unit}".strip()


class _Texts(dict[tuple[str, type, Any], str]):
    """:func:`value_text` once per distinct plain value (a map shows hundreds of equal ones)."""

    def of(self, attribute: str, value: Any) -> str:
        if type(value) not in (str, int, float):
            return value_text(attribute, value)
        key = (attribute, type(value), value)
        found = self.get(key)
        if found is None:
            found = self[key] = value_text(attribute, value)
        return found


def _layer(request: HttpRequest, sensors: list[Sensor]) -> Layer:
    key = request.GET.get("layer", "")
    if key in LAYER_BY_KEY:
        return LAYER_BY_KEY[key]
    for layer in LAYERS:
        if any(s.type in layer.types and layer.attribute in s.values for s in sensors):
            return layer
    return LAYERS[0]


#: what ``reverse`` leaves unquoted in a path argument (django.urls.resolvers)
_PATH_SAFE = "!$&'()*+,;=/~:@"


def _station_url(sensor: Sensor, prefixes: dict[str, str] | None = None) -> str:
    """The station page of a sensor; ``prefixes`` caches each city's path, since reversing
    once per sensor costs more than the rest of the map."""
    if prefixes is None:
        return reverse("dashboards_city:station", args=[sensor.city, sensor.id])
    prefix = prefixes.get(sensor.city)
    if prefix is None:
        prefix = prefixes[sensor.city] = reverse(
            "dashboards_city:station", args=[sensor.city, "-"]
        )[:-2]
    return f"{prefix}{quote(sensor.id, safe=_PATH_SAFE)}/"


def _rows(sensors: list[Sensor]) -> list[dict[str, Any]]:
    rows = []
    prefixes: dict[str, str] = {}
    texts = _Texts()
    for sensor in sorted(sensors, key=lambda s: (s.city, s.type, s.name)):
        attribute = MAIN_ATTRIBUTE.get(sensor.type, "")
        rows.append(
            {
                "sensor": sensor,
                "attribute": attribute,
                "text": texts.of(attribute, sensor.value(attribute)),
                "url": _station_url(sensor, prefixes),
            }
        )
    return rows


def _observed_text(moment: dt.datetime | None, memo: dict[Any, str]) -> str:
    """A measuring time in the short local format, formatted once per minute shown."""
    if moment is None:
        return "–"
    minute = moment.replace(second=0, microsecond=0)
    found = memo.get(minute)
    if found is None:
        found = memo[minute] = formats.date_format(
            timezone.localtime(moment), "SHORT_DATETIME_FORMAT"
        )
    return found


def _rows_html(rows: list[dict[str, Any]], region: bool) -> str:
    """The sensor table's rows (markup built here for speed, like the SVG layers)."""
    out = []
    # the short format has no seconds, so one text per minute serves every sensor in it
    memo: dict[Any, str] | None = (
        {} if "s" not in str(formats.get_format("SHORT_DATETIME_FORMAT")) else None
    )
    for row in rows:
        sensor = row["sensor"]
        if memo is None:
            observed = (
                formats.date_format(timezone.localtime(sensor.observed), "SHORT_DATETIME_FORMAT")
                if sensor.observed
                else "–"
            )
        else:
            observed = _observed_text(sensor.observed, memo)
        city = f"<td>{escape(sensor.city.capitalize())}</td>" if region else ""
        out.append(
            f'<tr data-id="{escape(sensor.id)}"><th scope="row"><a href="{escape(row["url"])}">'
            f"{escape(sensor.name)}</a></th>{city}<td>{escape(sensor.district)}</td>"
            f"<td>{escape(sensor.type)}</td><td data-value>{escape(row['text'])}</td>"
            f"<td data-observed>{observed}</td></tr>"
        )
    return "\n".join(out)


def city_sensors(tenants: list[str]) -> tuple[list[Sensor], str]:
    """The tenants' sensors from the dashboards' cache, and the version of that snapshot."""
    return cache.sensors(tenants, lambda tenant: sensors_of([tenant]))


def _drawn(sensors: list[Sensor], layer: Layer, tenants: list[str], region: bool) -> dict[str, Any]:
    """What the map page draws from a snapshot: SVG layers, table rows and the map's size."""
    view = geomap.build(sensors, layer, tenants)
    texts = _Texts()
    for point in view.points:
        point.text = texts.of(layer.attribute, point.value)  # type: ignore[attr-defined]
    return {
        "width": view.width,
        "height": view.height,
        "count": len(view.points),
        "svg": geomap.svg_layers(view),
        "rows_html": _rows_html(_rows(sensors), region),
    }


def _map_page(request: HttpRequest, cities: list[City], region: bool) -> HttpResponse:
    tenants = [c.tenant for c in cities]
    feed.ensure(tenants)
    since = timezone.now()  # the live channel sends what the broker notifies after this
    sensors, version = city_sensors(tenants)
    layer = _layer(request, sensors)
    drawn = cache.remember(
        lambda: _drawn(sensors, layer, tenants, region),
        "map",
        version,
        layer.key,
        region,
        get_language(),
        timezone.get_current_timezone_name(),
    )
    if layer.categorical:
        legend = [(_("free"), STATES["free"]), (_("occupied"), STATES["occupied"])]
    else:
        legend = [
            (value_text(layer.attribute, value), fill)
            for value, fill in legend_stops(layer.low, layer.high)
        ]
    context = {
        "is_region": region,
        "cities": cities,
        "city": None if region else cities[0],
        "layers": LAYERS,
        "layer": layer,
        "map": drawn,
        "legend": legend,
        "clustered": drawn["count"] >= CLUSTER_FROM,
        "rows": sensors,
        "rows_html": drawn["rows_html"],
        "svg": drawn["svg"],
        "latest_urls": " ".join(
            reverse("dashboards:latest", args=[c.slug]) + f"?layer={layer.key}" for c in cities
        ),
        "stream_urls": " ".join(
            reverse("dashboards:live", args=[c.slug]) + f"?layer={layer.key}" for c in cities
        ),
        "since": since.isoformat(),
        "kpis": _kpi_tiles() if region else [],
        "interval": _interval(request),
    }
    return render(request, "dashboards/map.html", context)


def region_map(request: HttpRequest) -> HttpResponse:
    """The region's sensor map with the strategy's live KPI tiles."""
    return _map_page(request, list(City.objects.order_by("name")), region=True)


def city_map(request: HttpRequest, city: str) -> HttpResponse:
    """One city's sensor map."""
    return _map_page(request, [request.city], region=False)  # type: ignore[attr-defined]


def _live_item(row: LiveValue, layer: Layer | None) -> dict[str, Any]:
    """One sensor's live value as the map's script applies it."""
    from dos.portal.dashboards.scale import colour

    attribute = MAIN_ATTRIBUTE.get(row.entity_type, "")
    value = row.values.get(attribute)
    item: dict[str, Any] = {
        "id": row.entity_id,
        "type": row.entity_type,
        "attribute": attribute,
        "value": value,
        "text": value_text(attribute, value),
        "observedAt": row.observed_at.isoformat() if row.observed_at else None,
        "receivedAt": row.received_at.isoformat(),
    }
    if layer and row.entity_type in layer.types and layer.attribute in row.values:
        item["colour"] = colour(row.values[layer.attribute], layer.low, layer.high)
        item["layerText"] = value_text(layer.attribute, row.values[layer.attribute])
    return item


def _live_request(request: HttpRequest, slug: str) -> tuple[City, Layer | None, Any]:
    """The city, layer and ``since`` of a live request; :class:`ValueError` names bad input."""
    found = City.objects.filter(slug=slug).first()
    if found is None:
        raise LookupError(f"city: there is no city {slug!r}")
    key = request.GET.get("layer")
    if key and key not in LAYER_BY_KEY:
        raise ValueError(f"layer: must be one of {', '.join(LAYER_BY_KEY)}")
    raw = request.headers.get("Last-Event-ID") or request.GET.get("since")
    since = sensor_source.parse_time(raw) if raw else None
    if raw and since is None:
        raise ValueError("since: must be an ISO 8601 date-time")
    return found, LAYER_BY_KEY[key] if key else None, since


def _live_body(city: City, layer: Layer | None, since: Any) -> dict[str, Any]:
    rows = feed.changes(city.tenant, since)
    cursor = max((r.received_at for r in rows), default=since or timezone.now())
    return {
        "city": city.slug,
        "cursor": cursor.isoformat(),
        "sensors": [_live_item(r, layer) for r in rows],
    }


def latest(request: HttpRequest, slug: str) -> JsonResponse:
    """The live values the broker notified since ``?since=`` (all without it): the polling
    fallback of the map's event stream."""
    try:
        city, layer, since = _live_request(request, slug)
    except LookupError as exc:
        return JsonResponse({"error": str(exc)}, status=404)
    except ValueError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse(_live_body(city, layer, since), headers={"Cache-Control": "no-store"})


async def live_stream(request: HttpRequest, slug: str) -> HttpResponse:
    """Server-sent events with the live values the broker notifies (``Last-Event-ID`` or
    ``?since=`` resume); the stream ends after :data:`STREAM_SECONDS` and the browser
    reconnects on its own."""
    try:
        city, layer, since = await sync_to_async(_live_request)(request, slug)
    except LookupError as exc:
        return JsonResponse({"error": str(exc)}, status=404)
    except ValueError as exc:
        return JsonResponse({"error": str(exc)}, status=400)

    async def events() -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        ends = loop.time() + STREAM_SECONDS
        quiet = loop.time()
        cursor = since or timezone.now()
        sent: dict[tuple[str, str], float] = {}  # what the overlap would send again
        yield "retry: 3000\n\n"
        while loop.time() < ends:
            body = await sync_to_async(_live_body)(city, layer, cursor)
            fresh = [s for s in body["sensors"] if (s["id"], s["receivedAt"]) not in sent]
            for item in fresh:
                sent[(item["id"], item["receivedAt"])] = loop.time()
            sent = {k: t for k, t in sent.items() if loop.time() - t < 10}
            cursor = sensor_source.parse_time(body["cursor"]) or cursor
            if fresh:
                data = orjson.dumps({**body, "sensors": fresh}).decode()
                yield f"id: {body['cursor']}\nevent: values\ndata: {data}\n\n"
                quiet = loop.time()
            elif loop.time() - quiet > 15:
                yield ": still here\n\n"
                quiet = loop.time()
            await asyncio.sleep(STREAM_POLL)

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # no proxy buffering of the stream
    return response


@csrf_exempt
@require_POST
def notify(request: HttpRequest) -> HttpResponse:
    """Receives the broker's notifications for the live map (the subscription's endpoint)."""
    tenant = request.headers.get("NGSILD-Tenant", "")
    key = request.headers.get(feed.KEY_HEADER, "")
    if not hmac.compare_digest(key, feed.receiver_key(tenant)):
        return JsonResponse({"error": f"{feed.KEY_HEADER}: not the key of this tenant"}, status=403)
    try:
        count = feed.record(tenant, orjson.loads(request.body))
    except (orjson.JSONDecodeError, ValueError, AttributeError) as exc:
        return JsonResponse({"error": f"notification: {exc}"}, status=400)
    return JsonResponse({"recorded": count})


def _sensor_or_404(request: HttpRequest, entity_id: str) -> Sensor:
    sensor = entity_of(request.city.tenant, entity_id)  # type: ignore[attr-defined]
    if sensor is None:
        raise Http404(_("No such sensor"))
    return sensor


def _station_series(
    request: HttpRequest, sensor: Sensor
) -> tuple[str, charts.Range, list[charts.Row], dt.datetime, dt.datetime]:
    numeric = [a for a, v in sensor.values.items() if isinstance(v, (int, float))]
    attribute = request.GET.get("attribute") or MAIN_ATTRIBUTE.get(sensor.type, "")
    if attribute not in numeric:
        attribute = numeric[0] if numeric else attribute
    rng = charts.RANGE_BY_KEY.get(request.GET.get("range", ""), charts.RANGES[0])
    now = sensor_source.now()
    start, end = charts.bounds(rng, now)
    rows = charts.series(sensor.city, sensor.id, attribute, rng, now) if numeric else []
    return attribute, rng, rows, start, end


#: Django date format characters with a plain strftime equivalent
_STRFTIME = {"d": "%d", "m": "%m", "Y": "%Y", "y": "%y", "H": "%H", "i": "%M", "s": "%S"}


def _date_formatter(name: str) -> Any:
    """A function formatting a local datetime in the named Django format: strftime when the
    format has only plain numeric parts (``d.m.Y H:i``), else Django's ``date_format``."""
    django_format = str(formats.get_format(name))
    if all(c in _STRFTIME or not c.isalpha() for c in django_format) and "\\" not in django_format:
        pattern = "".join(_STRFTIME.get(c, c.replace("%", "%%")) for c in django_format)
        return lambda moment: moment.strftime(pattern)
    return lambda moment: formats.date_format(moment, name)


def _series_table_html(rows: list[charts.Row]) -> str:
    """The rows of the table behind the chart (markup built here: a year has 365 rows and
    the template's ``date`` and ``floatformat`` cost more than the rest of the page)."""
    separator = str(formats.get_format("DECIMAL_SEPARATOR"))
    date = _date_formatter("SHORT_DATETIME_FORMAT")

    def number(value: float | None) -> str:
        return "" if value is None else f"{value:.1f}".replace(".", separator)

    return "".join(
        f"<tr><td>{date(timezone.localtime(r.start))}</td><td>{number(r.avg)}</td>"
        f"<td>{number(r.low)}</td><td>{number(r.high)}</td></tr>"
        for r in rows
    )


def station(request: HttpRequest, city: str, entity_id: str) -> HttpResponse:
    """A sensor's current values and its chart over a chosen range."""
    sensor = _sensor_or_404(request, entity_id)
    attribute, rng, rows, start, end = _station_series(request, sensor)
    fmt = "%H:%M" if rng.key == "24h" else ("%d.%m. %H:%M" if rng.key == "7d" else "%d.%m.%Y")
    chart = charts.chart(rows, start, end, fmt)
    values = [r.avg for r in rows if r.avg is not None]
    lows = [r.low for r in rows if r.low is not None]
    highs = [r.high for r in rows if r.high is not None]
    context = {
        "city": request.city,  # type: ignore[attr-defined]
        "sensor": sensor,
        "attribute": attribute,
        "unit": UNITS.get(attribute, ""),
        "current": [(a, value_text(a, v)) for a, v in sorted(sensor.values.items())],
        "ranges": charts.RANGES,
        "range": rng,
        "rows": rows,
        "table_html": _series_table_html(rows),
        "chart": chart,
        "start": start,
        "end": end,
        "summary": {
            "count": len(rows),
            "mean": value_text(attribute, sum(values) / len(values)) if values else "–",
            "low": value_text(attribute, min(lows)) if lows else "–",
            "high": value_text(attribute, max(highs)) if highs else "–",
        },
        "attributes": [a for a, v in sorted(sensor.values.items()) if isinstance(v, (int, float))],
    }
    return render(request, "dashboards/station.html", context)


def _csv(name: str, header: list[str], rows: list[list[Any]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def _n(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def station_csv(request: HttpRequest, city: str, entity_id: str) -> HttpResponse:
    """The table behind the station chart as CSV."""
    sensor = _sensor_or_404(request, entity_id)
    attribute, rng, rows, _start, _end = _station_series(request, sensor)
    name = f"{sensor.id.rsplit(':', 1)[-1]}-{attribute}-{rng.key}"
    return _csv(
        name,
        ["start", f"{attribute}_avg", f"{attribute}_min", f"{attribute}_max"],
        [[charts.iso(r.start), _n(r.avg), _n(r.low), _n(r.high)] for r in rows],
    )


def analyses_page(request: HttpRequest, city: str) -> HttpResponse:
    """Heat island, air quality, parking and trees of one city."""
    tenant = request.city.tenant  # type: ignore[attr-defined]
    sensors, _version = city_sensors([tenant])
    try:
        days = max(1, min(30, int(request.GET.get("days", "7"))))
    except ValueError:
        days = 7
    now = sensor_source.now()
    end = now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    start = end - dt.timedelta(days=days)
    heat = None
    if any(s.type == "WeatherObserved" for s in sensors):
        series = analyses.aggregated_series(
            tenant, "WeatherObserved", ["temperature", "blackGlobeTemperature"], start, end, "PT1H"
        )
        heat = analyses.heat(sensors, series, days)
    year_start = timezone.localtime(now).replace(
        month=1, day=1, hour=0, minute=0, second=0, microsecond=0
    )
    air_series: dict[str, Any] = {}
    for entity_type in ("AirQualityObserved", "WeatherObserved"):
        if any(s.type == entity_type and "pm10" in s.values for s in sensors):
            air_series.update(
                analyses.aggregated_series(
                    tenant, entity_type, ["pm10", "pm25"], year_start, end, "P1D"
                )
            )
    air = analyses.air(sensors, air_series)
    parks = analyses.car_parks(sensors)
    typical = occupancy.typical_occupancy(tenant, sensors, now)
    trees = analyses.tree_moisture(sensors)
    alerts = analyses.tree_alerts(sensors)
    table = request.GET.get("csv")
    if table == "heat" and heat:
        return _csv(
            "waermeinsel",
            ["district", "day_diff_K", "night_diff_K", "heat_days", "tropical_nights", "stations"],
            [
                [d.district, _n(d.day), _n(d.night), d.heat_days, d.tropical_nights, d.stations]
                for d in heat.districts
            ],
        )
    if table == "air":
        return _csv(
            "feinstaub",
            ["station", "days", "pm10_mean", "pm10_days_over_50", "pm25_mean"],
            [
                [a.sensor.name, a.days, _n(a.pm10_mean), a.pm10_exceedances, _n(a.pm25_mean)]
                for a in air
            ],
        )
    if table == "parking":
        return _csv(
            "parken",
            ["car_park", "spots", "free", "free_disabled", "occupancy_percent"],
            [[p.name, p.spots, p.free, p.disabled_free, p.occupancy] for p in parks],
        )
    if table == "occupancy":
        return _csv(
            "parken-typische-belegung",
            ["car_park", "weekday", "hour", "occupancy_percent"],
            [
                [m.name, WEEKDAY_KEYS[day], hour, _n(value)]
                for m in typical
                for day, row in enumerate(m.cells)
                for hour, value in enumerate(row)
            ],
        )
    if table == "trees":
        return _csv(
            "baeume",
            ["tree", "soil_moisture_percent", "needs_water"],
            [
                [t.name, t.values["soilMoisture"], t.values["soilMoisture"] < analyses.TREE_ALERT]
                for t in trees
            ],
        )
    context = {
        "city": request.city,  # type: ignore[attr-defined]
        "days": days,
        "heat": heat,
        "air": air,
        "parks": parks,
        "typical": [_heat_map(m) for m in typical],
        "typical_weeks": occupancy.WEEKS,
        "hours": range(24),
        "trees": trees,
        "alerts": alerts,
        "limits": {
            "tree": analyses.TREE_ALERT,
            "heat_day": analyses.HEAT_DAY,
            "tropical": analyses.TROPICAL_NIGHT,
            "pm10": analyses.PM10_DAILY_LIMIT,
            "pm10_days": analyses.PM10_ALLOWED_DAYS,
            "pm25": analyses.PM25_ANNUAL_LIMIT,
        },
    }
    return render(request, "dashboards/analyses.html", context)


WEEKDAY_KEYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _heat_map(matrix: occupancy.Matrix) -> dict[str, Any]:
    """A car park's weekday × hour table with a viridis fill and readable ink per cell."""
    from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR

    rows = []
    for day, values in enumerate(matrix.cells):
        cells = []
        for value in values:
            if value is None:
                cells.append({"text": "–", "style": ""})
                continue
            fill = viridis(value / 100)
            cells.append(
                {
                    "text": formats.number_format(value, 0),
                    "style": f"background:{fill};color:{ink(fill)}",
                }
            )
        rows.append({"day": WEEKDAYS[day], "abbr": WEEKDAYS_ABBR[day], "cells": cells})
    peak = matrix.peak
    return {
        "matrix": matrix,
        "rows": rows,
        "peak": {"day": WEEKDAYS[peak[0]], "hour": peak[1], "value": round(peak[2])}
        if peak
        else None,
    }


def _tile_number(value: Any) -> str:
    """Whole numbers (days, spaces) without decimals, others with one."""
    return formats.number_format(value, 0 if value == value.to_integral_value() else 1)


def _kpi_tiles() -> list[dict[str, Any]]:
    """The strategy's live KPIs with their latest value, each linking to its project."""
    from dos.portal.strategy.models import Kpi

    tiles = []
    kpis = (
        Kpi.objects.filter(source="live")
        .select_related("project")
        .prefetch_related("values")
        .order_by("project__code", "position", "pk")
    )
    for kpi in kpis:
        values = list(kpi.values.all())
        latest = values[-1] if values else None
        tiles.append(
            {
                "kpi": kpi,
                "value": _tile_number(latest.value) if latest else "–",
                "date": latest.date if latest else None,
                "url": reverse("strategy:project", args=[kpi.project.slug]),
            }
        )
    return tiles


def _interval(request: HttpRequest) -> int:
    """Seconds between live updates (``?poll=``, 2…300; default 15)."""
    try:
        return max(2, min(300, int(request.GET.get("poll", "15"))))
    except ValueError:
        return 15
