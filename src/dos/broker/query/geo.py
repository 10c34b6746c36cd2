"""Geo-queries: ``georel``, ``geometry``, ``coordinates``, ``geoproperty`` (ETSI GS CIM 009 §4.10).

``parse_geo_query`` checks the four parameters and returns a :class:`GeoQuery` whose
``matches(entity)`` applies the exact predicate with shapely and whose ``bbox()`` gives the
rectangle a store's bounding-box index can use as a prefilter (every match lies in it).

Distances (``near;maxDistance==500``) are metres on the WGS 84 sphere, computed in a local
equirectangular projection centred on the query geometry — exact enough at city scale (well
under 1 % within 50 km) and cheap. The topological relations are evaluated on longitude and
latitude directly.
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import orjson
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from dos.broker.errors import NgsiError
from dos.broker.query.scanner import Scanner

EARTH_RADIUS = 6_371_008.8  # metres, the mean radius (IUGG)
METRES_PER_DEGREE = EARTH_RADIUS * math.pi / 180
RELATIONS = ("near", "within", "contains", "intersects", "equals", "disjoint", "overlaps")
GEOMETRIES = ("Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon")
DEFAULT_GEOPROPERTY = "location"
MAX_COORDINATES_TEXT = 200_000
#: Nesting depth of the coordinates of each geometry type.
_DEPTH = {
    "Point": 0,
    "LineString": 1,
    "MultiPoint": 1,
    "Polygon": 2,
    "MultiLineString": 2,
    "MultiPolygon": 3,
}
BBox = tuple[float, float, float, float]
_LETTERS = frozenset(string.ascii_letters)


def _bad(detail: str) -> NgsiError:
    return NgsiError("BadRequestData", detail)


@dataclass(frozen=True)
class GeoQuery:
    """A parsed geo-query; ``geoproperty_iri`` names the attribute tested (default location)."""

    relation: str
    geometry_type: str
    coordinates: Any
    shape: BaseGeometry = field(compare=False, repr=False)
    geoproperty: str = DEFAULT_GEOPROPERTY
    geoproperty_iri: str = ""
    max_distance: float | None = None
    min_distance: float | None = None

    @property
    def georel(self) -> str:
        """The ``georel`` text, e.g. ``near;maxDistance==500.0``."""
        if self.max_distance is not None:
            return f"near;maxDistance=={self.max_distance}"
        if self.min_distance is not None:
            return f"near;minDistance=={self.min_distance}"
        return self.relation

    def geometries(self, entity: Mapping[str, Any]) -> list[BaseGeometry]:
        """The shapes of all instances of the geoproperty of an entity document (bad ones skipped)."""
        attrs = entity.get("attrs")
        found = attrs.get(self.geoproperty_iri) if isinstance(attrs, Mapping) else None
        shapes = []
        for instance in found if isinstance(found, list) else []:
            value = instance.get("value") if isinstance(instance, Mapping) else None
            geom = geometry_of(value)
            if geom is not None:
                shapes.append(geom)
        return shapes

    def matches(self, entity: Mapping[str, Any]) -> bool:
        """Whether some instance of the entity's geoproperty satisfies the relation."""
        points = self._point_projection
        if points is not None:
            # near a Point: entity Points are measured without building shapes
            attrs = entity.get("attrs")
            found = attrs.get(self.geoproperty_iri) if isinstance(attrs, Mapping) else None
            for instance in found if isinstance(found, list) else []:
                value = instance.get("value") if isinstance(instance, Mapping) else None
                if isinstance(value, Mapping) and value.get("type") == "Point":
                    coordinates: Any = value.get("coordinates")
                    try:
                        _check_positions("Point", coordinates, "value")
                    except NgsiError:
                        continue  # not a geometry: never matches
                    lon0, lat0, scale_x, scale_y = points
                    dx = (coordinates[0] - lon0) * scale_x
                    dy = (coordinates[1] - lat0) * scale_y
                    if self._near(math.sqrt(dx * dx + dy * dy)):
                        return True
                elif self._matches_value(value):
                    return True
            return False
        for geom in self.geometries(entity):
            try:
                if self.matches_geometry(geom):
                    return True
            except shapely.errors.ShapelyError:
                continue  # a stored geometry GEOS cannot evaluate never matches
        return False

    def _matches_value(self, value: Any) -> bool:
        geom = geometry_of(value)
        if geom is None:
            return False
        try:
            return self.matches_geometry(geom)
        except shapely.errors.ShapelyError:
            return False

    @cached_property
    def _point_projection(self) -> tuple[float, float, float, float] | None:
        """(lon0, lat0, metres per degree of longitude, of latitude) of ``near`` a Point: the
        projection of :meth:`_project`, where the query point lies at the origin, so the
        distance of a point is the square root of its squared projected coordinates (the
        arithmetic of GEOS)."""
        if self.relation != "near" or self.geometry_type != "Point":
            return None
        centre = self.shape.centroid
        lon0, lat0 = float(centre.x), float(centre.y)
        return lon0, lat0, METRES_PER_DEGREE * math.cos(math.radians(lat0)), METRES_PER_DEGREE

    def _near(self, distance: float) -> bool:
        if self.max_distance is not None:
            return distance <= self.max_distance
        return self.min_distance is not None and distance >= self.min_distance

    def matches_geometry(self, geom: BaseGeometry) -> bool:
        """The exact predicate for one entity geometry."""
        relation = self.relation
        if relation == "near":
            return self._near(self.distance(geom))
        predicate: Callable[[BaseGeometry], bool] = getattr(geom, relation)
        return bool(predicate(self.shape))

    def distance(self, geom: BaseGeometry) -> float:
        """Metres between an entity geometry and the query geometry."""
        return float(self._project(geom).distance(self._projected_shape))

    @cached_property
    def _projected_shape(self) -> BaseGeometry:
        # computed once per query, not once per candidate (cached_property writes the
        # instance __dict__ directly, which a frozen dataclass allows)
        return self._project(self.shape)

    def _project(self, geom: BaseGeometry) -> BaseGeometry:
        centre = self.shape.centroid
        lon0, lat0 = centre.x, centre.y
        scale = np.array([METRES_PER_DEGREE * math.cos(math.radians(lat0)), METRES_PER_DEGREE])
        origin = np.array([lon0, lat0])
        return shapely.transform(geom, lambda coords: (coords - origin) * scale)

    def bbox(self) -> BBox | None:
        """(min_lon, min_lat, max_lon, max_lat) containing every match, or None (no prefilter).

        ``near;minDistance`` and ``disjoint`` match far away too, so they have no rectangle.
        """
        relation = self.relation
        if relation == "disjoint" or (relation == "near" and self.max_distance is None):
            return None
        min_lon, min_lat, max_lon, max_lat = self.shape.bounds
        if relation == "near" and self.max_distance is not None:
            lat0 = self.shape.centroid.y
            dlat = self.max_distance / METRES_PER_DEGREE
            cos0 = math.cos(math.radians(lat0))
            dlon = 360.0 if cos0 < 1e-9 else self.max_distance / (METRES_PER_DEGREE * cos0)
            min_lon, max_lon = min_lon - dlon, max_lon + dlon
            min_lat, max_lat = min_lat - dlat, max_lat + dlat
        return (max(min_lon, -180.0), max(min_lat, -90.0), min(max_lon, 180.0), min(max_lat, 90.0))


