"""The broker's Starlette application; its routes start at ``/ngsi-ld/v1/``.

:mod:`dos.asgi` hands it every request whose path starts with ``/ngsi-ld/``. Handlers (in
:mod:`dos.broker.http`) only parse the request, call the broker's operations and render.
"""

from __future__ import annotations

import asyncio
import logging
import os

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from dos.broker.errors import NgsiError
from dos.broker.http import routes
from dos.broker.ingest.http import routes as ingest_routes
from dos.broker.jsonld.resolver import ContextResolver
from dos.broker.store import Store, open_store
from dos.broker.subscriptions.dispatcher import Dispatcher
from dos.config import Config

log = logging.getLogger("dos.broker")
_current: Starlette | None = None


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


class TrailingSlash:
    """Routes answer with and without a trailing slash (no redirect: clients POST too)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if len(path) > 1 and path.endswith("/"):
                # changed in place: the observability middleware reads "dos.route" from it
                scope["path"] = path.rstrip("/") or "/"
                raw = scope.get("raw_path")
                if isinstance(raw, bytes) and raw.endswith(b"/"):
                    scope["raw_path"] = raw.rstrip(b"/")
        await self.app(scope, receive, send)


def create_app(config: Config, *, store: Store | None = None) -> Starlette:
    """The NGSI-LD broker as an ASGI application (``store``: an already opened store)."""
    if config.BROKER_OPEN_WRITES:
        log.warning("DOS_BROKER_OPEN_WRITES is on: NGSI-LD writes need no token (demo only)")
    app = Starlette(
        routes=routes() + ingest_routes(),
        middleware=[Middleware(TrailingSlash)],
        exception_handlers={
            NgsiError: _ngsi_error,
            HTTPException: _http_error,
            Exception: _internal_error,
        },
    )
    app.router.redirect_slashes = False
    app.state.config = config
    if store is None:
        store = open_store(config)
    app.state.store = store
    app.state.resolver = ContextResolver(
        timeout=config.BROKER_CONTEXT_TIMEOUT, max_bytes=config.BROKER_CONTEXT_MAX_BYTES
    )

    async def ready() -> str | None:
        try:
            await run_in_threadpool(store.ping)
        except Exception as exc:  # any driver error means "not ready"
            return f"broker database: {exc}"
        return None

    app.state.mqtt = None

    async def startup() -> None:
        # notifications are delivered by this process too (``dos worker`` runs it alone)
        dispatcher = Dispatcher(store, app.state.resolver)
        app.state.dispatcher = dispatcher
        app.state.dispatcher_task = asyncio.create_task(dispatcher.run())
        if config.MQTT_URL:  # sensor measures over MQTT (dos.broker.ingest.mqtt)
            from dos.broker.ingest.mqtt import MqttIngest, client_id_for

            # one worker keeps a stable MQTT session across restarts (unacked messages are
            # redelivered); several workers of one host need distinct client ids
            role = "serve" if config.WORKERS == 1 else f"serve-{os.getpid()}"
            client_id = client_id_for(config, role)
            app.state.mqtt = MqttIngest(
                str(config.MQTT_URL),
                store,
                asyncio.get_running_loop(),
                client_id=client_id,
                group=str(config.MQTT_GROUP),
            )
            app.state.mqtt.start()

    async def shutdown() -> None:
        if app.state.mqtt is not None:
            app.state.mqtt.stop()
            app.state.mqtt = None
        dispatcher = getattr(app.state, "dispatcher", None)
        if dispatcher is not None:
            await dispatcher.stop()
            await app.state.dispatcher_task
        await app.state.resolver.aclose()
        store.close()

    app.state.ready = ready
    app.state.startup = startup
    app.state.shutdown = shutdown
    global _current
    _current = app
    return app


def current_app(config: Config) -> Starlette:
    """The broker app of this process (created by :mod:`dos.asgi`), or a new one.

    The in-process client uses it, so portal and API share one store and one writer.
    """
    if _current is None:
        return create_app(config)
    return _current
