"""One ASGI process: ``/ngsi-ld/`` and ``/iot/`` → broker, ``/static/`` → files, ops endpoints, rest → portal.

``uvicorn --factory dos.asgi:create_app`` (what ``dos serve`` runs). ``DOS_SERVE_ONLY`` picks
the parts: a broker-only process never imports Django.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from collections.abc import Awaitable, Callable

import orjson
from starlette.staticfiles import StaticFiles

from dos.config import Config, load
from dos.observability import (
    METRICS,
    ASGIApp,
    ObservabilityMiddleware,
    Receive,
    Scope,
    Send,
    configure_logging,
)

log = logging.getLogger("dos")
Check = Callable[[], Awaitable[str | None]]  # None when fine, else what is wrong


async def _respond(send: Send, status: int, body: bytes, content_type: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", content_type.encode()), (b"cache-control", b"no-store")],
        }
    )
    await send({"type": "http.response.body", "body": body})


def portal_app(config: Config) -> tuple[ASGIApp, Check]:
    """Django's ASGI application behind the page cache (:mod:`dos.portal.web.pagecache`)
    and its readiness check."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dos.portal.settings")
    from asgiref.sync import sync_to_async
    from django.core.asgi import get_asgi_application
    from django.db import connections

    from dos.portal.web.pagecache import PageCache

    app = PageCache(
        get_asgi_application(),
        seconds=config.PAGE_CACHE_SECONDS,
        max_bytes=config.PAGE_CACHE_MB * 1024 * 1024,
    )

    def check_db() -> str | None:
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception as exc:  # any driver error means "not ready"
            return f"portal database: {type(exc).__name__}"
        finally:
            connections.close_all()
        return None

    return app, sync_to_async(check_db, thread_sensitive=False)


def tune_gc(gen0: int) -> None:
    """Let the youngest garbage-collector generation fill up to ``gen0`` allocations before
    it is collected (``DOS_GC_GEN0_THRESHOLD``; 0 or less keeps CPython's defaults)."""
    if gen0 > 0:
        gc.set_threshold(gen0, 20, 10)


def create_app(config: Config | None = None) -> ASGIApp:
    """Compose the broker, the portal and the ops endpoints into one ASGI application."""
    config = config or load()
    configure_logging(config.LOG_FORMAT, config.LOG_LEVEL)
    tune_gc(config.GC_GEN0_THRESHOLD)
    only = config.SERVE_ONLY
    checks: dict[str, Check] = {}
    broker: ASGIApp | None = None
    portal: ASGIApp | None = None
    if only in ("all", "broker"):
        from dos.broker.app import create_app as create_broker

        broker_app = create_broker(config)
        broker = broker_app
        checks["broker"] = broker_app.state.ready
    if only in ("all", "portal"):
        portal, checks["portal"] = portal_app(config)
    static = None
    if portal is not None:
        static_dir = config.data_dir / "static"  # filled by `dos migrate` (collectstatic)
        static_dir.mkdir(parents=True, exist_ok=True)
        static = StaticFiles(directory=static_dir)

    async def readyz(send: Send) -> None:
        results = await asyncio.gather(*(check() for check in checks.values()))
        problems = {name: r for name, r in zip(checks, results, strict=True) if r}
        body = {"status": "unavailable" if problems else "ready", "problems": problems}
        await _respond(send, 503 if problems else 200, orjson.dumps(body), "application/json")

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send, broker, config if portal is not None else None)
            return
        path: str = scope.get("path", "")
        if path.startswith(("/ngsi-ld/", "/iot/")) or path == "/ngsi-ld":
            if broker is None:
                await _respond(send, 404, b"the NGSI-LD broker is not served here", "text/plain")
                return
            await broker(scope, receive, send)
        elif path == "/healthz":
            await _respond(send, 200, b'{"status":"alive"}', "application/json")
        elif path == "/readyz":
            await readyz(send)
        elif path == "/metrics":
            await _respond(
                send, 200, METRICS.render().encode(), "text/plain; version=0.0.4; charset=utf-8"
            )
        elif portal is not None and static is not None and path.startswith("/static/"):
            scope = {**scope, "root_path": scope.get("root_path", "") + "/static"}
            await static(scope, receive, send)
        elif portal is not None:
            await portal(scope, receive, send)
        else:
            await _respond(send, 404, b"only the NGSI-LD broker is served here", "text/plain")

    def route_of(scope: Scope) -> str:
        path: str = scope.get("path", "")
        if path.startswith("/ngsi-ld"):
            return str(scope.get("dos.route") or "/ngsi-ld/…")
        if path.startswith("/iot/"):
            return str(scope.get("dos.route") or "/iot/…")
        if path in ("/healthz", "/readyz", "/metrics"):
            return path
        if path.startswith("/static/"):
            return "/static/…"
        return str(scope.get("dos.route") or "unmatched")

    return ObservabilityMiddleware(app, route_of)


async def _portal_started(config: Config) -> None:
    """The portal's start: register the subscriptions that feed the live map (it never
    fails the start; an unreachable broker is logged)."""
    from dos.portal.dashboards import feed

    await feed.start(config)


async def _lifespan(
    receive: Receive, send: Send, broker: ASGIApp | None, portal_config: Config | None = None
) -> None:
    """Forward start-up and shut-down to the broker (it opens and closes its store), then
    start the portal's own work."""
    while True:
        message = await receive()
        kind = message["type"]
        try:
            if broker is not None:
                state = getattr(broker, "state", None)
                hook = getattr(state, "startup" if kind.endswith("startup") else "shutdown", None)
                if hook is not None and kind in ("lifespan.startup", "lifespan.shutdown"):
                    await hook()
        except Exception as exc:
            log.exception("lifespan %s failed", kind)
            await send({"type": kind + ".failed", "message": str(exc)})
            return
        if kind == "lifespan.startup":
            if portal_config is not None:
                try:
                    await _portal_started(portal_config)
                except Exception:  # e.g. the portal database is not migrated yet
                    log.exception("portal start-up work failed")
            await send({"type": "lifespan.startup.complete"})
        elif kind == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
