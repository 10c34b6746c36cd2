"""Denormalised index rows derived from an entity document (internal representation).

Both engines keep, next to the JSON document, one row per entity type, one per attribute name
and kind, one bounding box per geo-property instance and one row per numeric value of an
attribute (what ``q=temperature>30`` compares). Queries use them to find candidates by index;
the exact test (shapely for geometries, the ``q`` SQL for values) is done on the candidates.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from dos.broker.query.q_nodes import VALUE_MEMBER, candidates

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


#: Numbers beyond this are not all exact as doubles: the index decides a comparison with a
#: literal alone only when the literal lies within it (a stored double then orders like the
#: number it came from, see :func:`value_prefilter`).
_EXACT_LIMIT = 2.0**53


@dataclass(frozen=True)
class ValueRange:
    """Numbers from ``low`` to ``high`` (None: unbounded); ``strict``: both ends excluded."""

    low: float | None = None
    high: float | None = None
    strict: bool = False

    def sql(self) -> tuple[str, list[float]]:
        """The condition on the index column ``num``."""
        if self.low is not None and self.low == self.high and not self.strict:
            return "num = ?", [self.low]
        parts: list[str] = []
        params: list[float] = []
        for bound, op in ((self.low, ">"), (self.high, "<")):
            if bound is not None:
                parts.append(f"num {op}{'' if self.strict else '='} ?")
                params.append(bound)
        return " AND ".join(parts), params


@dataclass(frozen=True)
class ValuePrefilter:
    """The value index rows that every entity matching a ``q`` has: numbers of ``attr``
    in one of ``ranges``. ``exact``: an entity matches ``q`` exactly when it has such a row,
    so the index alone answers the query (no test of the documents needed)."""

    attr: str
    ranges: tuple[ValueRange, ...]
    exact: bool = False

    def sql(self) -> tuple[str, list[Any]]:
        """The WHERE condition on ``entity_values`` (tenant parameter first)."""
        conds: list[str] = []
        params: list[Any] = []
        for value_range in self.ranges:
            cond, cond_params = value_range.sql()
            conds.append(f"({cond})")
            params.extend(cond_params)
        return f"tenant = ? AND attr = ? AND ({' OR '.join(conds)})", [self.attr, *params]


def value_prefilter(q: Any) -> ValuePrefilter | None:
    """The value index rows that every entity matching ``q`` has, if there is such a set.

    For a positive numeric comparison on a top-level attribute (``attr>n``, ``attr==a..b``,
    ``attr==a,b``), alone or as one item of ``;``. The index holds every number a term on the
    attribute compares with (:func:`value_rows` follows the rules of ``q``), as a double.
    When ``q`` is that one comparison and its literals are below 2**53 in magnitude, the index
    is exact: a double orders against such a literal like the number it came from. Otherwise
    the ranges are inclusive and only narrow the candidates (the exact ``q`` test runs on them).
    """
    from dos.broker.query.q_nodes import And, Comparison, Range, ValueList, ValueTerm

    if isinstance(q, And):
        for item in q.items:
            found = value_prefilter(item)
            if found is not None:
                return ValuePrefilter(found.attr, found.ranges)  # other items: test the docs
        return None
    if not isinstance(q, ValueTerm) or q.negated:
        return None
    path = q.path
    if path.sub_iris or path.member is not None or path.keys:
        return None
    ranges: tuple[ValueRange, ...]
    if isinstance(q, Comparison) and q.value.compares_as == "number":
        literals = [q.value.value]
        number = float(q.value.value)
        if q.op == "==":
            ranges = (ValueRange(number, number),)
        elif q.op in (">", ">="):
            ranges = (ValueRange(number, None, q.op == ">"),)
        else:
            ranges = (ValueRange(None, number, q.op == "<"),)
    elif isinstance(q, Range) and q.low.compares_as == "number":
        if q.high.compares_as != "number":
            return None  # a number cannot lie between a number and a string
        literals = [q.low.value, q.high.value]
        ranges = (ValueRange(float(q.low.value), float(q.high.value)),)
    elif isinstance(q, ValueList) and all(v.compares_as == "number" for v in q.values):
        literals = [v.value for v in q.values]
        ranges = tuple(ValueRange(float(v.value), float(v.value)) for v in q.values)
    else:
        return None
    exact = all(
        isinstance(v, int | float) and not isinstance(v, bool) and abs(v) < _EXACT_LIMIT
        for v in literals
    )
    if not exact:  # numbers are stored as doubles: keep the ends
        ranges = tuple(ValueRange(r.low, r.high) for r in ranges)
    return ValuePrefilter(path.attr_iri, ranges, exact)
