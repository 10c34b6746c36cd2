"""Checks of the internal representation before anything is stored (ETSI GS CIM 009 §4.5).

Every failure raises :class:`~dos.broker.errors.NgsiError` ``BadRequestData`` whose detail names
the entity, the attribute and what is wrong, so that a client can fix its request.
"""

from __future__ import annotations

import re
from typing import Any

from dos.broker.errors import NgsiError

URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
NULL = "urn:ngsi-ld:null"

#: attribute kind → the member holding its value
VALUE_KEYS: dict[str, str] = {
    "Property": "value",
    "Relationship": "object",
    "GeoProperty": "value",
    "LanguageProperty": "languageMap",
    "VocabProperty": "vocab",
    "ListProperty": "valueList",
    "ListRelationship": "objectList",
    "JsonProperty": "json",
}
#: members of an attribute instance that are not sub-attributes
META_KEYS = frozenset(
    {
        "type",
        "datasetId",
        "observedAt",
        "unitCode",
        "createdAt",
        "modifiedAt",
        "deletedAt",
        "lang",
        "objectType",
        "value",
        "object",
        "languageMap",
        "vocab",
        "valueList",
        "objectList",
        "json",
        "previousValue",
    }
)
GEOMETRY_TYPES = frozenset(
    {
        "Point",
        "LineString",
        "Polygon",
        "MultiPoint",
        "MultiLineString",
        "MultiPolygon",
        "GeometryCollection",
    }
)
MAX_DEPTH = 32


def is_uri(value: Any) -> bool:
    """True for an absolute URI (a scheme, a colon, no spaces or forbidden characters)."""
    return isinstance(value, str) and URI.match(value) is not None


def check_entity_id(entity_id: Any) -> str:
    if not is_uri(entity_id):
        raise NgsiError("BadRequestData", f"entity id {entity_id!r} is not a URI")
    return str(entity_id)


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level)
    return level


def _plain_point(value: dict[str, Any]) -> bool:
    """A Point of two or three numbers: what shapely accepts without asking it (the common
    case, checked in a fraction of the time)."""
    if value.get("type") != "Point":
        return False
    coordinates = value.get("coordinates")
    return (
        type(coordinates) is list
        and 2 <= len(coordinates) <= 3
        and all(type(c) in (int, float) for c in coordinates)
    )


def check_geometry(value: Any, where: str) -> None:
    """A GeoJSON geometry that shapely accepts (coordinates checked, not just the type)."""
    if not isinstance(value, dict) or value.get("type") not in GEOMETRY_TYPES:
        raise NgsiError("BadRequestData", f"{where}: the value must be a GeoJSON geometry")
    if _plain_point(value):
        return
    from shapely.geometry import shape

    try:
        shape(value)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        raise NgsiError("BadRequestData", f"{where}: invalid GeoJSON geometry ({exc})") from None


def check_instance(name: str, instance: Any, where: str, *, partial: bool = False) -> None:
    """An attribute instance of the internal representation (``partial``: a PATCH fragment)."""
    label = f"{where} attribute {name}"
    if not isinstance(instance, dict):
        raise NgsiError("BadRequestData", f"{label}: an attribute must be a JSON object")
    kind = instance.get("type")
    if kind not in VALUE_KEYS:
        if partial and kind is None:
            return
        raise NgsiError("BadRequestData", f"{label}: unknown attribute type {kind!r}")
    key = VALUE_KEYS[kind]
    if key not in instance and not partial:
        raise NgsiError("BadRequestData", f"{label}: a {kind} needs a member {key!r}")
    value = instance.get(key)
    if key in instance and value is not None and value != NULL:
        if kind == "Relationship" and not (
            is_uri(value) or (isinstance(value, list) and value and all(map(is_uri, value)))
        ):
            raise NgsiError("BadRequestData", f"{label}: 'object' must be a URI")
        if kind == "ListRelationship" and not (isinstance(value, list) and all(map(is_uri, value))):
            raise NgsiError("BadRequestData", f"{label}: 'objectList' must be a list of URIs")
        if kind == "GeoProperty":
            check_geometry(value, label)
        if kind == "LanguageProperty" and not (
            isinstance(value, dict)
            and all(
                isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v))
                for v in value.values()
            )
        ):
            raise NgsiError(
                "BadRequestData", f"{label}: 'languageMap' must map language tags to strings"
            )
        if kind == "ListProperty" and not isinstance(value, list):
            raise NgsiError("BadRequestData", f"{label}: 'valueList' must be a list")
    if "datasetId" in instance and not is_uri(instance["datasetId"]):
        raise NgsiError("BadRequestData", f"{label}: datasetId must be a URI")
    if "observedAt" in instance and not isinstance(instance["observedAt"], str):
        raise NgsiError("BadRequestData", f"{label}: observedAt must be a date-time string")
    for sub_name, sub in instance.items():
        if sub_name not in META_KEYS:
            if isinstance(sub, list):
                raise NgsiError(
                    "BadRequestData", f"{label}: sub-attribute {sub_name} must be a single object"
                )
            check_instance(sub_name, sub, f"{label}:", partial=partial)
    nested = False
    for member in instance.values():
        if isinstance(member, dict | list):
            nested = True
            break
    if nested and _depth(instance) > MAX_DEPTH:
        raise NgsiError("BadRequestData", f"{label}: nested deeper than {MAX_DEPTH} levels")


def check_attrs(attrs: Any, where: str, *, partial: bool = False) -> None:
    """``{name: [instance, …]}`` with at most one default instance and unique datasetIds."""
    if not isinstance(attrs, dict):
        raise NgsiError("BadRequestData", f"{where}: attributes must be an object")
    for name, instances in attrs.items():
        if name in ("id", "type", "@context", "scope", "createdAt", "modifiedAt"):
            raise NgsiError("BadRequestData", f"{where}: {name!r} is not an attribute name")
        if not isinstance(instances, list) or not instances:
            raise NgsiError("BadRequestData", f"{where} attribute {name}: no instance given")
        seen: set[str | None] = set()
        for instance in instances:
            check_instance(name, instance, where, partial=partial)
            dataset = instance.get("datasetId")
            if dataset in seen:
                which = f"datasetId {dataset}" if dataset else "the default instance"
                raise NgsiError(
                    "BadRequestData", f"{where} attribute {name}: {which} is given twice"
                )
            seen.add(dataset)


def check_entity(doc: Any, *, need_type: bool = True, partial: bool = False) -> None:
    """A whole entity in the internal representation."""
    if not isinstance(doc, dict):
        raise NgsiError("BadRequestData", "an entity must be a JSON object")
    entity_id = check_entity_id(doc.get("id"))
    where = f"entity {entity_id}"
    types = doc.get("type")
    if types is None and not need_type:
        pass
    elif not isinstance(types, list) or not types or not all(isinstance(t, str) for t in types):
        raise NgsiError("BadRequestData", f"{where}: the entity needs a type")
    scope = doc.get("scope")
    if (
        scope is not None
        and not partial
        and not (
            isinstance(scope, list) and all(isinstance(s, str) and s.startswith("/") for s in scope)
        )
    ):
        raise NgsiError("BadRequestData", f"{where}: scope must be paths starting with '/'")
    check_attrs(doc.get("attrs", {}), where, partial=partial)
