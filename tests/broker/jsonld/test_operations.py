"""The /jsonldContexts operations over the in-memory repository."""

from __future__ import annotations

import httpx
import pytest

from dos.broker.jsonld.contexts import CORE_CONTEXT_URL
from dos.broker.jsonld.operations import (
    CORE_LOCAL_ID,
    context_add,
    context_add_implicit,
    context_delete,
    context_list,
    context_show,
)
from dos.broker.jsonld.repository import MemoryContextRepository
from dos.broker.jsonld.resolver import ContextResolver
from tests.broker.jsonld.conftest import USER_URL, ContextServer, error_of, run

PREFIX = "http://broker.example/ngsi-ld/v1/jsonldContexts/"
V16 = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.6.jsonld"


@pytest.fixture
def repository() -> MemoryContextRepository:
    return MemoryContextRepository()


def test_empty_broker_lists_only_the_core_context(repository: MemoryContextRepository) -> None:
    assert run(context_list(repository)) == [CORE_CONTEXT_URL]
    assert run(context_list(repository, kind="Hosted")) == []
    assert run(context_list(repository, details="false", kind="ImplicitlyCreated")) == []
    [core] = run(context_list(repository, details="true"))
    assert (core["URL"], core["localId"], core["kind"]) == (
        CORE_CONTEXT_URL,
        CORE_LOCAL_ID,
        "Cached",
    )


@pytest.mark.parametrize(
    ("details", "kind", "detail"),
    [
        (None, "other", "kind must be one of Hosted, Cached, ImplicitlyCreated, not 'other'"),
        ("other", None, "details must be true or false, not 'other'"),
        ("true", "other", "kind must be one of"),
    ],
)
def test_list_refuses_bad_parameters(
    repository: MemoryContextRepository, details: str | None, kind: str | None, detail: str
) -> None:
    error = error_of(lambda: run(context_list(repository, details=details, kind=kind)))
    assert (error.error_type, error.status) == ("BadRequestData", 400)
    assert detail in error.detail


def test_add_show_delete_hosted(
    repository: MemoryContextRepository, resolver: ContextResolver
) -> None:
    body = {"@context": {"speed": "https://example.org/speed"}}
    added = run(context_add(repository, body, url_prefix=PREFIX))
    assert added.url == PREFIX + added.id
    assert run(context_show(repository, added.id)) == body
    assert run(context_show(repository, added.url)) == body
    details = run(context_show(repository, added.id, details="true"))
    assert set(details) == {"URL", "localId", "kind", "createdAt"}
    assert details["kind"] == "Hosted"
    assert run(context_list(repository, kind="Hosted")) == [added.url]
    # a hosted context works as a request's @context without any network
    ctx = run(resolver.resolve(added.url, repository=repository))
    assert ctx.expand("speed") == "https://example.org/speed"
    run(context_delete(repository, resolver, added.id))
    error = error_of(lambda: run(context_show(repository, added.id)))
    assert (error.error_type, error.status) == ("ResourceNotFound", 404)


@pytest.mark.parametrize("body", [{"speed": "x"}, []])
def test_add_without_context_is_an_invalid_request(
    repository: MemoryContextRepository, body: object
) -> None:
    error = error_of(lambda: run(context_add(repository, body, url_prefix=PREFIX)))
    assert (error.error_type, error.status) == ("InvalidRequest", 400)
    assert "a JSON object with an @context member" in error.detail


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"@context": 5}, "@context must be an object, a URL or an array"),
        ({"@context": {"a": {"@id": 5}}}, "invalid @context: @id of 'a' must be a string"),
        ({"@context": {"@version": 2}}, "invalid @context: @version 2"),
    ],
)
def test_add_refuses_bad_payloads(
    repository: MemoryContextRepository, body: object, detail: str
) -> None:
    error = error_of(lambda: run(context_add(repository, body, url_prefix=PREFIX)))
    assert (error.error_type, detail in error.detail) == ("BadRequestData", True)
    assert run(repository.list()) == []


