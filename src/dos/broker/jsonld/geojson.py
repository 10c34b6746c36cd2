"""Entities as GeoJSON for ``Accept: application/geo+json`` (ETSI GS CIM 009 §4.5.16, §6.3.15).

Each entity becomes a Feature: its ``id``, the value of the chosen GeoProperty (``location``
unless the request says ``geoproperty=...``) as ``geometry`` (``null`` when it has none), and
everything else, in the requested representation, as ``properties``. A query gives a
FeatureCollection, a retrieval one Feature. With ``include_context`` the @context goes to the
top level.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from dos.broker.jsonld.active import ActiveContext
from dos.broker.jsonld.compact import compact_entity

GEO_JSON = "application/geo+json"


def feature(
    entity: dict[str, Any], geometry: dict[str, Any] | None, properties: dict[str, Any]
) -> dict[str, Any]:
    """One GeoJSON Feature from its parts: the entity's ``id``, a geometry, properties."""
    return {"id": entity["id"], "type": "Feature", "geometry": geometry, "properties": properties}


def feature_collection(features: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of features."""
    return {"type": "FeatureCollection", "features": list(features)}


def _geometry(entity: dict[str, Any], iri: str) -> dict[str, Any] | None:
    instances = entity.get("attrs", {}).get(iri) or []
    default = next(
        (i for i in instances if "datasetId" not in i), instances[0] if instances else None
    )
    if default is None or default.get("type") != "GeoProperty":
        return None
    value = default.get("value")
    return value if isinstance(value, dict) else None


def to_feature(
    entity: dict[str, Any],
    ctx: ActiveContext,
    *,
    geoproperty: str = "location",
    representation: str = "normalized",
    attrs: Collection[str] | None = None,
    pick: Collection[str] | None = None,
    omit: Collection[str] | None = None,
    lang: str | None = None,
    sys_attrs: bool = False,
    include_context: bool = False,
) -> dict[str, Any]:
    """One entity as a GeoJSON Feature (``geoproperty`` is a name, expanded with ``ctx``)."""
    properties = compact_entity(
        entity,
        ctx,
        representation=representation,
        attrs=attrs,
        pick=pick,
        omit=omit,
        lang=lang,
        sys_attrs=sys_attrs,
    )
    properties.pop("id", None)
    result = feature(entity, _geometry(entity, ctx.expand(geoproperty)), properties)
    if include_context:
        result["@context"] = ctx.context_value()
    return result


def to_geojson(
    entities: Iterable[dict[str, Any]],
    ctx: ActiveContext,
    *,
    geoproperty: str = "location",
    representation: str = "normalized",
    attrs: Collection[str] | None = None,
    pick: Collection[str] | None = None,
    omit: Collection[str] | None = None,
    lang: str | None = None,
    sys_attrs: bool = False,
    include_context: bool = False,
) -> dict[str, Any]:
    """Entities as a GeoJSON FeatureCollection (for queries)."""
    collection = feature_collection(
        to_feature(
            entity,
            ctx,
            geoproperty=geoproperty,
            representation=representation,
            attrs=attrs,
            pick=pick,
            omit=omit,
            lang=lang,
            sys_attrs=sys_attrs,
        )
        for entity in entities
    )
    if include_context:
        collection["@context"] = ctx.context_value()
    return collection
