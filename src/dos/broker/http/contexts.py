"""``/jsonldContexts`` (ETSI GS CIM 009 §5.13, §6.32-§6.33): the tenant's stored @contexts."""

from __future__ import annotations

from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response

from dos.broker.http.access import require
from dos.broker.http.context import repository
from dos.broker.http.render import empty, json_response, tenant_headers
from dos.broker.http.request import read_json
from dos.broker.jsonld import operations as ops

PATH = "/ngsi-ld/v1/jsonldContexts/"


def url_prefix(request: Request) -> str:
    """The public URL under which hosted contexts are served."""
    base: str = request.app.state.config.BASE_URL
    return base.rstrip("/") + PATH


async def list_contexts(request: Request) -> Response:
    await require(request, "read")
    body = await ops.context_list(
        repository(request),
        details=request.query_params.get("details"),
        kind=request.query_params.get("kind"),
    )
    return json_response(body)


async def show_context(request: Request) -> Response:
    await require(request, "read")
    body = await ops.context_show(
        repository(request),
        unquote(request.path_params["context_id"]),
        details=request.query_params.get("details"),
    )
    return json_response(body)


async def add_context(request: Request) -> Response:
    await require(request, "write")
    body = await read_json(request)
    stored = await ops.context_add(repository(request), body, url_prefix=url_prefix(request))
    return empty(201, {"Location": PATH + stored.id, **tenant_headers(request)})


async def delete_context(request: Request) -> Response:
    await require(request, "write")
    await ops.context_delete(
        repository(request),
        request.app.state.resolver,
        unquote(request.path_params["context_id"]),
        reload=request.query_params.get("reload"),
    )
    return empty(204)
