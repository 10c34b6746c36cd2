"""Handlers of ``/subscriptions`` (ETSI GS CIM 009 §6.10, §6.11)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from dos.broker.entities.operations import now
from dos.broker.entities.validate import is_uri
from dos.broker.errors import NgsiError
from dos.broker.http.access import require
from dos.broker.http.context import repository, request_context
from dos.broker.http.render import context_headers, empty, json_response, tenant_headers
from dos.broker.http.request import (
    JSON,
    LD_JSON,
    MERGE_PATCH,
    accept_of,
    bool_param,
    int_param,
    read_json,
)
from dos.broker.jsonld.active import ActiveContext
from dos.broker.query.projection import CORE_MEMBERS
from dos.broker.subscriptions import registry
from dos.broker.subscriptions.model import DEFAULT_TRIGGERS, parse_subscription
from dos.broker.temporal.times import now_ms, to_ms

MAX_LIMIT = 1000


def render(record: dict[str, Any], ctx: ActiveContext) -> dict[str, Any]:
    """A stored subscription for a client, names compacted, with its status (§5.2.12)."""
    out: dict[str, Any] = {"id": record["id"], "type": "Subscription"}
    for member in ("subscriptionName", "description"):
        if member in record:
            out[member] = record[member]
    if record.get("entities"):
        out["entities"] = [
            {k: v for k, v in s.items() if k != "typeGroups"}
            | {"type": s["type"] if "typeGroups" in s else ctx.compact(s["type"])}
            for s in record["entities"]
        ]
    if record.get("watchedAttributes"):
        out["watchedAttributes"] = [ctx.compact(n) for n in record["watchedAttributes"]]
    out["notificationTrigger"] = record.get("notificationTrigger", DEFAULT_TRIGGERS)  # §5.2.12
    for member in (
        "notificationTrigger",
        "timeInterval",
        "q",
        "geoQ",
        "scopeQ",
        "lang",
        "throttling",
        "expiresAt",
        "datasetId",
    ):
        if member in record:
            value = record[member]
            if member in ("timeInterval", "throttling") and float(value).is_integer():
                value = int(value)
            out[member] = value
    active = record.get("isActive", True)
    if "isActive" in record:  # shown as given; ``status`` tells the effect (§5.2.12)
        out["isActive"] = active
    expires = to_ms(record.get("expiresAt"))
    if expires is not None and expires <= now_ms():
        out["status"] = "expired"
    else:
        out["status"] = "active" if active else "paused"
    notification: dict[str, Any] = dict(record["notification"])
    for member in ("attributes", "pick", "omit"):
        if member in notification:
            notification[member] = [
                n if n in CORE_MEMBERS else ctx.compact(n) for n in notification[member]
            ]
    status = record.get("_status") or {}
    for member in ("timesSent", "timesFailed"):  # once something was sent
        if status.get(member):
            notification[member] = status[member]
    for member in ("lastNotification", "lastSuccess", "lastFailure"):
        if status.get(member):
            notification[member] = status[member]
    if status.get("timesSent") or status.get("timesFailed"):
        notification["status"] = status.get("status", "ok")
    out["notification"] = notification
    if record.get("contextGiven"):  # else the @context of the request that created it
        out["jsonldContext"] = record.get("jsonldContext")
    return out


def _subscription_id(request: Request) -> str:
    sub_id = request.path_params["subscription_id"]
    if not is_uri(sub_id):
        raise NgsiError("BadRequestData", f"subscription id {sub_id!r} is not a URI")
    return str(sub_id)


async def _check_context(request: Request, record: dict[str, Any]) -> None:
    """A ``jsonldContext`` given by the client must be resolvable now (503 when not)."""
    if "jsonldContext" in record:
        await request.app.state.resolver.resolve(
            record["jsonldContext"], repository=repository(request)
        )


async def create(request: Request) -> Response:
    tenant = await require(request, "write")
    body = await read_json(request)
    ctx = await request_context(request, body)
    record = parse_subscription(body, ctx, moment=now())
    if isinstance(body, dict) and "jsonldContext" in body:
        await _check_context(request, record)
    await request.app.state.store.awrite(lambda s: registry.subscription_insert(s, tenant, record))
    location = f"/ngsi-ld/v1/subscriptions/{quote(record['id'], safe=':')}"
    return empty(201, {"Location": location, **tenant_headers(request)})


def _respond(request: Request, ctx: ActiveContext, body: Any, headers: dict[str, str]) -> Response:
    accept = accept_of(request)
    if accept == LD_JSON:
        if isinstance(body, list):
            body = [{**b, "@context": ctx.context_value()} for b in body]
        else:
            body = {**body, "@context": ctx.context_value()}
    return json_response(
        body, media_type=accept, headers={**context_headers(ctx, accept), **headers}
    )


async def retrieve(request: Request) -> Response:
    tenant = await require(request, "read")
    ctx = await request_context(request)
    sub_id = _subscription_id(request)
    record = await request.app.state.store.aread(
        lambda s: registry.subscription_get(s, tenant, sub_id)
    )
    return _respond(request, ctx, render(record, ctx), {})


async def query(request: Request) -> Response:
    tenant = await require(request, "read")
    ctx = await request_context(request)
    limit = int_param(request, "limit", 20)
    if limit > MAX_LIMIT:
        raise NgsiError("TooManyResults", f"limit {limit} is above the maximum of {MAX_LIMIT}")
    offset = int_param(request, "offset", 0)
    records, total = await request.app.state.store.aread(
        lambda s: registry.subscription_list(s, tenant, limit, offset)
    )
    headers = {"NGSILD-Results-Count": str(total)} if bool_param(request, "count") else {}
    links = _page_links(request, limit, offset, total)
    response = _respond(request, ctx, [render(r, ctx) for r in records], headers)
    if links:
        context_link = response.headers.get("Link")
        response.headers["Link"] = ",".join([*([context_link] if context_link else []), *links])
    return response


def _page_links(request: Request, limit: int, offset: int, total: int) -> list[str]:
    """``prev`` and ``next`` links of a page of subscriptions (§5.5.9, §6.3.13)."""
    accept = accept_of(request)
    links = []
    if offset > 0 and limit > 0:
        previous = max(offset - limit, 0)
        links.append(
            f'</ngsi-ld/v1/subscriptions?limit={limit}&offset={previous}>;rel="prev";'
            f'type="{accept}"'
        )
    if limit > 0 and offset + limit < total:
        links.append(
            f'</ngsi-ld/v1/subscriptions?limit={limit}&offset={offset + limit}>;rel="next";'
            f'type="{accept}"'
        )
    return links


async def update(request: Request) -> Response:
    tenant = await require(request, "write")
    sub_id = _subscription_id(request)
    body = await read_json(request, allowed=(JSON, LD_JSON, MERGE_PATCH))
    if isinstance(body, dict) and body.get("id") not in (None, sub_id):
        raise NgsiError("BadRequestData", "id: differs from the subscription id in the URL")
    ctx = await request_context(request, body)
    fragment = parse_subscription(
        {k: v for k, v in body.items() if k not in ("id", "type")}
        if isinstance(body, dict)
        else body,
        ctx,
        moment=now(),
        partial=True,
    )
    await _check_context(request, fragment)
    await request.app.state.store.awrite(
        lambda s: registry.subscription_update(s, tenant, sub_id, fragment)
    )
    return empty(204)


async def delete(request: Request) -> Response:
    tenant = await require(request, "write")
    sub_id = _subscription_id(request)
    await request.app.state.store.awrite(lambda s: registry.subscription_delete(s, tenant, sub_id))
    return empty(204)
