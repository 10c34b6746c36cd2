"""Client payloads (normalized, concise or simplified) → the broker's internal entity form.

The internal form (shared by every part of the broker)::

    {"id": "urn:...", "type": ["<type IRI>", ...], "scope": ["/a/b"],      # scope optional
     "createdAt": "...Z", "modifiedAt": "...Z",                           # set by the broker
     "attrs": {"<attribute IRI>": [instance, ...]}}

    instance = {"type": "Property", "value": ...,                         # or object, languageMap, …
                "datasetId"?, "observedAt"?, "unitCode"?, "objectType"?,
                "<sub-attribute IRI>": instance, ...}

Names and types are expanded with the request's active context (ETSI GS CIM 009 §5.5.7);
values stay as sent, except VocabProperty values and ``objectType``, which are IRIs.
Concise payloads (§4.5.2) may leave out ``type`` wherever the shape says it; simplified
payloads (``key_values=True``, §4.5.3) give only values. Every problem raises
``NgsiError("BadRequestData", detail)`` naming the attribute.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dos.broker.errors import NgsiError
from dos.broker.jsonld.active import ActiveContext
from dos.broker.jsonld.contexts import NGSI_LD
from dos.broker.jsonld.geometry import geometry_problem, looks_like_geometry
from dos.broker.jsonld.validation import (
    ALL_VALUE_KEYS,
    ATTRIBUTE_TYPES,
    GEO_ATTRIBUTE_NAMES,
    TYPE_OF_VALUE_KEY,
    VALUE_KEY,
    is_datetime,
    is_language_tag,
    is_scope,
    is_uri,
    name_problem,
)

#: the NGSI-LD Null (§4.5.0): in merge and update payloads it deletes what it names
NGSI_LD_NULL = "urn:ngsi-ld:null"
_SYSTEM_KEYS = frozenset({"createdAt", "modifiedAt", "deletedAt"})
_ENTITY_MEMBERS = frozenset({"id", "@id", "type", "@type", "scope", "@context"}) | _SYSTEM_KEYS
_SILENT_INSTANCE_KEYS = frozenset({"createdAt", "modifiedAt", "deletedAt", "lang", "@context"})
_MAX_DEPTH = 8
_GEO_IRIS = frozenset(NGSI_LD + name for name in GEO_ATTRIBUTE_NAMES)
# names already found valid (the check does not depend on the context); bounded
_VALID_NAMES: set[str] = set()


def _bad(detail: str) -> NgsiError:
    return NgsiError("BadRequestData", detail)


def expand_entity(
    body: Any,
    ctx: ActiveContext,
    *,
    allow_partial: bool = False,
    key_values: bool = False,
) -> dict[str, Any]:
    """Validate an entity payload and return it in the internal form.

    ``allow_partial``: ``id`` and ``type`` may be missing and ``null`` / ``urn:ngsi-ld:null``
    values are kept as ``None`` (merge and update semantics: delete). ``key_values``: the
    payload is simplified (every attribute a bare value; GeoJSON geometries become
    GeoProperties).
    """
    if not isinstance(body, dict):
        # not even shaped like an entity: the request itself is wrong (ETSI test 001_02_02)
        raise NgsiError("InvalidRequest", "an entity must be a JSON object")
    entity: dict[str, Any] = {}
    entity_id = body.get("id", body.get("@id"))
    if entity_id is None:
        if not allow_partial:
            raise _bad("the entity has no id")
    elif not is_uri(entity_id):
        raise _bad(f"the entity id {entity_id!r} is not a URI")
    else:
        entity["id"] = entity_id
    raw_type = body.get("type", body.get("@type"))
    if raw_type is None:
        if not allow_partial:
            raise _bad("the entity has no type")
    else:
        entity["type"] = expand_types(raw_type, ctx)
    if "scope" in body:
        scope = body["scope"]
        if scope is None and allow_partial:
            entity["scope"] = None
        else:
            entity["scope"] = expand_scope(scope)
    entity["attrs"] = expand_attributes(
        {k: v for k, v in body.items() if k not in _ENTITY_MEMBERS},
        ctx,
        allow_null=allow_partial,
        key_values=key_values,
    )
    return entity


def expand_types(raw: Any, ctx: ActiveContext) -> list[str]:
    """Entity type(s) as a list of expanded type IRIs (duplicates removed, order kept)."""
    names = raw if isinstance(raw, list) else [raw]
    if not names:
        raise _bad("the entity type list is empty")
    types: list[str] = []
    for name in names:
        problem = name_problem(name)
        if problem:
            raise _bad(f"entity type {name!r}: {problem}")
        iri = ctx.expand(name)
        if iri.startswith("@"):
            raise _bad(f"entity type {name!r} is a JSON-LD keyword, not a type")
        if iri not in types:
            types.append(iri)
    return types


def expand_scope(raw: Any) -> list[str]:
    """Scope value(s) (§4.18) as a list, each like ``/Dortmund/Innenstadt``."""
    scopes = raw if isinstance(raw, list) else [raw]
    if not scopes:
        raise _bad("scope is an empty list")
    for scope in scopes:
        if not is_scope(scope):
            raise _bad(f"scope {scope!r} is not a scope (like /Dortmund/Innenstadt)")
    return list(dict.fromkeys(scopes))


def expand_name(name: str, ctx: ActiveContext) -> str:
    """An attribute name (checked) expanded to its IRI."""
    if name not in _VALID_NAMES:
        problem = name_problem(name)
        if problem:
            raise _bad(f"attribute name {name!r}: {problem}")
        if len(_VALID_NAMES) < 50_000:
            _VALID_NAMES.add(name)
    return ctx.expand(name)


def expand_projection(names: Iterable[str], ctx: ActiveContext) -> set[str]:
    """Names of ``attrs``, ``pick`` or ``omit`` (§4.21): attribute names expanded, the entity
    members ``id``, ``type``, ``scope``, ``createdAt`` and ``modifiedAt`` kept as they are."""
    result: set[str] = set()
    for name in names:
        if name in ("id", "type", "scope", "createdAt", "modifiedAt"):
            result.add(name)
        else:
            result.add(expand_name(name, ctx))
    return result


def expand_attributes(
    fragment: Any,
    ctx: ActiveContext,
    *,
    allow_null: bool = False,
    key_values: bool = False,
) -> dict[str, list[dict[str, Any]]]:
    """The attributes of a payload (an entity's, or an attribute fragment for
    ``/entities/{id}/attrs``) as ``{attribute IRI: [instance, ...]}``."""
    if not isinstance(fragment, dict):
        raise _bad("the attributes must be a JSON object")
    attrs: dict[str, list[dict[str, Any]]] = {}
    for name, raw in fragment.items():
        if name in _ENTITY_MEMBERS:
            continue
        if name.startswith("@"):
            raise _bad(f"member {name!r} is not allowed in an entity")
        iri = expand_name(name, ctx)
        simple = None if key_values or type(raw) is not dict else _simple_instance(raw)
        if simple is not None:
            instances = [simple]
        else:
            instances = expand_attribute(
                name, raw, ctx, allow_null=allow_null, key_values=key_values
            )
        if iri in attrs:
            raise _bad(f"attribute {name!r} is given twice (as two names with the same IRI)")
        attrs[iri] = instances
    return attrs


_SIMPLE_KEYS = {
    "Property": frozenset({"type", "value", "observedAt", "unitCode", "datasetId"}),
    "Relationship": frozenset({"type", "object", "observedAt", "datasetId"}),
}


def _simple_instance(raw: dict[str, Any]) -> dict[str, Any] | None:
    """Fast path for the most common attribute: a normalized Property or Relationship with
    at most observedAt, unitCode and datasetId. ``None`` sends anything else (including
    every invalid payload, for its error detail) through the full path."""
    kind = raw.get("type")
    allowed = _SIMPLE_KEYS.get(kind) if type(kind) is str else None
    if allowed is None or not raw.keys() <= allowed:
        return None
    key = "value" if kind == "Property" else "object"
    value = raw.get(key)
    if value is None or value == NGSI_LD_NULL or (key == "object" and not is_uri(value)):
        return None
    instance: dict[str, Any] = {"type": kind, key: value}
    if "observedAt" in raw:
        if not is_datetime(raw["observedAt"]):
            return None
        instance["observedAt"] = raw["observedAt"]
    if "unitCode" in raw:
        unit = raw["unitCode"]
        if type(unit) is not str or not unit:
            return None
        instance["unitCode"] = unit
    if "datasetId" in raw:
        if not is_uri(raw["datasetId"]):
            return None
        instance["datasetId"] = raw["datasetId"]
    return instance


def _is_instance_like(item: Any) -> bool:
    if not isinstance(item, dict):
        return False
    kind = item.get("type")
    return (
        (isinstance(kind, str) and kind in ATTRIBUTE_TYPES)
        or "datasetId" in item
        or bool(ALL_VALUE_KEYS.intersection(item))
    )


def expand_attribute(
    name: str,
    raw: Any,
    ctx: ActiveContext,
    *,
    allow_null: bool = False,
    key_values: bool = False,
) -> list[dict[str, Any]]:
    """One attribute (all its instances) in the internal form. ``name`` is the name the
    client used (it appears in error details and decides GeoProperty inference)."""
    geo = ctx.expand(name) in _GEO_IRIS
    if key_values and type(raw) is dict and raw.keys() == {"dataset"}:
        instances = _datasets(name, raw["dataset"], ctx, allow_null=allow_null)
    elif isinstance(raw, list) and raw and not key_values and _is_instance_like(raw[0]):
        if not all(_is_instance_like(item) for item in raw):
            raise _bad(f"attribute {name!r}: mixes attribute instances and plain values")
        instances = [
            _instance(name, item, ctx, allow_null=allow_null, key_values=False, geo=geo, depth=0)
            for item in raw
        ]
    else:
        return [
            _instance(
                name, raw, ctx, allow_null=allow_null, key_values=key_values, geo=geo, depth=0
            )
        ]
    seen: set[str | None] = set()
    for instance in instances:
        dataset = instance.get("datasetId")
        if dataset in seen:
            if dataset is None:
                raise _bad(f"attribute {name!r}: more than one instance without datasetId")
            raise _bad(f"attribute {name!r}: datasetId {dataset} is used twice")
        seen.add(dataset)
    return instances


def _datasets(
    name: str, datasets: Any, ctx: ActiveContext, *, allow_null: bool
) -> list[dict[str, Any]]:
    """A multi-attribute in the simplified representation (§4.5.4): ``{"dataset": {datasetId:
    value, ...}}``, the default instance under ``@none``."""
    if type(datasets) is not dict or not datasets:
        raise _bad(f"attribute {name!r}: 'dataset' must map datasetIds (or @none) to values")
    instances = []
    for dataset, value in datasets.items():
        if dataset != "@none" and not is_uri(dataset):
            raise _bad(f"attribute {name!r}: datasetId {dataset!r} is not a URI")
        instance = _instance(
            name, value, ctx, allow_null=allow_null, key_values=True, geo=True, depth=0
        )
        if dataset != "@none":
            instance["datasetId"] = dataset
        instances.append(instance)
    return instances


def _null(value: Any) -> bool:
    return value is None or value == NGSI_LD_NULL


def _null_of_kind(kind: str, value: Any) -> bool:
    """The NGSI-LD Null as each kind writes it (§4.5.0): ``urn:ngsi-ld:null``, or for
    LanguageProperty ``{"@none": "urn:ngsi-ld:null"}``, for lists ``["urn:ngsi-ld:null"]``."""
    if _null(value):
        return True
    if kind == "LanguageProperty":
        return isinstance(value, dict) and value == {"@none": NGSI_LD_NULL}
    if kind in ("ListProperty", "ListRelationship") and isinstance(value, list) and len(value) == 1:
        item = value[0]
        return _null(item) or (isinstance(item, dict) and item.get("object") == NGSI_LD_NULL)
    return False


def _instance(
    name: str,
    raw: Any,
    ctx: ActiveContext,
    *,
    allow_null: bool,
    key_values: bool,
    geo: bool,
    depth: int,
) -> dict[str, Any]:
    if depth > _MAX_DEPTH:
        raise _bad(f"attribute {name!r}: sub-attributes nested deeper than {_MAX_DEPTH} levels")
    if key_values:
        # simplified (§4.5.3): a bare value, except the one-member objects that name the
        # kinds a bare value cannot express ({"languageMap": ...}, {"vocab": ...}, ...)
        if isinstance(raw, dict) and len(raw) == 1:
            (member,) = raw
            if member in TYPE_OF_VALUE_KEY:
                kind = TYPE_OF_VALUE_KEY[member]
                return _typed(name, kind, raw, ctx, allow_null=allow_null, depth=depth)
        return _bare(name, raw, allow_null=allow_null, geo=True)
    if not isinstance(raw, dict):
        return _bare(name, raw, allow_null=allow_null, geo=geo)
    if "@type" in raw and "type" not in raw:
        raw = {("type" if k == "@type" else k): v for k, v in raw.items()}
    kind = raw.get("type")
    present = ALL_VALUE_KEYS.intersection(raw)
    if kind is not None:
        if not isinstance(kind, str) or kind not in ATTRIBUTE_TYPES:
            if present:
                raise _bad(
                    f"attribute {name!r}: unknown attribute type {kind!r} "
                    f"(one of {', '.join(sorted(ATTRIBUTE_TYPES))})"
                )
            return _bare(name, raw, allow_null=allow_null, geo=geo)
    elif len(present) > 1:
        raise _bad(f"attribute {name!r}: has several of {', '.join(sorted(present))}")
    elif "value" in raw:
        kind = "GeoProperty" if looks_like_geometry(raw["value"]) else "Property"
    elif present:
        kind = TYPE_OF_VALUE_KEY[next(iter(present))]
    elif {"datasetId", "observedAt", "unitCode"}.intersection(raw):
        raise _bad(f"attribute {name!r}: has no value")
    else:
        return _bare(name, raw, allow_null=allow_null, geo=geo)
    return _typed(name, kind, raw, ctx, allow_null=allow_null, depth=depth)


def _bare(name: str, value: Any, *, allow_null: bool, geo: bool) -> dict[str, Any]:
    """A value without attribute structure (concise or simplified): a Property, or a
    GeoProperty when it is a GeoJSON geometry."""
    if _null(value):
        if not allow_null:
            raise _bad(f"attribute {name!r}: null is not a value here")
        return {"type": "Property", "value": None}
    if isinstance(value, dict) and not value:
        raise _bad(f"attribute {name!r}: has no value (empty object)")
    if geo and looks_like_geometry(value):
        problem = geometry_problem(value)
        if problem:
            raise _bad(f"attribute {name!r}: invalid GeoJSON: {problem}")
        return {"type": "GeoProperty", "value": value}
    return {"type": "Property", "value": value}


def _typed(
    name: str,
    kind: str,
    raw: dict[str, Any],
    ctx: ActiveContext,
    *,
    allow_null: bool,
    depth: int,
) -> dict[str, Any]:
    value_key = VALUE_KEY[kind]
    if value_key not in raw:
        raise _bad(f"attribute {name!r}: a {kind} needs a {value_key!r} member")
    instance: dict[str, Any] = {"type": kind}
    value = raw[value_key]
    if _null_of_kind(kind, value):
        if not allow_null:
            raise _bad(f"attribute {name!r}: {value_key} is null")
        instance[value_key] = None
    else:
        instance[value_key] = _check_value(name, kind, value, ctx)
    for key, member in raw.items():
        if key in ("type", value_key) or key in _SILENT_INSTANCE_KEYS:
            continue
        if key in ALL_VALUE_KEYS:
            raise _bad(f"attribute {name!r}: a {kind} cannot have a {key!r} member")
        if key == "datasetId":
            if not is_uri(member):
                raise _bad(f"attribute {name!r}: datasetId {member!r} is not a URI")
            instance["datasetId"] = member
        elif key == "observedAt":
            if not is_datetime(member):
                raise _bad(f"attribute {name!r}: observedAt {member!r} is not a date-time")
            instance["observedAt"] = member
        elif key == "unitCode":
            if not isinstance(member, str) or not member:
                raise _bad(f"attribute {name!r}: unitCode must be a non-empty string")
            instance["unitCode"] = member
        elif key == "objectType":
            if kind not in ("Relationship", "ListRelationship"):
                raise _bad(f"attribute {name!r}: objectType belongs to relationships only")
            instance["objectType"] = expand_types(member, ctx)
        elif key.startswith("@"):
            raise _bad(f"attribute {name!r}: member {key!r} is not allowed")
        else:
            sub_iri = expand_name(key, ctx)
            instance[sub_iri] = _instance(
                f"{name}.{key}",
                member,
                ctx,
                allow_null=allow_null,
                key_values=False,
                geo=False,
                depth=depth + 1,
            )
    return instance


def _check_value(name: str, kind: str, value: Any, ctx: ActiveContext) -> Any:
    if kind == "Property":
        return value
    if kind == "Relationship":
        objects = value if isinstance(value, list) else [value]
        if not objects or not all(is_uri(o) for o in objects):
            raise _bad(
                f"attribute {name!r}: the object of a Relationship must be a URI, not {value!r}"
            )
        return value
    if kind == "GeoProperty":
        problem = geometry_problem(value)
        if problem:
            raise _bad(f"attribute {name!r}: invalid GeoJSON: {problem}")
        return value
    if kind == "LanguageProperty":
        if not isinstance(value, dict) or not value:
            raise _bad(f"attribute {name!r}: languageMap must be an object of language tags")
        for tag, text in value.items():
            if not is_language_tag(tag):
                raise _bad(f"attribute {name!r}: {tag!r} is not a language tag")
            texts = text if isinstance(text, list) else [text]
            if not all(isinstance(t, str) for t in texts):
                raise _bad(f"attribute {name!r}: languageMap values must be strings")
        return value
    if kind == "VocabProperty":
        terms = value if isinstance(value, list) else [value]
        if not terms or not all(isinstance(t, str) and not name_problem(t) for t in terms):
            raise _bad(f"attribute {name!r}: vocab must be a term or a list of terms")
        expanded = [ctx.expand(t) for t in terms]
        return expanded if isinstance(value, list) else expanded[0]
    if kind == "ListProperty":
        if not isinstance(value, list):
            raise _bad(f"attribute {name!r}: valueList must be an array")
        return value
    if kind == "ListRelationship":
        if not isinstance(value, list):
            raise _bad(f"attribute {name!r}: objectList must be an array")
        objects = [o.get("object") if isinstance(o, dict) else o for o in value]
        if not all(is_uri(o) for o in objects):
            raise _bad(f"attribute {name!r}: every item of objectList must be a URI")
        return objects
    return value  # JsonProperty: any JSON
