"""Dashboard pages: sensor maps (city and region), live values as JSON, station charts with
CSV, analyses, and the strategy's live KPI tiles."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from html import escape
from typing import Any
from urllib.parse import quote

import orjson
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dos.portal.dashboards import analyses, cache, charts, geomap
from dos.portal.dashboards import sensors as sensor_source
from dos.portal.dashboards.scale import STATES, legend_stops
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


def latest(request: HttpRequest, slug: str) -> HttpResponse:
    """The current values of a city's sensors, polled by the map page.

    The body is built once per snapshot, layer and language; its ETag lets a poll that
    brings nothing new end with 304 Not Modified (the browser revalidates: ``no-cache``).
    """
    found = City.objects.filter(slug=slug).first()
    if found is None:
        return JsonResponse({"error": f"city: there is no city {slug!r}"}, status=404)
    key = request.GET.get("layer")
    if key and key not in LAYER_BY_KEY:
        return JsonResponse(
            {"error": f"layer: must be one of {', '.join(LAYER_BY_KEY)}"}, status=400
        )
    layer = LAYER_BY_KEY[key] if key else None
    sensors, version = city_sensors([found.tenant])
    body, etag = cache.remember(
        lambda: _latest_body(found.slug, sensors, layer),
        "latest",
        version,
        key or "",
        get_language(),
    )
    headers = {"Cache-Control": "no-cache", "ETag": etag, "Vary": "Accept-Language, Cookie"}
    if etag in _etags(request.headers.get("If-None-Match", "")):
        return HttpResponse(status=304, headers=headers)
    return HttpResponse(body, content_type="application/json", headers=headers)


def _etags(header: str) -> set[str]:
    return {part.strip().removeprefix("W/") for part in header.split(",") if part.strip()}


def _latest_body(slug: str, sensors: list[Sensor], layer: Layer | None) -> tuple[bytes, str]:
    """The JSON of ``latest`` and its ETag."""
    from dos.portal.dashboards.scale import colour

    texts = _Texts()
    items = []
    for sensor in sensors:
        attribute = MAIN_ATTRIBUTE.get(sensor.type, "")
        value = sensor.value(attribute)
        item: dict[str, Any] = {
            "id": sensor.id,
            "type": sensor.type,
            "attribute": attribute,
            "value": value,
            "text": texts.of(attribute, value),
            "observedAt": sensor.observed.isoformat() if sensor.observed else None,
        }
        if layer and sensor.type in layer.types and layer.attribute in sensor.values:
            shown = sensor.values[layer.attribute]
            item["colour"] = colour(shown, layer.low, layer.high)
            item["layerText"] = texts.of(layer.attribute, shown)
        items.append(item)
    values = orjson.dumps(items)
    head = orjson.dumps({"city": slug, "time": sensor_source.now().isoformat()})
    body = head[:-1] + b',"sensors":' + values + b"}"
    # the ETag names the values only: a poll that brings the same values again is a 304
    return body, f'"{hashlib.blake2b(values, digest_size=12).hexdigest()}"'


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
                "value": formats.number_format(latest.value, 1) if latest else "–",
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