def geometry_of(value: Any) -> BaseGeometry | None:
    """A shapely geometry from a GeoJSON geometry object, or None when it is not one."""
    if not isinstance(value, Mapping) or value.get("type") not in GEOMETRIES:
        return None
    try:
        _check_positions(value["type"], value.get("coordinates"), "value")
        geom = shape(value)
    except (NgsiError, ValueError, TypeError, AttributeError, IndexError, KeyError):
        return None
    except shapely.errors.ShapelyError:
        return None
    return None if geom.is_empty else geom


def _check_positions(geometry: str, coordinates: Any, where: str) -> None:
    """Check the nesting, the numbers and the WGS 84 ranges of GeoJSON coordinates."""

    def walk(node: Any, depth: int, path: str) -> None:
        if depth == 0:
            if (
                not isinstance(node, list)
                or len(node) not in (2, 3)
                or not all(isinstance(n, int | float) and not isinstance(n, bool) for n in node)
            ):
                raise _bad(f"{where}: {path} must be a position [longitude, latitude]")
            if not all(math.isfinite(n) for n in node):
                raise _bad(f"{where}: {path} has a number out of range")
            if not -180 <= node[0] <= 180 or not -90 <= node[1] <= 90:
                raise _bad(f"{where}: {path} is outside longitude -180..180 / latitude -90..90")
            return
        if not isinstance(node, list) or not node:
            raise _bad(f"{where}: {path} must be a non-empty array")
        for index, child in enumerate(node):
            walk(child, depth - 1, f"{path}[{index}]")

    walk(coordinates, _DEPTH[geometry], "coordinates")
    lines = {"LineString": [coordinates], "MultiLineString": coordinates}.get(geometry, [])
    for index, line in enumerate(lines):
        if len(line) < 2:
            raise _bad(f"{where}: line {index} needs at least 2 positions")
    rings: list[Any] = []
    if geometry == "Polygon":
        rings = coordinates
    elif geometry == "MultiPolygon":
        rings = [ring for polygon in coordinates for ring in polygon]
    for index, ring in enumerate(rings):
        if len(ring) < 4 or ring[0][:2] != ring[-1][:2]:
            raise _bad(f"{where}: ring {index} must be closed and have at least 4 positions")


