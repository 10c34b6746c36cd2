"""The server-rendered SVG map: a projection of the cities' area, sensor points, grid-cell
clusters for the zoomed-out view and the district centres as labelled reference points."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Any

from dos.demo.network import DISTRICTS
from dos.portal.dashboards.scale import colour, viridis
from dos.portal.dashboards.sensors import Layer, Sensor

WIDTH = 800
PAD = 30
CELL = 36  # px of a cluster grid cell at zoom 1


@dataclass
class Point:
    sensor: Sensor
    x: float
    y: float
    value: Any
    colour: str


@dataclass
class Cluster:
    x: float
    y: float
    count: int
    value: float | None
    colour: str


@dataclass
class Reference:
    name: str
    x: float
    y: float


@dataclass
class MapView:
    width: int
    height: int
    points: list[Point]
    clusters: list[Cluster]
    references: list[Reference]


class Projection:
    """Equirectangular projection of a bounding box onto the SVG canvas (north up)."""

    def __init__(self, coords: list[tuple[float, float]]) -> None:
        lats = [c[0] for c in coords] or [51.5]
        lons = [c[1] for c in coords] or [7.5]
        self.lat0, self.lat1 = min(lats), max(lats)
        self.lon0, self.lon1 = min(lons), max(lons)
        self.kx = math.cos(math.radians((self.lat0 + self.lat1) / 2))
        span_x = max((self.lon1 - self.lon0) * self.kx, 1e-4)
        span_y = max(self.lat1 - self.lat0, 1e-4)
        self.scale = (WIDTH - 2 * PAD) / max(span_x, span_y * 1.0)
        self.height = round(span_y * self.scale + 2 * PAD)

    def __call__(self, lat: float, lon: float) -> tuple[float, float]:
        x = PAD + (lon - self.lon0) * self.kx * self.scale
        y = PAD + (self.lat1 - lat) * self.scale
        return round(x, 1), round(y, 1)


def numeric(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return None


def build(sensors: list[Sensor], layer: Layer, cities: list[str]) -> MapView:
    """Points of the layer's sensors, their clusters and the district references."""
    shown = [s for s in sensors if s.type in layer.types and layer.attribute in s.values]
    centres = [(name, c) for city in cities for name, c in DISTRICTS.get(city, {}).items()]
    project = Projection([c for _, c in centres] + [(s.lat, s.lon) for s in shown])
    points = []
    for sensor in shown:
        x, y = project(sensor.lat, sensor.lon)
        value = sensor.values[layer.attribute]
        points.append(Point(sensor, x, y, value, colour(value, layer.low, layer.high)))
    cells: dict[tuple[int, int], list[Point]] = {}
    for point in points:
        cells.setdefault((int(point.x // CELL), int(point.y // CELL)), []).append(point)
    clusters = []
    for members in cells.values():
        x = round(sum(p.x for p in members) / len(members), 1)
        y = round(sum(p.y for p in members) / len(members), 1)
        if layer.categorical:
            free = sum(1 for p in members if p.value == "free")
            mean: float | None = free / len(members)
            fill = viridis(mean)
        else:
            numbers = [v for v in (numeric(p.value) for p in members) if v is not None]
            mean = round(sum(numbers) / len(numbers), 1) if numbers else None
            fill = colour(mean, layer.low, layer.high)
        clusters.append(Cluster(x, y, len(members), mean, fill))
    references = [Reference(name, *project(*c)) for name, c in centres]
    return MapView(WIDTH, project.height, points, clusters, references)


def svg_layers(view: MapView) -> dict[str, str]:
    """The SVG markup of references, clusters and points (built here, not in the template:
    a city has hundreds of sensors and this keeps the map page fast)."""
    refs = "".join(
        f'<g><path d="M{r.x} {r.y}m-5 0h10m-5 -5v10" class="ref-mark"/>'
        f'<text x="{r.x}" y="{r.y}" dx="7" dy="-6" class="ref-label">{escape(r.name)}</text></g>'
        for r in view.references
    )
    clusters = "".join(
        f'<g><circle cx="{c.x}" cy="{c.y}" r="{13 if c.count > 1 else 7}" fill="{c.colour}" '
        f'class="cluster"/>'
        + (
            f'<text x="{c.x}" y="{c.y}" dy="4" class="cluster-count">{c.count}</text>'
            if c.count > 1
            else ""
        )
        + "</g>"
        for c in view.clusters
    )
    points = "".join(
        f'<circle cx="{p.x}" cy="{p.y}" r="5" fill="{p.colour}" class="point" '
        f'data-id="{escape(p.sensor.id)}"><title>{escape(p.sensor.name)}: '
        f"{escape(getattr(p, 'text', ''))}</title></circle>"
        for p in view.points
    )
    return {"references": refs, "clusters": clusters, "points": points}