def test_core_context_is_served_and_cannot_be_deleted(
    repository: MemoryContextRepository, offline_resolver: ContextResolver
) -> None:
    served = run(context_show(repository, V16))
    assert served["@context"]["ngsi-ld"] == "https://uri.etsi.org/ngsi-ld/"
    for reload in (None, "false"):
        error = error_of(
            lambda r=reload: run(
                context_delete(repository, offline_resolver, CORE_CONTEXT_URL, reload=r)
            )
        )
        assert (error.error_type, error.status) == ("BadRequestData", 400)
    # reloading the core context re-reads the packaged copy, without network (051_09)
    run(context_delete(repository, offline_resolver, V16, reload="true"))
    assert run(context_show(repository, CORE_CONTEXT_URL, details="true"))["kind"] == "Cached"


def test_delete_errors(
    repository: MemoryContextRepository, offline_resolver: ContextResolver
) -> None:
    missing = error_of(lambda: run(context_delete(repository, offline_resolver, "nope")))
    assert (missing.error_type, missing.status) == ("ResourceNotFound", 404)
    reload_missing = error_of(
        lambda: run(context_delete(repository, offline_resolver, "nope", reload="true"))
    )
    assert reload_missing.error_type == "BadRequestData"
    bad_flag = error_of(
        lambda: run(context_delete(repository, offline_resolver, "nope", reload="xxx"))
    )
    assert "reload must be true or false" in bad_flag.detail
    hosted = run(
        context_add(repository, {"@context": {"a": "http://x.example/a"}}, url_prefix=PREFIX)
    )
    no_reload = error_of(
        lambda: run(context_delete(repository, offline_resolver, hosted.id, reload="true"))
    )
    assert "a Hosted @context cannot be reloaded" in no_reload.detail
    assert run(repository.get(hosted.id)) is not None


def test_cached_context_reload(
    repository: MemoryContextRepository, resolver: ContextResolver, server: ContextServer
) -> None:
    run(resolver.resolve(USER_URL, repository=repository))
    [cached] = run(repository.list("Cached"))
    details = run(context_show(repository, USER_URL, details="true"))
    assert (details["kind"], details["numberOfHits"]) == ("Cached", 1)
    # serving it was a use too (ETSI 053_06: use, serve, use, serve → 3)
    run(resolver.resolve(USER_URL, repository=repository))
    assert run(context_show(repository, USER_URL, details="true"))["numberOfHits"] == 3
    server.documents[USER_URL] = {"@context": {"speed": "https://example.org/new-speed"}}
    run(context_delete(repository, resolver, cached.id, reload="true"))
    assert run(context_show(repository, cached.id)) == {
        "@context": {"speed": "https://example.org/new-speed"}
    }
    ctx = run(resolver.resolve(USER_URL, repository=repository))
    assert ctx.expand("speed") == "https://example.org/new-speed"
    # the context server goes away: reload fails with 503, the cached copy stays
    server.handler = lambda request: httpx.Response(503)
    error = error_of(lambda: run(context_delete(repository, resolver, cached.id, reload="true")))
    assert (error.error_type, error.status) == ("LdContextNotAvailable", 503)
    assert run(repository.get(cached.id)) is not None
    run(context_delete(repository, resolver, USER_URL))
    assert run(repository.list()) == []


def test_implicitly_created(
    repository: MemoryContextRepository, offline_resolver: ContextResolver
) -> None:
    value = [{"a": "http://x.example/a"}, CORE_CONTEXT_URL]
    first = run(context_add_implicit(repository, value, url_prefix=PREFIX))
    again = run(context_add_implicit(repository, value, url_prefix=PREFIX))
    assert first == again
    assert first.kind == "ImplicitlyCreated"
    run(offline_resolver.resolve(first.url, repository=repository))
    run(context_show(repository, first.id, details="true"))
    details = run(context_show(repository, first.id, details="true"))
    assert (details["kind"], details["numberOfHits"]) == ("ImplicitlyCreated", 2)  # ETSI 053_08
    [listed] = run(context_list(repository, details="true", kind="ImplicitlyCreated"))
    assert listed["URL"] == first.url
    run(context_delete(repository, offline_resolver, first.id))
    assert run(context_list(repository, kind="ImplicitlyCreated")) == []
