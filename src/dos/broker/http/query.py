"""``POST /entityOperations/query`` (ETSI GS CIM 009 §6.23): a Query object in the body."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from dos.broker.errors import NgsiError
from dos.broker.http.access import require
from dos.broker.http.context import request_context
from dos.broker.http.entities import render_entities, run_query, view_of
from dos.broker.http.params import (
    DEFAULT_LIMIT,
    build_query,
    parse_id_pattern,
    parse_ids,
    type_groups,
)
from dos.broker.http.render import json_response
from dos.broker.http.request import bool_param, int_param, read_json
from dos.broker.jsonld.active import ActiveContext
from dos.broker.jsonld.expand import expand_projection

Doc = dict[str, Any]
Check = Callable[[Doc], bool]


def entity_selectors(entities: Any, ctx: ActiveContext) -> tuple[dict[str, Any], Check | None]:
    """The EntitySelector list (§5.2.33) as id / idPattern / type parameters, plus an exact
    test when the selectors cannot be expressed as parameters.

    Several selectors are alternatives: an entity matches when it matches one of them. When
    they all select by type only, or all by id (of one type), they become plain parameters;
    any other mix narrows the store query as far as the parameters can (by the union of the
    types when every selector names a type) and checks each candidate against the selectors.
    """
    if entities is None:
        return {}, None
    if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
        raise NgsiError("BadRequestData", "entities must be a list of EntitySelector objects")
    for selector in entities:
        unknown = set(selector) - {"id", "idPattern", "type"}
        if unknown:
            raise NgsiError(
                "BadRequestData", f"unknown EntitySelector member(s): {', '.join(sorted(unknown))}"
            )
        if not isinstance(selector.get("type", ""), str):
            raise NgsiError("BadRequestData", "the type of an EntitySelector must be a string")
    if len(entities) == 1:
        return {k: entities[0][k] for k in ("id", "idPattern", "type") if k in entities[0]}, None
    keys = {frozenset(e) for e in entities}
    if keys == {frozenset({"type"})}:
        return {"type": ",".join(f"({e['type']})" for e in entities)}, None
    if keys == {frozenset({"id", "type"})} and len({e["type"] for e in entities}) == 1:
        return {"id": [e["id"] for e in entities], "type": entities[0]["type"]}, None
    if keys == {frozenset({"id"})}:
        return {"id": [e["id"] for e in entities]}, None
    matchers = [_matcher(selector, ctx) for selector in entities]
    source: dict[str, Any] = {}
    if all("type" in e for e in entities):
        source["type"] = ",".join(f"({e['type']})" for e in entities)

    def check(doc: Doc) -> bool:
        return any(matches(doc) for matches in matchers)

    return source, check


def _matcher(selector: dict[str, Any], ctx: ActiveContext) -> Check:
    """The exact test of one EntitySelector."""
    ids = set(parse_ids([selector["id"]])) if "id" in selector else None
    pattern = (
        re.compile(parse_id_pattern(selector["idPattern"])) if "idPattern" in selector else None
    )
    groups = type_groups(selector["type"], ctx.expand) if "type" in selector else None

    def matches(doc: Doc) -> bool:
        if ids is not None and doc["id"] not in ids:
            return False
        if pattern is not None and not pattern.search(doc["id"]):
            return False
        if groups is not None:
            types = set(doc.get("type", []))
            return any(all(t in types for t in group) for group in groups)
        return True

    return matches


async def query_post(request: Request) -> Response:
    tenant = await require(request, "read")
    body = await read_json(request)
    if not isinstance(body, dict) or body.get("type") != "Query":
        raise NgsiError("BadRequestData", 'the body must be a Query object ("type": "Query")')
    ctx = await request_context(request, body)
    view = view_of(request, ctx)
    source, selected = entity_selectors(body.get("entities"), ctx)
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
        local=bool_param(request, "local") or body.get("local") is True or selected is not None,
    )
    if selected is not None:
        query.extra.append(selected)
    docs, total = await run_query(request, tenant, query, ctx)
    headers = view.headers()
    if total is not None:
        headers["NGSILD-Results-Count"] = str(total)
    return json_response(
        await render_entities(request, tenant, view, docs, body),
        media_type=view.accept,
        headers=headers,
    )
