"""``/iot/services``, ``/iot/devices`` (provisioning) and ``/iot/json`` (measures) over HTTP.

Provisioning needs a write token of the tenant like every broker write (tenant from
``fiware-service`` or ``NGSILD-Tenant``); list bodies are ``{"count": n, "services": […]}``
and ``{"count": n, "devices": […]}`` as in the FIWARE IoT Agent. Measures are authenticated
by their API key, as devices send them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from dos.broker.errors import NgsiError
from dos.broker.http.access import require
from dos.broker.http.render import empty, json_response
from dos.broker.http.request import TENANT_HEADER, int_param, read_json
from dos.broker.ingest import registry
from dos.broker.ingest.measures import Rejected, ingest, reject

Endpoint = Callable[[Request], Awaitable[Response]]


async def _tenant(request: Request) -> str:
    """Check write access; ``fiware-service`` names the tenant when NGSILD-Tenant is absent."""
    service = request.headers.get("fiware-service")
    if service and TENANT_HEADER.lower() not in request.headers:
        request.scope["headers"] = [
            *request.scope["headers"],
            (TENANT_HEADER.lower().encode(), service.encode()),
        ]
    # a new Request over the same scope sees the added header (headers are cached per object)
    return await require(Request(request.scope, request.receive), "write")


def _list_of(body: Any, key: str) -> list[Any]:
    if not isinstance(body, dict) or not isinstance(body.get(key), list) or not body[key]:
        raise NgsiError("BadRequestData", f'the body must be {{"{key}": [ … ]}} with one or more')
    items: list[Any] = body[key]
    return items


async def services_post(request: Request) -> Response:
    tenant = await _tenant(request)
    records = [registry.service_from(raw) for raw in _list_of(await read_json(request), "services")]

    def write(session: Any) -> None:
        for record in records:
            registry.service_put(session, tenant, record, create=True)

    await request.app.state.store.awrite(write)
    registry.changed()
    return empty(201)


async def services_get(request: Request) -> Response:
    tenant = await _tenant(request)
    limit = int_param(request, "limit", 20, minimum=1)
    offset = int_param(request, "offset", 0)
    records = await request.app.state.store.aread(lambda s: registry.service_list(s, tenant))
    page = records[offset : offset + limit]
    return json_response({"count": len(records), "services": page})


def _service_key(request: Request) -> tuple[str, str | None]:
    apikey = request.query_params.get("apikey")
    if not apikey:
        raise NgsiError("BadRequestData", "parameter apikey names the service group")
    return apikey, request.query_params.get("resource")


async def services_put(request: Request) -> Response:
    tenant = await _tenant(request)
    apikey, resource = _service_key(request)
    body = await read_json(request)
    if not isinstance(body, dict):
        raise NgsiError("BadRequestData", "the body must be a JSON object")

    def write(session: Any) -> None:
        current = registry.service_get(session, tenant, apikey, resource)
        current.pop("service", None)
        merged = registry.service_from({**current, **body, "apikey": apikey})
        merged["resource"] = current["resource"]
        registry.service_put(session, tenant, merged, create=False)

    await request.app.state.store.awrite(write)
    registry.changed()
    return empty(204)


async def services_delete(request: Request) -> Response:
    tenant = await _tenant(request)
    apikey, resource = _service_key(request)
    await request.app.state.store.awrite(
        lambda s: registry.service_delete(s, tenant, apikey, resource)
    )
    registry.changed()
    return empty(204)


async def devices_post(request: Request) -> Response:
    tenant = await _tenant(request)
    records = [registry.device_from(raw) for raw in _list_of(await read_json(request), "devices")]
    ids = [r["device_id"] for r in records]
    if len(set(ids)) != len(ids):
        raise NgsiError("BadRequestData", "a device id appears twice in the body")

    def write(session: Any) -> None:
        for record in records:
            registry.device_put(session, tenant, record, create=True)

    await request.app.state.store.awrite(write)
    registry.changed()
    return empty(201)


async def devices_get(request: Request) -> Response:
    tenant = await _tenant(request)
    limit = int_param(request, "limit", 20, minimum=1)
    offset = int_param(request, "offset", 0)
    devices, count = await request.app.state.store.aread(
        lambda s: registry.device_list(s, tenant, min(limit, 1000), offset)
    )
    return json_response({"count": count, "devices": devices})


async def device_get(request: Request) -> Response:
    tenant = await _tenant(request)
    device_id = request.path_params["device_id"]
    device = await request.app.state.store.aread(
        lambda s: registry.device_get(s, tenant, device_id)
    )
    return json_response(device)


async def device_put(request: Request) -> Response:
    tenant = await _tenant(request)
    device_id = request.path_params["device_id"]
    body = await read_json(request)
    if not isinstance(body, dict):
        raise NgsiError("BadRequestData", "the body must be a JSON object")

    def write(session: Any) -> None:
        current = registry.device_get(session, tenant, device_id)
        merged = registry.device_from({**current, **body, "device_id": device_id})
        registry.device_put(session, tenant, merged, create=False)

    await request.app.state.store.awrite(write)
    registry.changed()
    return empty(204)


async def device_delete(request: Request) -> Response:
    tenant = await _tenant(request)
    device_id = request.path_params["device_id"]
    await request.app.state.store.awrite(lambda s: registry.device_delete(s, tenant, device_id))
    registry.changed()
    return empty(204)


async def measure_post(request: Request) -> Response:
    """``POST /iot/json?k=<apikey>&i=<device_id>`` with a JSON measure."""
    apikey = request.query_params.get("k", "")
    device_id = request.query_params.get("i", "")
    try:
        if not apikey or not device_id:
            raise reject(
                "malformed", "parameters k (apikey) and i (device id) are required", device_id
            )
        try:
            payload = await read_json(request)
        except NgsiError as exc:
            raise reject("malformed", exc.detail, device_id, exc.status) from None
        await ingest(request.app.state.store, apikey, device_id, payload)
    except Rejected as exc:
        kind = "ResourceNotFound" if exc.status == 404 else "BadRequestData"
        raise NgsiError(kind, exc.detail, status=exc.status) from None
    return empty(200)


TABLE: list[tuple[str, str, Endpoint]] = [
    ("/iot/services", "POST", services_post),
    ("/iot/services", "GET", services_get),
    ("/iot/services", "PUT", services_put),
    ("/iot/services", "DELETE", services_delete),
    ("/iot/devices", "POST", devices_post),
    ("/iot/devices", "GET", devices_get),
    ("/iot/devices/{device_id}", "GET", device_get),
    ("/iot/devices/{device_id}", "PUT", device_put),
    ("/iot/devices/{device_id}", "DELETE", device_delete),
    ("/iot/json", "POST", measure_post),
]


def _dispatch(path: str, handlers: dict[str, Endpoint]) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        request.scope["dos.route"] = path
        method = "GET" if request.method == "HEAD" else request.method
        return await handlers[method](request)

    return endpoint


def routes() -> list[BaseRoute]:
    """The ``/iot/`` routes, one per path with all its methods."""
    by_path: dict[str, dict[str, Endpoint]] = {}
    for path, method, handler in TABLE:
        by_path.setdefault(path, {})[method] = handler
    return [
        Route(path, _dispatch(path, handlers), methods=list(handlers))
        for path, handlers in by_path.items()
    ]
