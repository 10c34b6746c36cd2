"""Handlers of ``/entities`` and ``/entities/{id}/attrs`` (ETSI GS CIM 009 §6.4-§6.7).

Each handler parses the request, calls :mod:`dos.broker.entities` and renders the result.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from dos.broker import entities as ent
from dos.broker.entities.validate import check_entity_id
from dos.broker.errors import NgsiError
from dos.broker.http.access import require
from dos.broker.http.context import request_context
from dos.broker.http.join import Joiner, join_of
from dos.broker.http.params import DEFAULT_LIMIT, build_query
from dos.broker.http.render import View, empty, json_response, tenant_headers
from dos.broker.http.request import (
    GEO_JSON,
    JSON,
    LD_JSON,
    MERGE_PATCH,
    accept_of,
    bool_param,
    check_params,
    csv_param,
    int_param,
    options_of,
    read_json,
)
from dos.broker.jsonld.active import ActiveContext
from dos.broker.jsonld.expand import (
    expand_attribute,
    expand_attributes,
    expand_entity,
    expand_name,
    expand_projection,
    expand_scope,
    expand_types,
)
from dos.broker.jsonld.representations import representation_from_options
from dos.broker.query.order import parse_order_by
from dos.broker.query.projection import parse_projection
from dos.broker.store import Doc, EntityQuery


def _entity_id(request: Request) -> str:
    return check_entity_id(request.path_params["entity_id"])


def view_of(request: Request, ctx: ActiveContext, *, geo: bool = True) -> View:
    """The client's choice of representation, projection and language."""
    accept = accept_of(request, geo=geo)
    representation, sys_attrs = representation_from_options(
        options_of(request), request.query_params.get("format")
    )
    view = View(ctx, accept=accept, representation=representation, sys_attrs=sys_attrs)
    attrs = csv_param(request, "attrs")
    if attrs is not None:
        view.attrs = expand_projection(attrs, ctx)
    projection = parse_projection(
        request.query_params.get("pick"),
        request.query_params.get("omit"),
        lambda name: expand_name(name, ctx),
        request.query_params.get("attrs"),
    )
    view.projection = projection
    if projection is not None:
        if projection.pick is not None:
            view.pick = {member.key for member in projection.pick}
        if projection.omit is not None:
            view.omit = {member.key for member in projection.omit if member.nested is None}
    view.lang = request.query_params.get("lang")
    dataset_ids = csv_param(request, "datasetId")
    if dataset_ids is not None:
        view.dataset_ids = set(dataset_ids)
    geometry = request.query_params.get("geometryProperty")
    if geometry:
        expand_name(geometry, ctx)  # checks the name
        view.geometry_property = geometry
    return view


def _key_values(request: Request) -> bool:
    return "keyValues" in options_of(request) or "simplified" in options_of(request)


async def create_entity(request: Request) -> Response:
    tenant = await require(request, "write")
    check_params(request)
    body = await read_json(request)
    ctx = await request_context(request, body)
    doc = expand_entity(body, ctx, key_values=_key_values(request))
    await ent.entity_create(request.app.state.store, tenant, doc)
    location = f"/ngsi-ld/v1/entities/{quote(doc['id'], safe=':')}"
    return empty(201, {"Location": location, **tenant_headers(request)})


async def retrieve_entity(request: Request) -> Response:
    tenant = await require(request, "read")
    entity_id = _entity_id(request)
    ctx = await request_context(request)
    view = view_of(request, ctx)
    doc = await ent.entity_retrieve(request.app.state.store, tenant, entity_id)
    if view.attrs is not None and not set(view.attrs) & set(doc.get("attrs", {})):
        # none of the asked attributes exists (§5.7.1, ETSI 018_03_02)
        raise NgsiError("ResourceNotFound", f"entity {entity_id} has none of the attributes asked")
    mode, level = join_of(request)
    if mode is not None and view.accept != GEO_JSON:
        joined = await Joiner(request.app.state.store, tenant, view, mode, level).entity(doc)
        return json_response(joined, media_type=view.accept, headers=view.headers())
    body = view.entity(doc)
    if (view.pick is not None or view.omit is not None) and not set(body) - {"@context"}:
        raise NgsiError("ResourceNotFound", f"pick/omit leave nothing of entity {entity_id}")
    return json_response(body, media_type=view.accept, headers=view.headers())


