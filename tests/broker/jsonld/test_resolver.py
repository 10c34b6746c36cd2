"""Resolving a request's @context: Link header, body @context, fetching, caching, failures."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from dos.broker.jsonld.active import core_active_context
from dos.broker.jsonld.contexts import CORE_CONTEXT_URL
from dos.broker.jsonld.repository import MemoryContextRepository, StoredContext
from dos.broker.jsonld.resolver import (
    NO_CONTEXT,
    ContextResolver,
    context_url_from_link,
    link_header,
    media_type,
    parse_link_header,
)
from tests.broker.jsonld.conftest import USER_URL, ContextServer, error_of, run

V16 = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.6.jsonld"
REL = '; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'


def test_link_header_round_trip() -> None:
    assert context_url_from_link(link_header(USER_URL)) == USER_URL
    links = parse_link_header(f'<http://a.example/x>; rel="next", <{USER_URL}>{REL}')
    assert [url for url, _ in links] == ["http://a.example/x", USER_URL]
    assert context_url_from_link('<http://a.example/x>; rel="next"') is None
    assert context_url_from_link(None) is None
    assert media_type("application/json; charset=utf-8") == "application/json"


@pytest.mark.parametrize(
    ("link", "detail"),
    [
        (f"<{USER_URL}>{REL}, <http://b.example/c>{REL}", "more than one JSON-LD @context"),
        (
            f'<{USER_URL}>; rel="http://www.w3.org/ns/json-ld#context"; type="text/html"',
            "type 'text/html'",
        ),
        (f"<not a url>{REL}", "is not a URL"),
        ('http://x.example/c; rel="http://www.w3.org/ns/json-ld#context"', "malformed Link header"),
    ],
)
def test_bad_link_headers(link: str, detail: str) -> None:
    error = error_of(lambda: context_url_from_link(link))
    assert error.error_type == "BadRequestData"
    assert detail in error.detail


def test_no_context_means_core(offline_resolver: ContextResolver) -> None:
    ctx = run(offline_resolver.resolve_request(content_type="application/json"))
    assert ctx is core_active_context()
    assert ctx.link_url() == CORE_CONTEXT_URL


def test_core_urls_need_no_network(offline_resolver: ContextResolver) -> None:
    for url in (CORE_CONTEXT_URL, V16):
        ctx = run(offline_resolver.resolve_request(link=f"<{url}>{REL}"))
        assert ctx.expand("location") == "https://uri.etsi.org/ngsi-ld/location"
    body = run(
        offline_resolver.resolve_request(
            content_type="application/ld+json", body_context=[V16, {"a": "http://x.example/a"}]
        )
    )
    assert body.expand("a") == "http://x.example/a"


def test_link_context_is_fetched_once_and_cached(
    resolver: ContextResolver, server: ContextServer
) -> None:
    for _ in range(3):
        ctx = run(
            resolver.resolve_request(link=f"<{USER_URL}>{REL}", content_type="application/json")
        )
        assert ctx.expand("speed") == "https://ngsi-ld-test-suite/context#speed"
        assert ctx.compact("https://ngsi-ld-test-suite/context#speed") == "speed"
    assert server.requests == [USER_URL]
    assert ctx.link_url() == USER_URL


def test_concurrent_requests_fetch_once(resolver: ContextResolver, server: ContextServer) -> None:
    async def many() -> None:
        await asyncio.gather(*(resolver.resolve(USER_URL) for _ in range(10)))

    run(many())
    assert server.requests == [USER_URL]


def test_nested_remote_contexts(resolver: ContextResolver, server: ContextServer) -> None:
    compound = "http://contexts.example/compound.jsonld"
    server.documents[compound] = {"@context": [USER_URL, CORE_CONTEXT_URL]}
    ctx = run(resolver.resolve(compound))
    assert ctx.expand("name") == "https://ngsi-ld-test-suite/context#name"
    assert server.requests == [compound, USER_URL]


@pytest.mark.parametrize(
    ("content_type", "link", "body_context", "detail"),
    [
        (
            "application/ld+json",
            f"<{USER_URL}>{REL}",
            {"a": "http://x/a"},
            "not allowed with Content-Type",
        ),
        ("application/ld+json", None, NO_CONTEXT, "needs an @context in the body"),
        ("application/json", None, {"a": "http://x/a"}, "needs Content-Type application/ld+json"),
        ("application/ld+json", None, 42, "is not a URL or an object"),
    ],
)
def test_request_rules(
    offline_resolver: ContextResolver,
    content_type: str,
    link: str | None,
    body_context: object,
    detail: str,
) -> None:
    error = error_of(
        lambda: run(
            offline_resolver.resolve_request(
                link=link, content_type=content_type, body_context=body_context
            )
        )
    )
    assert (error.error_type, error.status) == ("BadRequestData", 400)
    assert detail in error.detail


def _failing(server: ContextServer, response: httpx.Response | Exception) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(response, Exception):
            raise response
        return response

    server.handler = handler


@pytest.mark.parametrize(
    ("response", "detail"),
    [
        (httpx.Response(404, text="gone"), "HTTP 404"),
        (httpx.Response(200, content=b"<html>"), "is not JSON"),
        (httpx.Response(200, json={"terms": {}}), "not a JSON-LD document with @context"),
        (httpx.Response(200, content=b"x" * 20_000), "larger than 10000 bytes"),
        (httpx.ConnectError("connection refused"), "could not be retrieved"),
    ],
)
def test_unavailable_contexts(
    resolver: ContextResolver,
    server: ContextServer,
    response: httpx.Response | Exception,
    detail: str,
) -> None:
    _failing(server, response)
    error = error_of(lambda: run(resolver.resolve_request(link=f"<{USER_URL}>{REL}")))
    assert (error.error_type, error.status) == ("LdContextNotAvailable", 503)
    assert detail in error.detail
    assert USER_URL in error.detail


def test_a_slow_context_server_never_hangs_the_broker() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return httpx.Response(200, json={"@context": {}})

    resolver = ContextResolver(timeout=0.2, transport=httpx.MockTransport(slow))
    started = time.monotonic()
    error = error_of(lambda: run(resolver.resolve(USER_URL)))
    assert time.monotonic() - started < 2
    assert error.error_type == "LdContextNotAvailable"
    assert "within 0.2 s" in error.detail


def test_non_http_context_url(offline_resolver: ContextResolver) -> None:
    error = error_of(lambda: run(offline_resolver.resolve("urn:x:context")))
    assert error.error_type == "LdContextNotAvailable"


def test_fetched_contexts_are_stored_as_cached_and_counted(
    resolver: ContextResolver, server: ContextServer
) -> None:
    repository = MemoryContextRepository()
    for _ in range(2):
        run(resolver.resolve(USER_URL, repository=repository))
    [stored] = run(repository.list())
    assert (stored.kind, stored.url, stored.number_of_hits) == ("Cached", USER_URL, 2)
    assert stored.body == {
        "Building": "https://ngsi-ld-test-suite/context#Building",
        "name": "https://ngsi-ld-test-suite/context#name",
        "speed": "https://ngsi-ld-test-suite/context#speed",
    }
    assert stored.last_usage is not None


def test_hosted_contexts_resolve_from_the_repository(offline_resolver: ContextResolver) -> None:
    repository = MemoryContextRepository()
    url = "http://broker.example/ngsi-ld/v1/jsonldContexts/abc"
    run(
        repository.add(
            StoredContext(
                id="abc",
                url="http://other-host/ngsi-ld/v1/jsonldContexts/abc",
                kind="Hosted",
                body={"x": "http://x.example/x"},
                created_at="2026-01-01T00:00:00.000Z",
            )
        )
    )
    ctx = run(offline_resolver.resolve(url, repository=repository))
    assert ctx.expand("x") == "http://x.example/x"


def test_forget_reloads(resolver: ContextResolver, server: ContextServer) -> None:
    run(resolver.resolve(USER_URL))
    resolver.forget(USER_URL)
    run(resolver.resolve(USER_URL))
    assert server.requests == [USER_URL, USER_URL]
    run(resolver.aclose())


def test_a_default_resolver_never_sends_for_core_contexts(monkeypatch: pytest.MonkeyPatch) -> None:
    async def refuse(*args: object, **kwargs: object) -> httpx.Response:
        raise AssertionError("network used")

    monkeypatch.setattr(httpx.AsyncClient, "send", refuse)
    resolver = ContextResolver()
    for url in (
        CORE_CONTEXT_URL,
        V16,
        "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld",
    ):
        ctx = run(resolver.resolve_request(link=f"<{url}>{REL}", content_type="application/json"))
        assert ctx.expand("Property") == "https://uri.etsi.org/ngsi-ld/Property"
    error = error_of(lambda: run(resolver.resolve(USER_URL)))
    assert error.error_type == "LdContextNotAvailable"  # the refused send surfaces as 503
