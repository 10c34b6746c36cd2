"""Denormalised index rows derived from an entity document (internal representation).

Both engines keep, next to the JSON document, one row per entity type, one per attribute name
and kind, one bounding box per geo-property instance and one row per numeric value of an
attribute (what ``q=temperature>30`` compares). Queries use them to find candidates by index;
the exact test (shapely for geometries, the ``q`` SQL for values) is done on the candidates.
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


def value_rows(doc: dict[str, Any]) -> list[tuple[str, float]]:
    """(expanded attribute name, number) for every number a top-level ``q`` term compares.

    The candidates are found by the query language's own rules (:mod:`dos.broker.query.q_nodes`:
    the value member by attribute kind, array elements, ``{"@value": n}``), so the index holds
    every number that ``attr<op>n`` could match; booleans are not numbers here.
    """
    from dos.broker.query.q_nodes import VALUE_MEMBER, candidates

    rows: dict[tuple[str, float], None] = {}
    for name, instances in doc.get("attrs", {}).items():
        for instance in instances:
            # Path(name).target(instance) without a sub-attribute path, member or keys
            if not isinstance(instance, dict):
                continue
            kind = instance.get("type")
            member = VALUE_MEMBER.get(kind, "value") if isinstance(kind, str) else "value"
            if member not in instance:
                continue
            target = instance[member]
            if type(target) in (int, float):  # the common case: one plain number
                rows[(name, float(target))] = None
                continue
            for candidate in candidates(target, member == "languageMap"):
                if isinstance(candidate, int | float) and not isinstance(candidate, bool):
                    rows[(name, float(candidate))] = None
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


#: (low, high) bounds of numbers, inclusive; None: unbounded
Bounds = tuple[float | None, float | None]


def value_prefilter(q: Any) -> tuple[str, list[Bounds]] | None:
    """(attribute IRI, number ranges) that every entity matching ``q`` has in its value index.

    For a positive numeric comparison on a top-level attribute (``attr>n``, ``attr==a..b``,
    ``attr==a,b``), alone or as one item of ``;``. The ranges are inclusive and only narrow
    the candidates: the exact ``q`` test still runs on them (numbers are stored as doubles).
    """
    from dos.broker.query.q_nodes import And, Comparison, Range, ValueList, ValueTerm

    if isinstance(q, And):
        for item in q.items:
            found = value_prefilter(item)
            if found is not None:
                return found
        return None
    if not isinstance(q, ValueTerm) or q.negated:
        return None
    path = q.path
    if path.sub_iris or path.member is not None or path.keys:
        return None
    if isinstance(q, Comparison) and q.value.compares_as == "number":
        number = float(q.value.value)
        if q.op == "==":
            return path.attr_iri, [(number, number)]
        return path.attr_iri, [(number, None) if q.op in (">", ">=") else (None, number)]
    if isinstance(q, Range) and q.low.compares_as == "number":
        return path.attr_iri, [(float(q.low.value), float(q.high.value))]
    if isinstance(q, ValueList) and all(v.compares_as == "number" for v in q.values):
        return path.attr_iri, [(float(v.value), float(v.value)) for v in q.values]
    return None
