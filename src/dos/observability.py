"""Logging (text or JSON, with request ids) and Prometheus metrics for the whole process."""

from __future__ import annotations

import contextvars
import json
import logging
import random
import sys
import time
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(fmt: str, level: str) -> None:
    """Send all logs to stderr as ``text`` or ``json`` lines that carry the request id."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RequestIdFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """Request counts by route and status and a latency histogram, per process."""

    def __init__(self) -> None:
        self.requests: dict[tuple[str, str, str], int] = defaultdict(int)
        self.latency_buckets: dict[str, list[int]] = defaultdict(lambda: [0] * (len(BUCKETS) + 1))
        self.latency_sum: dict[str, float] = defaultdict(float)
        self.counters: dict[tuple[str, tuple[tuple[str, str], ...]], int] = defaultdict(int)

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests[(route, method, str(status))] += 1
        self.latency_buckets[route][bisect_left(BUCKETS, seconds)] += 1
        self.latency_sum[route] += seconds

    def count(self, name: str, **labels: str) -> None:
        """Count an event (e.g. a rejected sensor message) under ``dos_<name>_total``."""
        self.counters[(name, tuple(sorted(labels.items())))] += 1

    def render(self) -> str:
        out = [
            "# HELP dos_http_requests_total HTTP requests by route, method and status.",
            "# TYPE dos_http_requests_total counter",
        ]
        for (route, method, status), n in sorted(self.requests.items()):
            out.append(
                f'dos_http_requests_total{{route="{_esc(route)}",method="{method}",'
                f'status="{status}"}} {n}'
            )
        out += [
            "# HELP dos_http_request_duration_seconds Time to answer a request.",
            "# TYPE dos_http_request_duration_seconds histogram",
        ]
        for route, counts in sorted(self.latency_buckets.items()):
            total = 0
            for bound, n in zip((*BUCKETS, float("inf")), counts, strict=True):
                total += n
                le = "+Inf" if bound == float("inf") else repr(bound)
                out.append(
                    f'dos_http_request_duration_seconds_bucket{{route="{_esc(route)}",'
                    f'le="{le}"}} {total}'
                )
            out.append(
                f'dos_http_request_duration_seconds_sum{{route="{_esc(route)}"}} '
                f"{self.latency_sum[route]:.6f}"
            )
            out.append(f'dos_http_request_duration_seconds_count{{route="{_esc(route)}"}} {total}')
        names = sorted({name for name, _ in self.counters})
        for name in names:
            out.append(f"# TYPE dos_{name}_total counter")
            for (counter, labels), value in sorted(self.counters.items()):
                if counter == name:
                    text = ",".join(f'{k}="{_esc(v)}"' for k, v in labels)
                    out.append(f"dos_{name}_total{{{text}}} {value}")
        return "\n".join(out) + "\n"


def _esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


METRICS = Metrics()

RouteOf = Callable[[Scope], str]


class ObservabilityMiddleware:
    """Gives every HTTP request an id (``X-Request-ID``) and records it in :data:`METRICS`."""

    def __init__(self, app: ASGIApp, route_of: RouteOf) -> None:
        self.app = app
        self.route_of = route_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = ""
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                rid = value.decode("latin-1")[:64]
                break
        # not uuid4(): os.urandom releases the GIL, and the writer thread may then keep it
        rid = rid or f"{random.getrandbits(128):032x}"
        token = request_id.set(rid)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", ()),
                    (b"x-request-id", rid.encode("latin-1")),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            METRICS.observe(
                self.route_of(scope), scope["method"], status, time.perf_counter() - started
            )
            request_id.reset(token)
