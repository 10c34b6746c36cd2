"""``orderBy`` (ETSI GS CIM 009 §4.23 / §6.4.3.2): the order of query results.

``orderBy=type;asc,name.subProperty;desc`` sorts by each key in turn: a core member (``id``,
``type``, ``createdAt``, ``modifiedAt``), an attribute's value, or a member of an attribute
(a sub-attribute's value or ``createdAt``/``modifiedAt``/``observedAt``). Entities without the
key come last in either direction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dos.broker.errors import NgsiError

_CORE = frozenset({"id", "type", "createdAt", "modifiedAt"})
_META = frozenset({"createdAt", "modifiedAt", "observedAt", "unitCode", "datasetId"})
_MISSING = object()


@dataclass(frozen=True)
class OrderKey:
    """One key of ``orderBy``: a core member, or an attribute IRI and optional member."""

    attribute: str
    member: str | None = None
    core: bool = False
    descending: bool = False


def parse_order_by(text: str, expand: Callable[[str], str]) -> list[OrderKey]:
    """Parse ``orderBy``; BadRequestData names a malformed item."""
    keys: list[OrderKey] = []
    for raw in text.split(","):
        item = raw.strip()
        path, _, direction = item.partition(";")
        if direction not in ("", "asc", "desc"):
            raise NgsiError("BadRequestData", f"orderBy: {item!r}: direction must be asc or desc")
        names = path.split(".")
        if not path or not all(names) or len(names) > 2:
            raise NgsiError("BadRequestData", f"orderBy: {item!r} is not an attribute path")
        descending = direction == "desc"
        if len(names) == 1 and names[0] in _CORE:
            keys.append(OrderKey(names[0], core=True, descending=descending))
            continue
        member = None
        if len(names) == 2:
            member = names[1] if names[1] in _META else expand(names[1])
        keys.append(OrderKey(expand(names[0]), member, descending=descending))
    return keys


def _value(doc: dict[str, Any], key: OrderKey) -> Any:
    if key.core:
        value = doc.get(key.attribute, _MISSING)
        return value[0] if isinstance(value, list) and value else value
    instances = doc.get("attrs", {}).get(key.attribute) or []
    if not instances:
        return _MISSING
    instance = next((i for i in instances if not i.get("datasetId")), instances[0])
    if key.member is not None:
        instance = instance.get(key.member, _MISSING)
        if not isinstance(instance, dict):
            return instance
    for field in ("value", "object", "languageMap", "vocab", "json"):
        if field in instance:
            return instance[field]
    return _MISSING


def _rank(value: Any) -> tuple[int, Any]:
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, int | float):
        return (0, value)
    if isinstance(value, str):
        return (2, value)
    return (3, repr(value))


def sort_docs(docs: list[dict[str, Any]], keys: list[OrderKey]) -> list[dict[str, Any]]:
    """``docs`` sorted by ``keys`` (stable; entities lacking a key after the others)."""
    result = list(docs)
    for key in reversed(keys):
        values = [(_value(doc, key), doc) for doc in result]
        present = [(v, d) for v, d in values if v is not _MISSING]
        present.sort(key=lambda pair: _rank(pair[0]), reverse=key.descending)
        result = [d for _, d in present] + [d for v, d in values if v is _MISSING]
    return result
