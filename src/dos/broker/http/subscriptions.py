"""Handlers of ``/subscriptions`` (ETSI GS CIM 009 §6.10, §6.11)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from dos.broker.entities.operations import now
from dos.broker.errors import NgsiError
from dos.broker.http.access import require
from dos.broker.http.context import request_context
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
from dos.broker.subscriptions import registry
from dos.broker.subscriptions.model import parse_subscription
from dos.broker.temporal.times import now_ms, to_ms

MAX_LIMIT = 1000


def render(record: dict[str, Any], ctx: ActiveContext) -> dict[str, Any]:
    """A stored subscription for a client, names compacted, with its status (§5.2.12)."""
    out: dict[str, Any] = {"id": record["id"], "type": "Subscription"}
    for member in ("subscriptionName", "description"):
        if member in record:
            out[member] = record[member]
    if record.get("entities"):
        out["entities"] = [{**s, "type": ctx.compact(s["type"])} for s in record["entities"]]
    if record.get("watchedAttributes"):
        out["watchedAttributes"] = [ctx.compact(n) for n in record["watchedAttributes"]]
    for member in (
        "notificationTrigger",
        "timeInterval",
        "q",
        "geoQ",
        "scopeQ",
        "lang",
        "throttling",
        "expiresAt",
    ):
        if member in record:
            value = record[member]
            if member in ("timeInterval", "throttling") and float(value).is_integer():
                value = int(value)
            out[member] = value
    active = record.get("isActive", True)
    out["isActive"] = active
    expires = to_ms(record.get("expiresAt"))
    if expires is not None and expires <= now_ms():
        out["status"] = "expired"
    else:
        out["status"] = "active" if active else "paused"
    notification: dict[str, Any] = dict(record["notification"])
    if "attributes" in notification:
        notification["attributes"] = [ctx.compact(n) for n in notification["attributes"]]
    status = record.get("_status") or {}
    notification["timesSent"] = status.get("timesSent", 0)
    notification["timesFailed"] = status.get("timesFailed", 0)
    for member in ("lastNotification", "lastSuccess", "lastFailure"):
        if status.get(member):
            notification[member] = status[member]
    if status.get("timesSent") or status.get("timesFailed"):
        notification["status"] = status.get("status", "ok")
    out["notification"] = notification
    out["jsonldContext"] = record.get("jsonldContext")
    return out


async def create(request: Request) -> Response:
    tenant = await require(request, "write")
    body = await read_json(request)
    ctx = await request_context(request, body)
    record = parse_subscription(body, ctx, moment=now())
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
    sub_id = request.path_params["subscription_id"]
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
    return _respond(request, ctx, [render(r, ctx) for r in records], headers)


async def update(request: Request) -> Response:
    tenant = await require(request, "write")
    sub_id = request.path_params["subscription_id"]
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
    await request.app.state.store.awrite(
        lambda s: registry.subscription_update(s, tenant, sub_id, fragment)
    )
    return empty(204)


async def delete(request: Request) -> Response:
    tenant = await require(request, "write")
    sub_id = request.path_params["subscription_id"]
    await request.app.state.store.awrite(lambda s: registry.subscription_delete(s, tenant, sub_id))
    return empty(204)
