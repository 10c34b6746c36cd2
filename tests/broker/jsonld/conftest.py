"""Helpers for the JSON-LD tests: a fake context server on httpx's mock transport."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import orjson
import pytest

from dos.broker.errors import NgsiError
from dos.broker.jsonld.resolver import ContextResolver

T = TypeVar("T")

USER_URL = "http://contexts.example/user.jsonld"
USER_CONTEXT = {
    "@context": {
        "Building": "https://ngsi-ld-test-suite/context#Building",
        "name": "https://ngsi-ld-test-suite/context#name",
        "speed": "https://ngsi-ld-test-suite/context#speed",
    }
}


def run(coroutine: Awaitable[T]) -> T:
    """Run a coroutine to completion (independent of any pytest async plugin)."""

    async def main() -> T:
        return await coroutine

    return asyncio.run(main())


class ContextServer:
    """Answers GETs from a dict of URL → document; counts requests; fails on unknown URLs."""

    def __init__(self, documents: dict[str, Any] | None = None) -> None:
        self.documents: dict[str, Any] = dict(documents or {})
        self.requests: list[str] = []
        self.handler: Callable[[httpx.Request], httpx.Response] | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        self.requests.append(url)
        if self.handler is not None:
            return self.handler(request)
        if url not in self.documents:
            return httpx.Response(404, text="not found")
        document = self.documents[url]
        content = document if isinstance(document, bytes) else orjson.dumps(document)
        return httpx.Response(200, content=content, headers={"Content-Type": "application/ld+json"})


def _no_network(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"network used for {request.url}")


@pytest.fixture
def server() -> ContextServer:
    return ContextServer({USER_URL: USER_CONTEXT})


@pytest.fixture
def resolver(server: ContextServer) -> ContextResolver:
    return ContextResolver(timeout=1.0, max_bytes=10_000, transport=httpx.MockTransport(server))


@pytest.fixture
def offline_resolver() -> ContextResolver:
    """A resolver whose every network access fails the test."""
    return ContextResolver(
        timeout=1.0, max_bytes=10_000, transport=httpx.MockTransport(_no_network)
    )


def error_of(call: Callable[[], Any]) -> NgsiError:
    """The NgsiError a call raises (fails the test when it raises none)."""
    try:
        result = call()
    except NgsiError as exc:
        return exc
    raise AssertionError(f"no NgsiError, got {result!r}")
