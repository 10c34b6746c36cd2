"""Denormalised index rows derived from an entity document (internal representation).

Both engines keep, next to the JSON document, one row per entity type, one per attribute name
and kind, and one bounding box per geo-property instance. Queries use them to find candidates
by index; the exact geometry test is done with shapely afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

Box = tuple[float, float, float, float]


def type_rows(doc: dict[str, Any]) -> list[str]:
    """The entity's expanded types, without duplicates."""
    return list(dict.fromkeys(doc.get("type", [])))


def attr_rows(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """(expanded attribute name, attribute kind) pairs, one per distinct pair."""
    rows: dict[tuple[str, str], None] = {}
    for name, instances in doc.get("attrs", {}).items():
        for instance in instances:
            rows[(name, str(instance.get("type", "Property")))] = None
    return list(rows)


def _points(coordinates: Any) -> Iterator[tuple[float, float]]:
    if (
        isinstance(coordinates, list)
        and len(coordinates) >= 2
        and all(isinstance(c, int | float) for c in coordinates[:2])
    ):
        yield float(coordinates[0]), float(coordinates[1])
        return
    if isinstance(coordinates, list):
        for item in coordinates:
            yield from _points(item)


def geometry_box(geometry: Any) -> Box | None:
    """Bounding box (minx, miny, maxx, maxy) of a GeoJSON geometry, None if it has no points."""
    if not isinstance(geometry, dict):
        return None
    if geometry.get("type") == "GeometryCollection":
        boxes = [b for g in geometry.get("geometries", []) if (b := geometry_box(g))]
        if not boxes:
            return None
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
    points = list(_points(geometry.get("coordinates")))
    if not points:
        return None
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def geo_rows(doc: dict[str, Any]) -> list[tuple[str, Box]]:
    """(expanded attribute name, bounding box) for every GeoProperty instance."""
    rows = []
    for name, instances in doc.get("attrs", {}).items():
        for instance in instances:
            if instance.get("type") == "GeoProperty":
                box = geometry_box(instance.get("value"))
                if box is not None:
                    rows.append((name, box))
    return rows


Signature = tuple[list[str], list[tuple[str, str]], list[tuple[str, Any]]]


def signature(doc: dict[str, Any]) -> Signature:
    """What the index rows of a document depend on: an update rewrites them only when this
    changes (geometries are compared as values; computing boxes is the costly part)."""
    attrs = doc.get("attrs", {})
    return (
        doc.get("type", []),
        [(name, str(i.get("type"))) for name, instances in attrs.items() for i in instances],
        [
            (name, i.get("value"))
            for name, instances in attrs.items()
            for i in instances
            if i.get("type") == "GeoProperty"
        ],
    )