async def query_entities(request: Request) -> Response:
    tenant = await require(request, "read")
    check_params(request)
    ctx = await request_context(request)
    view = view_of(request, ctx)
    count = bool_param(request, "count")
    query = build_query(
        dict(request.query_params),
        ctx,
        limit=int_param(request, "limit", DEFAULT_LIMIT),
        offset=int_param(request, "offset", 0),
        count=count,
        local=bool_param(request, "local"),
    )
    docs, total = await run_query(request, tenant, query, ctx)
    headers = view.headers()
    if total is not None:
        headers["NGSILD-Results-Count"] = str(total)
    return json_response(
        await render_entities(request, tenant, view, docs), media_type=view.accept, headers=headers
    )


async def render_entities(
    request: Request,
    tenant: str,
    view: View,
    docs: list[Doc],
    body: dict[str, Any] | None = None,
) -> Any:
    """A query result as the view wants it, with linked entities for ``join`` (a query
    parameter, or a member of the Query object ``body``)."""
    mode, level = join_of(request, body)
    if view.accept == GEO_JSON:
        return view.entities(docs)
    if mode is None:
        rendered = view.entities(docs)
        if view.pick is not None or view.omit is not None:
            # an entity with no member left is not part of the result (§4.21, ETSI 019_17_01)
            rendered = [e for e in rendered if set(e) - {"@context"}]
        return rendered
    return await Joiner(request.app.state.store, tenant, view, mode, level).entities(docs)


async def run_query(
    request: Request, tenant: str, query: EntityQuery, ctx: ActiveContext
) -> tuple[list[dict[str, Any]], int | None]:
    """Run an entity query, in the order of ``orderBy`` when the request names one."""
    order = request.query_params.get("orderBy")
    if order is None:
        return await ent.entity_query(request.app.state.store, tenant, query)
    keys = parse_order_by(order, lambda name: expand_name(name, ctx))
    return await ent.entity_query_ordered(request.app.state.store, tenant, query, keys)


async def missing_entity_id(request: Request) -> Response:
    """PUT or PATCH /entities without an entity id in the path."""
    await require(request, "write")
    raise NgsiError("BadRequestData", "the path needs an entity id: /entities/{entityId}")


async def missing_attribute_name(request: Request) -> Response:
    """DELETE /entities/{id}/attrs without an attribute name: not an operation."""
    await require(request, "write")
    raise NgsiError("MethodNotAllowed", "DELETE needs an attribute: /entities/{id}/attrs/{attr}")


async def purge_entities(request: Request) -> Response:
    """DELETE /entities (§6.4.3.3): delete the matching entities or some of their attributes."""
    tenant = await require(request, "write")
    check_params(request)
    ctx = await request_context(request)
    keep = csv_param(request, "keep")
    drop = csv_param(request, "drop")
    if keep is not None and drop is not None:
        raise NgsiError("BadRequestData", "keep and drop cannot be used together")
    query = build_query(
        dict(request.query_params),
        ctx,
        limit=DEFAULT_LIMIT * 50,
        offset=0,
        count=False,
        local=bool_param(request, "local"),
    )
    await ent.entity_purge(
        request.app.state.store,
        tenant,
        query,
        keep=None if keep is None else {expand_name(n, ctx) for n in keep},
        drop=None if drop is None else {expand_name(n, ctx) for n in drop},
    )
    return empty(204, tenant_headers(request))


def _same_id(body: Any, entity_id: str) -> None:
    if isinstance(body, dict):
        given = body.get("id", body.get("@id"))
        if given is not None and given != entity_id:
            raise NgsiError(
                "BadRequestData", f"the body's id {given!r} differs from the URL's {entity_id}"
            )


async def replace_entity(request: Request) -> Response:
    tenant = await require(request, "write")
    entity_id = _entity_id(request)
    body = await read_json(request)
    _same_id(body, entity_id)
    ctx = await request_context(request, body)
    doc = expand_entity({**body, "id": entity_id}, ctx, key_values=_key_values(request))
    await ent.entity_replace(request.app.state.store, tenant, doc)
    return empty(204)


