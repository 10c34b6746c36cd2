"""GeoJSON geometries (RFC 7946) as GeoProperty values (ETSI GS CIM 009 §4.7)."""

from __future__ import annotations

from typing import Any

GEOMETRY_TYPES = frozenset(
    {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
)


def _position_problem(position: Any) -> str | None:
    if not isinstance(position, list) or not 2 <= len(position) <= 3:
        return "a position must be an array of 2 or 3 numbers"
    for number in position:
        if isinstance(number, bool) or not isinstance(number, int | float):
            return "a position must contain numbers only"
    if not -180 <= position[0] <= 180 or not -90 <= position[1] <= 90:
        return f"the position {position} is outside longitude -180..180 / latitude -90..90"
    return None


def _positions_problem(positions: Any, minimum: int) -> str | None:
    if not isinstance(positions, list) or len(positions) < minimum:
        return f"expected an array of at least {minimum} positions"
    for position in positions:
        problem = _position_problem(position)
        if problem:
            return problem
    return None


def _polygon_problem(rings: Any) -> str | None:
    if not isinstance(rings, list) or not rings:
        return "a Polygon needs at least one linear ring"
    for ring in rings:
        problem = _positions_problem(ring, 4)
        if problem:
            return f"linear ring: {problem}"
        if ring[0] != ring[-1]:
            return "a linear ring must end with its first position (closed)"
    return None


def geometry_problem(geometry: Any) -> str | None:
    """Why ``geometry`` is not a valid GeoJSON geometry, or ``None`` when it is."""
    if not isinstance(geometry, dict):
        return "a geometry must be a GeoJSON object"
    kind = geometry.get("type")
    if kind not in GEOMETRY_TYPES:
        return f"unsupported geometry type {kind!r} (one of {', '.join(sorted(GEOMETRY_TYPES))})"
    coordinates = geometry.get("coordinates")
    if coordinates is None:
        return f"the {kind} has no coordinates"
    if kind == "Point":
        return _position_problem(coordinates)
    if kind == "MultiPoint":
        return _positions_problem(coordinates, 1)
    if kind == "LineString":
        return _positions_problem(coordinates, 2)
    if kind == "MultiLineString":
        if not isinstance(coordinates, list) or not coordinates:
            return "a MultiLineString needs at least one LineString"
        for line in coordinates:
            problem = _positions_problem(line, 2)
            if problem:
                return problem
        return None
    if kind == "Polygon":
        return _polygon_problem(coordinates)
    if not isinstance(coordinates, list) or not coordinates:
        return "a MultiPolygon needs at least one Polygon"
    for polygon in coordinates:
        problem = _polygon_problem(polygon)
        if problem:
            return problem
    return None


def looks_like_geometry(value: Any) -> bool:
    """True for an object shaped like a GeoJSON geometry (``type`` and ``coordinates``)."""
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        return False  # a "type" that is a list or object is no geometry (and not hashable)
    return value["type"] in GEOMETRY_TYPES and "coordinates" in value
