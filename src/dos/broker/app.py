"""The broker's Starlette application, mounted at ``/ngsi-ld`` by :mod:`dos.asgi`.

Handlers only parse the request, call the broker's operations and render the result.
"""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from dos.broker.errors import NgsiError
from dos.broker.store import open_store
from dos.config import Config

log = logging.getLogger("dos.broker")


async def _ngsi_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NgsiError)
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return NgsiError(
            "ResourceNotFound", f"no NGSI-LD resource at {request.url.path}"
        ).response()
    if exc.status_code == 405:
        return NgsiError(
            "MethodNotAllowed",
            f"{request.method} is not allowed on {request.url.path}",
            headers=dict(exc.headers or {}),
        ).response()
    return NgsiError("InvalidRequest", str(exc.detail), status=exc.status_code).response()


async def _internal_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error in %s %s", request.method, request.url.path)
    return NgsiError("InternalError", "the broker failed to handle this request").response()


def create_app(config: Config) -> Starlette:
    """The NGSI-LD broker as an ASGI application (its paths start at ``/v1/``)."""
    routes: list[BaseRoute] = []
    if config.BROKER_OPEN_WRITES:
        log.warning("DOS_BROKER_OPEN_WRITES is on: NGSI-LD writes need no token (demo only)")
    app = Starlette(
        routes=routes,
        exception_handlers={
            NgsiError: _ngsi_error,
            HTTPException: _http_error,
            Exception: _internal_error,
        },
    )
    app.state.config = config
    store = open_store(config)
    app.state.store = store

    async def ready() -> str | None:
        try:
            await run_in_threadpool(store.ping)
        except Exception as exc:  # any driver error means "not ready"
            return f"broker database: {exc}"
        return None

    async def startup() -> None:
        pass

    async def shutdown() -> None:
        store.close()

    app.state.ready = ready
    app.state.startup = startup
    app.state.shutdown = shutdown
    return app
