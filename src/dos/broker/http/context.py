"""The @context of a request (ETSI GS CIM 009 §6.3.5), resolved by the shared resolver."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from dos.broker.errors import NgsiError
from dos.broker.http.request import tenant_of
from dos.broker.jsonld.active import ActiveContext
from dos.broker.jsonld.resolver import NO_CONTEXT, ContextResolver
from dos.broker.store.contexts import StoreContextRepository

NO_BODY: Any = object()


def repository(request: Request) -> StoreContextRepository:
    """The stored @contexts of the request's tenant."""
    return StoreContextRepository(request.app.state.store, tenant_of(request))


async def request_context(request: Request, body: Any = NO_BODY) -> ActiveContext:
    """The active context from the Link header or the body's ``@context``.

    For a batch (a JSON array) each entity carries its own @context with
    application/ld+json; :func:`item_context` resolves those one by one.
    """
    has_body = body is not NO_BODY
    if has_body and not isinstance(body, dict):
        # not even shaped like a payload: the request itself is wrong (ETSI 001_02_02, 059_01_01)
        raise NgsiError("InvalidRequest", "the request body must be a JSON object")
    return await _resolve(request, body, has_body)


async def _resolve(request: Request, body: Any, has_body: bool) -> ActiveContext:
    resolver: ContextResolver = request.app.state.resolver
    body_context = NO_CONTEXT
    if has_body and isinstance(body, dict) and "@context" in body:
        body_context = body["@context"]
    return await resolver.resolve_request(
        link=request.headers.get("link"),
        content_type=request.headers.get("content-type") if has_body else None,
        body_context=body_context,
        repository=repository(request),
    )


async def item_context(request: Request, item: Any) -> ActiveContext:
    """The active context of one element of a batch body."""
    return await _resolve(request, item, True)
