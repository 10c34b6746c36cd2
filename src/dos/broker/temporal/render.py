"""The temporal representations of an entity (ETSI GS CIM 009 §4.5.7-§4.5.9, §4.5.19).

Normalized: every attribute is an array of instances with ``instanceId``; ``temporalValues``
(simplified): ``values`` pairs ``[value, time]``; aggregated: per method ``[[value, start,
end], ...]``.
"""

from __future__ import annotations

from typing import Any

from dos.broker.jsonld.active import ActiveContext
from dos.broker.jsonld.compact import compact_instance, compact_types
from dos.broker.temporal.aggregate import Periods
from dos.broker.temporal.history import NULL, VALUE_KEYS
from dos.broker.temporal.read import Instance, TemporalEntity
from dos.broker.temporal.times import from_ms, to_iso

#: value member → the simplified list member of the temporalValues representation (§4.5.9)
VALUES_MEMBER = {
    "value": "values",
    "object": "objects",
    "languageMap": "languageMaps",
    "vocab": "vocabs",
    "valueList": "valueLists",
    "objectList": "objectLists",
    "json": "jsons",
}


def _head(entity: TemporalEntity, ctx: ActiveContext, sys_attrs: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"id": entity.id, "type": compact_types(entity.types, ctx)}
    if sys_attrs:
        out["createdAt"] = from_ms(entity.created_ms)
        out["modifiedAt"] = from_ms(entity.modified_ms)
        if entity.deleted_ms is not None:
            out["deletedAt"] = from_ms(entity.deleted_ms)
    return out


def _normalized_instance(row: Instance, ctx: ActiveContext, sys_attrs: bool) -> Any:
    rendered = compact_instance(row.instance, ctx, sys_attrs=sys_attrs)
    rendered["instanceId"] = row.instance_id
    if sys_attrs:
        rendered.setdefault("createdAt", from_ms(row.created_ms))
        rendered.setdefault("modifiedAt", from_ms(row.modified_ms))
    if row.deleted_ms is not None:
        rendered["deletedAt"] = from_ms(row.deleted_ms)
    return rendered


def normalized(entity: TemporalEntity, ctx: ActiveContext, *, sys_attrs: bool) -> dict[str, Any]:
    """Every instance in full, oldest first."""
    out = _head(entity, ctx, sys_attrs)
    for name, rows in entity.attrs.items():
        out[ctx.compact(name)] = [_normalized_instance(r, ctx, sys_attrs) for r in rows]
    return out


#: value members that §4.5.9 wraps in an object named after the member (``{"json": ...}``)
_WRAPPED = ("languageMap", "vocab", "json")


def _simplified_value(row: Instance, key: str, ctx: ActiveContext) -> Any:
    """One value of the temporalValues representation, compacted like the normalized one."""
    value = row.instance.get(key)
    if value == NULL or value is None:
        return value
    rendered = compact_instance(row.instance, ctx)
    value = rendered.get(key, value)
    return {key: value} if key in _WRAPPED else value


def temporal_values(entity: TemporalEntity, ctx: ActiveContext) -> dict[str, Any]:
    """``options=temporalValues``: one object per attribute and datasetId with value pairs."""
    out = _head(entity, ctx, False)
    for name, rows in entity.attrs.items():
        by_dataset: dict[str, dict[str, Any]] = {}
        for row in rows:
            kind = str(row.instance.get("type", "Property"))
            key = VALUE_KEYS.get(kind, "value")
            dataset = row.instance.get("datasetId") or ""
            target = by_dataset.setdefault(dataset, {"type": kind})
            if dataset:
                target["datasetId"] = dataset
            value = _simplified_value(row, key, ctx)
            target.setdefault(VALUES_MEMBER[key], []).append((value, to_iso(row.time_ms)))
        objects = list(by_dataset.values())
        out[ctx.compact(name)] = objects[0] if len(objects) == 1 else objects
    return out


def aggregated(
    entity: TemporalEntity,
    ctx: ActiveContext,
    buckets: dict[str, tuple[str, Periods]],
) -> dict[str, Any]:
    """``options=aggregatedValues``: per attribute and method ``[[value, start, end], ...]``."""
    out = _head(entity, ctx, False)
    for name, (kind, periods) in buckets.items():
        attribute: dict[str, Any] = {"type": kind}
        if periods.starts:
            firsts = [to_iso(ms) for ms in periods.starts]
            lasts = [to_iso(ms) for ms in periods.ends]
            for method, values in periods.values.items():
                # tuples: JSON arrays, built by zip without a Python loop per period
                attribute[method] = list(zip(values, firsts, lasts, strict=True))
        out[ctx.compact(name)] = attribute
    return out
