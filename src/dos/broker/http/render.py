"""Responses of the NGSI-LD API: exact media types, the @context Link header, entities."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from dos.broker.http.request import GEO_JSON, JSON, LD_JSON, TENANT_HEADER, tenant_of
from dos.broker.jsonld.active import ActiveContext
from dos.broker.jsonld.compact import compact_entity
from dos.broker.jsonld.geojson import to_feature, to_geojson
from dos.broker.jsonld.resolver import link_header
from dos.broker.query.projection import Projection
from dos.broker.store import Doc


def json_response(
    body: Any,
    *,
    status: int = 200,
    media_type: str = JSON,
    headers: dict[str, str] | None = None,
) -> Response:
    """A JSON response with exactly ``media_type`` (no charset parameter)."""
    return Response(orjson.dumps(body), status_code=status, media_type=media_type, headers=headers)


def empty(status: int = 204, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, headers=headers)


def tenant_headers(request: Request) -> dict[str, str]:
    tenant = tenant_of(request)
    return {TENANT_HEADER: tenant} if tenant else {}


def context_headers(ctx: ActiveContext, accept: str) -> dict[str, str]:
    """The Link header naming the @context of an application/json (or GeoJSON) response."""
    if accept == LD_JSON:
        return {}
    return {"Link": link_header(ctx.link_url())}


@dataclass
class View:
    """How a client asked to see entities (representation, projection, language, form)."""

    ctx: ActiveContext
    accept: str = JSON
    representation: str = "normalized"
    sys_attrs: bool = False
    attrs: Collection[str] | None = None
    pick: Collection[str] | None = None
    omit: Collection[str] | None = None
    lang: str | None = None
    geometry_property: str = "location"
    dataset_ids: Collection[str] | None = None
    projection: Projection | None = None

    def _instances(self, doc: Doc) -> Doc:
        """``doc`` with only the attribute instances of ``datasetId`` (``@none``: the default
        instance); attributes left without an instance are dropped (§4.5.5, §6.4.3.2)."""
        if self.dataset_ids is None:
            return doc
        attrs: dict[str, Any] = {}
        for name, instances in doc.get("attrs", {}).items():
            kept = [i for i in instances if i.get("datasetId", "@none") in self.dataset_ids]
            if kept:
                attrs[name] = kept
        return {**doc, "attrs": attrs}

    def _options(self) -> dict[str, Any]:
        return {
            "representation": self.representation,
            "attrs": self.attrs,
            "pick": self.pick,
            "omit": self.omit,
            "lang": self.lang,
            "sys_attrs": self.sys_attrs,
        }

    def entity(self, doc: Doc) -> dict[str, Any]:
        """One entity as the client wants it (a GeoJSON Feature for application/geo+json)."""
        doc = self._instances(doc)
        if self.accept == GEO_JSON:
            # GeoJSON carries its @context in the body (ETSI GS CIM 009 §6.3.15)
            return to_feature(
                doc,
                self.ctx,
                geoproperty=self.geometry_property,
                include_context=True,
                **self._options(),
            )
        return compact_entity(
            doc, self.ctx, include_context=self.accept == LD_JSON, **self._options()
        )

    def entities(self, docs: list[Doc]) -> Any:
        """A query result: a list, or a FeatureCollection for application/geo+json."""
        docs = [self._instances(doc) for doc in docs]
        options = self._options()
        if self.accept == GEO_JSON:
            return to_geojson(
                docs,
                self.ctx,
                geoproperty=self.geometry_property,
                include_context=True,
                **options,
            )
        include_context = self.accept == LD_JSON
        return [
            compact_entity(doc, self.ctx, include_context=include_context, **options)
            for doc in docs
        ]

    def headers(self) -> dict[str, str]:
        return context_headers(self.ctx, self.accept)
