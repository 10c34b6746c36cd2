"""Discovery: ``/types``, ``/types/{type}``, ``/attributes``, ``/attributes/{attr}``
(ETSI GS CIM 009 §5.7.5-§5.7.8, data types §5.2.24-§5.2.28)."""

from __future__ import annotations

import hashlib
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from dos.broker.errors import NgsiError
from dos.broker.http.access import require
from dos.broker.http.context import request_context
from dos.broker.http.render import context_headers, json_response
from dos.broker.http.request import LD_JSON, accept_of, bool_param, check_params
from dos.broker.jsonld.active import ActiveContext
from dos.broker.store import Session


def _list_id(kind: str, names: list[str]) -> str:
    """A stable URN for a list (the specification asks for an id, any unique URI does)."""
    digest = hashlib.sha256("\n".join(names).encode()).hexdigest()[:16]
    return f"urn:ngsi-ld:{kind}:{digest}"


def _with_context(body: Any, ctx: ActiveContext, accept: str) -> Any:
    if accept == LD_JSON:
        if isinstance(body, list):
            return [{**item, "@context": ctx.context_value()} for item in body]
        return {**body, "@context": ctx.context_value()}
    return body


def _check_tenant(session: Session, tenant: str) -> None:
    if tenant and not session.tenant_exists(tenant):
        raise NgsiError("NonexistentTenant", f"tenant {tenant!r} does not exist")


async def list_types(request: Request) -> Response:
    tenant = await require(request, "read")
    check_params(request, frozenset({"details", "local", "via", "limit", "offset"}))
    ctx = await request_context(request)
    accept = accept_of(request)

    def read(session: Session) -> Any:
        _check_tenant(session, tenant)
        return session.type_summary(tenant)

    summary = await request.app.state.store.aread(read)
    if bool_param(request, "details"):
        body: Any = sorted(
            (
                {
                    "id": type_iri,
                    "type": "EntityType",
                    "typeName": ctx.compact(type_iri),
                    "attributeNames": sorted({ctx.compact(a) for a, _ in attrs}),
                }
                for type_iri, _, attrs in summary
            ),
            key=lambda item: str(item["typeName"]),
        )
    else:
        names = sorted(ctx.compact(type_iri) for type_iri, _, _ in summary)
        body = {
            "id": _list_id("EntityTypeList", names),
            "type": "EntityTypeList",
            "typeList": names,
        }
    return json_response(
        _with_context(body, ctx, accept), media_type=accept, headers=context_headers(ctx, accept)
    )


async def show_type(request: Request) -> Response:
    tenant = await require(request, "read")
    ctx = await request_context(request)
    accept = accept_of(request)
    type_iri = ctx.expand(request.path_params["type"])

    def read(session: Session) -> Any:
        _check_tenant(session, tenant)
        return session.type_summary(tenant)

    summary = {t: (n, attrs) for t, n, attrs in await request.app.state.store.aread(read)}
    if type_iri not in summary:
        raise NgsiError("ResourceNotFound", f"no entity of type {request.path_params['type']}")
    count, attrs = summary[type_iri]
    kinds: dict[str, list[str]] = {}
    for attr, kind in attrs:
        kinds.setdefault(attr, []).append(kind)
    body = {
        "id": type_iri,
        "type": "EntityTypeInfo",
        "typeName": ctx.compact(type_iri),
        "entityCount": count,
        "attributeDetails": [
            {
                "id": attr,
                "type": "Attribute",
                "attributeName": ctx.compact(attr),
                "attributeTypes": sorted(set(attr_kinds)),
            }
            for attr, attr_kinds in kinds.items()
        ],
    }
    return json_response(
        _with_context(body, ctx, accept), media_type=accept, headers=context_headers(ctx, accept)
    )


def _attribute(ctx: ActiveContext, row: tuple[str, int, list[str], list[str]]) -> dict[str, Any]:
    attr, count, kinds, types = row
    return {
        "id": attr,
        "type": "Attribute",
        "attributeName": ctx.compact(attr),
        "attributeCount": count,
        "attributeTypes": kinds,
        "typeNames": sorted(ctx.compact(t) for t in types),
    }


_LIST_OMITS = frozenset({"attributeCount", "attributeTypes"})


async def list_attributes(request: Request) -> Response:
    tenant = await require(request, "read")
    ctx = await request_context(request)
    accept = accept_of(request)

    def read(session: Session) -> Any:
        _check_tenant(session, tenant)
        return session.attribute_summary(tenant)

    summary = await request.app.state.store.aread(read)
    if bool_param(request, "details"):
        # the list gives the optional members attributeCount and attributeTypes only for one
        # attribute (GET /attributes/{attrId}); ETSI 026_01 expects them absent here
        body: Any = sorted(
            (
                {k: v for k, v in _attribute(ctx, row).items() if k not in _LIST_OMITS}
                for row in summary
            ),
            key=lambda item: str(item["attributeName"]),
        )
    else:
        names = sorted(ctx.compact(row[0]) for row in summary)
        body = {
            "id": _list_id("AttributeList", names),
            "type": "AttributeList",
            "attributeList": names,
        }
    return json_response(
        _with_context(body, ctx, accept), media_type=accept, headers=context_headers(ctx, accept)
    )


async def show_attribute(request: Request) -> Response:
    tenant = await require(request, "read")
    ctx = await request_context(request)
    accept = accept_of(request)
    attr = ctx.expand(request.path_params["attr"])

    def read(session: Session) -> Any:
        _check_tenant(session, tenant)
        return session.attribute_summary(tenant)

    rows = [row for row in await request.app.state.store.aread(read) if row[0] == attr]
    if not rows:
        raise NgsiError("ResourceNotFound", f"no attribute {request.path_params['attr']}")
    body = _attribute(ctx, rows[0])
    return json_response(
        _with_context(body, ctx, accept), media_type=accept, headers=context_headers(ctx, accept)
    )
