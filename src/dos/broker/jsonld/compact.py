"""The internal entity form → what a client reads: normalized, concise or simplified.

ETSI GS CIM 009 §4.5.1 (normalized), §4.5.2 (concise), §4.5.3 (simplified, ``keyValues``),
§4.15 (``lang``), §4.21 (``pick`` / ``omit``), §5.5.7 (compaction with the request's
@context). Names and types are compacted with the active context; values are returned as
stored, except VocabProperty values and ``objectType``, which are compacted like types.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Literal

from dos.broker.errors import NgsiError
from dos.broker.jsonld.active import ActiveContext
from dos.broker.jsonld.geometry import looks_like_geometry
from dos.broker.jsonld.representations import pick_language
from dos.broker.jsonld.validation import VALUE_KEY

Representation = Literal["normalized", "concise", "keyValues"]
REPRESENTATIONS: tuple[str, ...] = ("normalized", "concise", "keyValues")

_INSTANCE_META = ("datasetId", "observedAt", "unitCode")
_SIMPLE_KINDS = frozenset({"Property", "Relationship", "GeoProperty"})
_SIMPLE_WITH_SYS = frozenset(
    {"type", "value", "object", "datasetId", "observedAt", "unitCode", "createdAt", "modifiedAt"}
)
_SYS = ("createdAt", "modifiedAt")
_NOT_SUB_ATTRIBUTES = frozenset(
    {
        "type",
        "datasetId",
        "observedAt",
        "unitCode",
        "objectType",
        "createdAt",
        "modifiedAt",
        "deletedAt",
    }
    | set(VALUE_KEY.values())
)


def compact_entity(
    entity: dict[str, Any],
    ctx: ActiveContext,
    *,
    representation: str = "normalized",
    attrs: Collection[str] | None = None,
    pick: Collection[str] | None = None,
    omit: Collection[str] | None = None,
    lang: str | None = None,
    sys_attrs: bool = False,
    include_context: bool = False,
) -> dict[str, Any]:
    """Render an internal entity for a client.

    ``attrs`` (attribute IRIs) keeps only those attributes; ``pick`` / ``omit`` name entity
    members to keep / drop: attribute IRIs plus ``id``, ``type``, ``scope`` (see
    :func:`dos.broker.jsonld.expand.expand_projection`). ``lang`` (an Accept-Language style
    list, §4.15) turns LanguageProperties into Properties in the best language.
    ``include_context`` adds ``@context`` (application/ld+json responses).
    """
    if representation not in REPRESENTATIONS:
        raise NgsiError(
            "BadRequestData",
            f"unknown representation {representation!r} (normalized, concise, keyValues)",
        )

    filtered = pick is not None or omit is not None

    def wanted(member: str) -> bool:
        if pick is not None and member not in pick:
            return False
        return omit is None or member not in omit

    compact = ctx.compact
    out: dict[str, Any] = {}
    if not filtered or wanted("id"):
        out["id"] = entity["id"]
    if not filtered or wanted("type"):
        types = entity["type"]
        out["type"] = compact(types[0]) if len(types) == 1 else compact_types(types, ctx)
    scope = entity.get("scope")
    if scope and wanted("scope"):
        out["scope"] = scope[0] if len(scope) == 1 else list(scope)
    key_values = representation == "keyValues"
    concise = representation == "concise"
    for iri, instances in entity.get("attrs", {}).items():
        if (
            not instances
            or (attrs is not None and iri not in attrs)
            or (filtered and not wanted(iri))
        ):
            continue
        if len(instances) == 1:
            # fast path: one plain Property / Relationship / GeoProperty instance
            instance = instances[0]
            kind = instance["type"]
            if kind in _SIMPLE_KINDS and instance.keys() <= _SIMPLE_WITH_SYS:
                if key_values and "datasetId" not in instance:
                    out[compact(iri)] = instance[VALUE_KEY[kind]]
                    continue
                plain = instance.copy()  # the members as stored, in their order
                if not sys_attrs:
                    plain.pop("createdAt", None)
                    plain.pop("modifiedAt", None)
                out[compact(iri)] = _concise(plain, False) if concise else plain
                continue
        out[compact(iri)] = compact_attribute(
            instances, ctx, representation=representation, lang=lang, sys_attrs=sys_attrs
        )
    if sys_attrs:
        for key in _SYS:
            if key in entity and wanted(key):
                out[key] = entity[key]
    if include_context:
        out["@context"] = ctx.context_value()
    return out


def compact_types(types: list[str], ctx: ActiveContext) -> str | list[str]:
    """Entity types as names: one string for one type, else a list."""
    names = [ctx.compact(t) for t in types]
    return names[0] if len(names) == 1 else names


def compact_attribute(
    instances: list[dict[str, Any]],
    ctx: ActiveContext,
    *,
    representation: str = "normalized",
    lang: str | None = None,
    sys_attrs: bool = False,
) -> Any:
    """All instances of one attribute: one instance as itself, several as a list."""
    if representation == "keyValues":
        if len(instances) == 1 and "datasetId" not in instances[0]:
            return _simplified(instances[0], ctx, lang)
        # §4.5.4: a multi-attribute maps each datasetId (the default instance: @none) to its
        # simplified value
        return {
            "dataset": {i.get("datasetId", "@none"): _simplified(i, ctx, lang) for i in instances}
        }
    concise = representation == "concise"
    rendered = [
        _instance(
            i, ctx, concise=concise, lang=lang, sys_attrs=sys_attrs, in_list=len(instances) > 1
        )
        for i in instances
    ]
    return rendered[0] if len(rendered) == 1 else rendered


def compact_instance(
    instance: dict[str, Any], ctx: ActiveContext, *, sys_attrs: bool = False
) -> dict[str, Any]:
    """One instance in the normalized representation (temporal instances are rendered one by
    one): a plain Property / Relationship / GeoProperty is copied, anything else compacted."""
    if instance["type"] in _SIMPLE_KINDS and instance.keys() <= _SIMPLE_WITH_SYS:
        plain = instance.copy()  # the members as stored, in their order
        if not sys_attrs:
            plain.pop("createdAt", None)
            plain.pop("modifiedAt", None)
        return plain
    out: dict[str, Any] = _instance(
        instance, ctx, concise=False, lang=None, sys_attrs=sys_attrs, in_list=False
    )
    return out


def _value_of(instance: dict[str, Any], ctx: ActiveContext) -> tuple[str, Any]:
    kind = instance["type"]
    key = VALUE_KEY[kind]
    value = instance.get(key)
    if kind == "VocabProperty" and value is not None:
        value = [ctx.compact(v) for v in value] if isinstance(value, list) else ctx.compact(value)
    return key, value


def _simplified(instance: dict[str, Any], ctx: ActiveContext, lang: str | None) -> Any:
    kind = instance["type"]
    key, value = _value_of(instance, ctx)
    if kind in ("Property", "GeoProperty", "Relationship"):
        return value
    if kind == "LanguageProperty" and lang is not None:
        return pick_language(value, lang)[1]
    # §4.5.3: these keep their member name so the value cannot be mistaken for a Property's
    return {key: value}


def _instance(
    instance: dict[str, Any],
    ctx: ActiveContext,
    *,
    concise: bool,
    lang: str | None,
    sys_attrs: bool,
    in_list: bool,
) -> Any:
    kind = instance["type"]
    key, value = _value_of(instance, ctx)
    out: dict[str, Any] = {}
    if kind == "LanguageProperty" and lang is not None:
        tag, text = pick_language(value, lang)
        out["type"] = "Property"
        out["value"] = text
        out["lang"] = tag
    else:
        out["type"] = kind
        out[key] = value
    if "objectType" in instance:
        out["objectType"] = compact_types(instance["objectType"], ctx)
    for meta in _INSTANCE_META:
        if meta in instance:
            out[meta] = instance[meta]
    if sys_attrs:
        for meta in _SYS:
            if meta in instance:
                out[meta] = instance[meta]
    for sub_key, sub in instance.items():
        if sub_key not in _NOT_SUB_ATTRIBUTES and isinstance(sub, dict):
            out[ctx.compact(sub_key)] = _instance(
                sub, ctx, concise=concise, lang=lang, sys_attrs=sys_attrs, in_list=False
            )
    if concise:
        return _concise(out, in_list)
    return out


def _concise(out: dict[str, Any], in_list: bool) -> Any:
    """Drop ``type`` wherever the shape tells it (§4.5.2); a bare value when nothing else is left."""
    kind = out["type"]
    if kind == "Property":
        value = out["value"]
        if looks_like_geometry(value) or (
            isinstance(value, dict) and "type" in value and "lang" not in out
        ):
            # a Property whose value looks like a geometry or an attribute keeps its type
            return out
        del out["type"]
        if (
            len(out) == 1
            and not in_list
            and not isinstance(value, dict)
            and not _list_of_objects(value)
        ):
            return value
        return out
    if kind == "GeoProperty" or kind in (
        "Relationship",
        "LanguageProperty",
        "VocabProperty",
        "ListProperty",
        "ListRelationship",
        "JsonProperty",
    ):
        del out["type"]
    return out


def _list_of_objects(value: Any) -> bool:
    return isinstance(value, list) and any(isinstance(v, dict) for v in value)