def _parse_georel(text: str) -> tuple[str, float | None, float | None]:
    s = Scanner("georel", text)
    relation = s.take_while(_LETTERS)
    if relation not in RELATIONS:
        s.error(f"unknown relation {relation!r} (expected one of {', '.join(RELATIONS)})", 0)
    if relation != "near":
        if not s.at_end():
            s.error(f"{relation!r} takes no parameters")
        return relation, None, None
    if not s.accept(";"):
        s.error("near needs ';maxDistance==<metres>' or ';minDistance==<metres>'")
    start = s.pos
    name = s.take_while(_LETTERS)
    if name not in ("maxDistance", "minDistance"):
        s.error(f"expected maxDistance or minDistance, found {name or s.peek()!r}", start)
    s.expect("==", "'=='")
    start = s.pos
    number = s.take_while(frozenset("0123456789.eE+-"))
    try:
        distance = float(number)
    except ValueError:
        s.error(f"expected a distance in metres, found {number or s.peek()!r}", start)
    if not math.isfinite(distance) or distance < 0:
        s.error(f"distance {number!r} must be a number of metres >= 0", start)
    if not s.at_end():
        s.unexpected()
    return (
        relation,
        distance if name == "maxDistance" else None,
        distance if name == "minDistance" else None,
    )


def parse_geo_query(
    georel: str | None,
    geometry: str | None,
    coordinates: str | list[Any] | None,
    geoproperty: str | None,
    expand: Callable[[str], str],
) -> GeoQuery | None:
    """Check the geo-query parameters; None when none of them is given.

    ``coordinates`` is the JSON array as text (query string) or already decoded (JSON body).
    """
    given = {"georel": georel, "geometry": geometry, "coordinates": coordinates}
    if all(v is None for v in given.values()):
        if geoproperty is not None:
            raise NgsiError("BadRequestData", "geoproperty: needs georel, geometry and coordinates")
        return None
    missing = [name for name, value in given.items() if value is None or value == ""]
    if missing:
        raise NgsiError(
            "BadRequestData",
            f"{', '.join(missing)}: missing; georel, geometry and coordinates go together",
        )
    assert georel is not None and geometry is not None and coordinates is not None
    relation, max_distance, min_distance = _parse_georel(georel)
    if geometry not in GEOMETRIES:
        raise _bad(f"geometry: {geometry!r} is not one of {', '.join(GEOMETRIES)}")
    if isinstance(coordinates, str):
        if len(coordinates) > MAX_COORDINATES_TEXT:
            raise _bad(f"coordinates: longer than {MAX_COORDINATES_TEXT} characters")
        try:
            coordinates = orjson.loads(coordinates)
        except orjson.JSONDecodeError as exc:
            raise _bad(f"coordinates: not a JSON array ({exc})") from None
    _check_positions(geometry, coordinates, "coordinates")
    try:
        geom = shape({"type": geometry, "coordinates": coordinates})
    except (ValueError, TypeError, shapely.errors.ShapelyError) as exc:
        raise _bad(f"coordinates: not a valid {geometry} ({exc})") from None
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        raise _bad(f"coordinates: not a valid {geometry} ({reason})")
    term = geoproperty or DEFAULT_GEOPROPERTY
    if not term or any(c in term for c in ' "<>{}|\\^`'):
        raise _bad(f"geoproperty: {term!r} is not an attribute name")
    return GeoQuery(
        relation=relation,
        geometry_type=geometry,
        coordinates=coordinates,
        geoproperty=term,
        geoproperty_iri=expand(term),
        max_distance=max_distance,
        min_distance=min_distance,
        shape=geom,
    )


def geo_query_from_json(body: Any, expand: Callable[[str], str]) -> GeoQuery | None:
    """The ``geoQ`` member of a query or subscription body (ETSI GS CIM 009 §5.2.13)."""
    if body is None:
        return None
    if not isinstance(body, Mapping):
        raise _bad("geoQ: must be a JSON object")
    values: dict[str, Any] = {}
    for name in ("georel", "geometry", "coordinates", "geoproperty"):
        value = body.get(name)
        if name != "coordinates" and value is not None and not isinstance(value, str):
            raise _bad(f"geoQ.{name}: must be a string")
        if name == "coordinates" and value is not None and not isinstance(value, str | list):
            raise _bad("geoQ.coordinates: must be an array")
        values[name] = value
    result = parse_geo_query(
        values["georel"], values["geometry"], values["coordinates"], values["geoproperty"], expand
    )
    if result is None:
        raise _bad("geoQ: needs georel, geometry and coordinates")
    return result
