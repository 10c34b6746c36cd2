"""Where an idea is: the district of a point, and projection for the SVG idea map."""

from __future__ import annotations

import json
from dataclasses import dataclass

from dos.portal.participation.models import District
from dos.portal.tenancy.models import City


def district_for(city: City, latitude: float, longitude: float) -> District | None:
    """The district of ``city`` whose outline contains the point, if any."""
    from shapely.geometry import Point

    point = Point(longitude, latitude)  # GeoJSON order: x = longitude
    for district in District.objects.filter(city=city):
        try:
            if district.shape().covers(point):
                return district
        except (ValueError, TypeError, KeyError, json.JSONDecodeError):
            continue  # a broken outline must not stop the submission
    return None


@dataclass(frozen=True)
class Frame:
    """A bounding box mapped onto an SVG canvas (simple equirectangular projection,
    longitudes shrunk by cos(latitude) so that the map is not stretched)."""

    west: float
    south: float
    east: float
    north: float
    width: int = 640

    @property
    def _x_scale(self) -> float:
        import math

        mid = math.radians((self.south + self.north) / 2)
        return math.cos(mid)

    @property
    def height(self) -> int:
        span_x = (self.east - self.west) * self._x_scale or 1e-6
        span_y = self.north - self.south or 1e-6
        return max(120, round(self.width * span_y / span_x))

    def xy(self, latitude: float, longitude: float) -> tuple[float, float]:
        x = (longitude - self.west) / ((self.east - self.west) or 1e-6) * self.width
        y = (self.north - latitude) / ((self.north - self.south) or 1e-6) * self.height
        return round(x, 1), round(y, 1)

    @classmethod
    def around(cls, points: list[tuple[float, float]], pad: float = 0.08) -> Frame:
        lats = [p[0] for p in points]
        lons = [p[1] for p in points]
        south, north = min(lats), max(lats)
        west, east = min(lons), max(lons)
        dy = max(north - south, 0.01) * pad + 0.005
        dx = max(east - west, 0.01) * pad + 0.005
        return cls(west - dx, south - dy, east + dx, north + dy)


def outline_points(district: District) -> list[list[tuple[float, float]]]:
    """The exterior rings of a district as (lat, lon) lists."""
    geometry = json.loads(district.geometry)
    polygons = (
        geometry["coordinates"]
        if geometry.get("type") == "MultiPolygon"
        else [geometry.get("coordinates", [])]
    )
    return [[(lat, lon) for lon, lat, *_ in polygon[0]] for polygon in polygons if polygon]
