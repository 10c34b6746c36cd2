"""Batch entity operations ``/entityOperations/*`` (ETSI GS CIM 009 §6.14-§6.18, §6.31).

Every entity of the batch is expanded and written on its own: one bad entity gives an entry
in the BatchOperationResult (207) and never affects the others.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from dos.broker import entities as ent
from dos.broker.errors import NgsiError
from dos.broker.http.access import require
from dos.broker.http.context import item_context
from dos.broker.http.render import empty, json_response
from dos.broker.http.request import LD_JSON, options_of, read_json
from dos.broker.jsonld.expand import expand_entity
from dos.broker.jsonld.resolver import context_url_from_link, media_type


async def _array(request: Request) -> list[Any]:
    body = await read_json(request)
    if not isinstance(body, list):
        raise NgsiError("BadRequestData", "a batch operation needs a JSON array")
    if not body:
        raise NgsiError("BadRequestData", "the batch is empty")
    if media_type(request.headers.get("content-type")) == LD_JSON and context_url_from_link(
        request.headers.get("link")
    ):
        # the whole request is wrong, not each entity (ETSI 003_09_01)
        raise NgsiError(
            "BadRequestData",
            "a JSON-LD @context Link header is not allowed with Content-Type application/ld+json",
        )
    return body


async def _expand(request: Request, body: list[Any], *, partial: bool) -> list[ent.Item]:
    key_values = "keyValues" in options_of(request) or "simplified" in options_of(request)
    items: list[ent.Item] = []
    for raw in body:
        raw_id = raw.get("id", raw.get("@id")) if isinstance(raw, dict) else None
        try:
            ctx = await item_context(request, raw)
            doc = expand_entity(raw, ctx, allow_partial=partial, key_values=key_values)
            if "id" not in doc:
                raise NgsiError("BadRequestData", "the entity has no id")
        except NgsiError as exc:
            items.append((str(raw_id or ""), exc))
        else:
            items.append(doc)
    return items


def _result(result: ent.BatchResult, *, ok: Response) -> Response:
    if not result.errors:
        return ok
    return json_response(
        {
            "success": result.success,
            "errors": [
                {"entityId": entity_id, "error": error.body()} for entity_id, error in result.errors
            ],
        },
        status=207,
    )


async def batch_create(request: Request) -> Response:
    tenant = await require(request, "write")
    body = await _array(request)
    items = await _expand(request, body, partial=False)
    result = await ent.batch_create(request.app.state.store, tenant, items)
    return _result(result, ok=json_response(result.success, status=201))


async def batch_upsert(request: Request) -> Response:
    tenant = await require(request, "write")
    options = options_of(request)
    if "replace" in options and "update" in options:
        raise NgsiError("BadRequestData", "options replace and update exclude each other")
    mode = "update" if "update" in options else "replace"
    body = await _array(request)
    items = await _expand(request, body, partial=False)
    result = await ent.batch_upsert(request.app.state.store, tenant, items, mode=mode)
    ok = json_response(result.created, status=201) if result.created else empty(204)
    return _result(result, ok=ok)


async def batch_update(request: Request) -> Response:
    tenant = await require(request, "write")
    body = await _array(request)
    items = await _expand(request, body, partial=True)
    result = await ent.batch_update(
        request.app.state.store,
        tenant,
        items,
        no_overwrite="noOverwrite" in options_of(request),
    )
    return _result(result, ok=empty(204))


async def batch_merge(request: Request) -> Response:
    tenant = await require(request, "write")
    body = await _array(request)
    items = await _expand(request, body, partial=True)
    result = await ent.batch_merge(request.app.state.store, tenant, items)
    return _result(result, ok=empty(204))


async def batch_delete(request: Request) -> Response:
    tenant = await require(request, "write")
    body = await _array(request)
    result = await ent.batch_delete(request.app.state.store, tenant, body)
    return _result(result, ok=empty(204))