async def merge_entity(request: Request) -> Response:
    tenant = await require(request, "write")
    entity_id = _entity_id(request)
    body = await read_json(request, allowed=(JSON, LD_JSON, MERGE_PATCH))
    _same_id(body, entity_id)
    ctx = await request_context(request, body)
    fragment = expand_entity(
        {**body, "id": entity_id}, ctx, allow_partial=True, key_values=_key_values(request)
    )
    await ent.entity_merge(request.app.state.store, tenant, fragment)
    return empty(204)


async def delete_entity(request: Request) -> Response:
    tenant = await require(request, "write")
    await ent.entity_delete(request.app.state.store, tenant, _entity_id(request))
    return empty(204)


def _members(body: Any, ctx: ActiveContext) -> dict[str, Any] | None:
    """``type`` and ``scope`` of an attribute payload, expanded (None when neither is given)."""
    members: dict[str, Any] = {}
    if isinstance(body, dict):
        if body.get("type") is not None:
            members["type"] = expand_types(body["type"], ctx)
        if body.get("scope") is not None:
            members["scope"] = expand_scope(body["scope"])
    return members or None


def _update_result(result: ent.UpdateResult, ctx: ActiveContext) -> Response:
    if not result.not_updated:
        return empty(204)
    return json_response(
        {
            "updated": [ctx.compact(name) for name in result.updated],
            "notUpdated": [
                {"attributeName": ctx.compact(name), "reason": reason}
                for name, reason in result.not_updated
            ],
        },
        status=207,
    )


async def append_attrs(request: Request) -> Response:
    tenant = await require(request, "write")
    entity_id = _entity_id(request)
    body = await read_json(request)
    ctx = await request_context(request, body)
    attrs = expand_attributes(body, ctx, allow_null=True, key_values=_key_values(request))
    result = await ent.attr_append(
        request.app.state.store,
        tenant,
        entity_id,
        attrs,
        no_overwrite="noOverwrite" in options_of(request),
        members=_members(body, ctx),
    )
    return _update_result(result, ctx)


async def update_attrs(request: Request) -> Response:
    tenant = await require(request, "write")
    entity_id = _entity_id(request)
    body = await read_json(request)
    ctx = await request_context(request, body)
    attrs = expand_attributes(body, ctx, allow_null=True, key_values=_key_values(request))
    result = await ent.attrs_update(
        request.app.state.store, tenant, entity_id, attrs, members=_members(body, ctx)
    )
    return _update_result(result, ctx)


async def _attribute_body(
    request: Request, allowed: tuple[str, ...] = (JSON, LD_JSON)
) -> tuple[str, str, dict[str, Any]]:
    entity_id = _entity_id(request)
    body = await read_json(request, allowed=allowed)
    ctx = await request_context(request, body)
    raw_name = request.path_params["attr"]
    name = expand_name(raw_name, ctx)
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k != "@context"}
    instances = expand_attribute(raw_name, body, ctx, allow_null=True)
    if len(instances) != 1:
        raise NgsiError("BadRequestData", "give exactly one attribute instance")
    return entity_id, name, instances[0]


async def patch_attr(request: Request) -> Response:
    tenant = await require(request, "write")
    entity_id, name, fragment = await _attribute_body(request, (JSON, LD_JSON, MERGE_PATCH))
    await ent.attr_patch(request.app.state.store, tenant, entity_id, name, fragment)
    return empty(204)


async def replace_attr(request: Request) -> Response:
    tenant = await require(request, "write")
    entity_id, name, instance = await _attribute_body(request)
    await ent.attr_replace(request.app.state.store, tenant, entity_id, name, instance)
    return empty(204)


async def delete_attr(request: Request) -> Response:
    tenant = await require(request, "write")
    entity_id = _entity_id(request)
    ctx = await request_context(request)
    if request.path_params["attr"] == "scope":
        await ent.scope_delete(request.app.state.store, tenant, entity_id)
        return empty(204)
    name = expand_name(request.path_params["attr"], ctx)
    dataset_id = request.query_params.get("datasetId")
    await ent.attr_delete(
        request.app.state.store,
        tenant,
        entity_id,
        name,
        dataset_id=dataset_id,
        delete_all=bool_param(request, "deleteAll"),
    )
    return empty(204)
