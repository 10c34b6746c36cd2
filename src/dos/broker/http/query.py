"""``POST /entityOperations/query`` (ETSI GS CIM 009 §6.23): a Query object in the body."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from dos.broker.errors import NgsiError
from dos.broker.http.access import require
from dos.broker.http.context import request_context
from dos.broker.http.entities import render_entities, run_query, view_of
from dos.broker.http.params import DEFAULT_LIMIT, build_query
from dos.broker.http.render import json_response
from dos.broker.http.request import bool_param, int_param, read_json
from dos.broker.jsonld.expand import expand_projection


def _selectors(entities: Any) -> dict[str, Any]:
    """The EntitySelector list (§5.2.33) as id / idPattern / type parameters.

    Several selectors are combined as alternatives when they select by the same member
    (all by type, or all by id); other combinations are refused.
    """
    if entities is None:
        return {}
    if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
        raise NgsiError("BadRequestData", "entities must be a list of EntitySelector objects")
    if len(entities) == 1:
        return {k: entities[0][k] for k in ("id", "idPattern", "type") if k in entities[0]}
    keys = {frozenset(e) for e in entities}
    if keys == {frozenset({"type"})}:
        return {"type": ",".join(f"({e['type']})" for e in entities)}
    if keys == {frozenset({"id", "type"})} and len({e["type"] for e in entities}) == 1:
        return {"id": [e["id"] for e in entities], "type": entities[0]["type"]}
    if keys == {frozenset({"id"})}:
        return {"id": [e["id"] for e in entities]}
    raise NgsiError(
        "NotImplemented", "several EntitySelectors must all select by type or all by id"
    )


async def query_post(request: Request) -> Response:
    tenant = await require(request, "read")
    body = await read_json(request)
    if not isinstance(body, dict) or body.get("type") != "Query":
        raise NgsiError("BadRequestData", 'the body must be a Query object ("type": "Query")')
    ctx = await request_context(request, body)
    view = view_of(request, ctx)
    source = _selectors(body.get("entities"))
    if body.get("attrs") is not None:
        if not isinstance(body["attrs"], list):
            raise NgsiError("BadRequestData", "attrs must be a list of attribute names")
        source["attrs"] = body["attrs"]
        view.attrs = expand_projection(body["attrs"], ctx)
    for key in ("q", "scopeQ"):
        if body.get(key) is not None:
            source[key] = body[key]
    if body.get("geoQ") is not None:
        source["geoQ"] = body["geoQ"]
    if isinstance(body.get("lang"), str):
        view.lang = body["lang"]
    count = bool_param(request, "count")
    query = build_query(
        source,
        ctx,
        limit=int_param(request, "limit", DEFAULT_LIMIT),
        offset=int_param(request, "offset", 0),
        count=count,
        local=bool_param(request, "local") or body.get("local") is True,
    )
    docs, total = await run_query(request, tenant, query, ctx)
    headers = view.headers()
    if total is not None:
        headers["NGSILD-Results-Count"] = str(total)
    return json_response(
        await render_entities(request, tenant, view, docs, body),
        media_type=view.accept,
        headers=headers,
    )
