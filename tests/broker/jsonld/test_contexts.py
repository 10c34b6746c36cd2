"""The packaged core contexts: recognised by URL, loaded without network."""

from __future__ import annotations

from dos.broker.jsonld.active import build_active_context, core_active_context
from dos.broker.jsonld.contexts import (
    CORE_CONTEXT_FILES,
    CORE_CONTEXT_URL,
    DEFAULT_VOCAB,
    core_context_bytes,
    core_context_document,
    is_core_context_url,
)

V16 = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.6.jsonld"


def _no_network(url: str) -> object:
    raise AssertionError(f"tried to load {url}")


def test_every_core_url_has_a_packaged_document() -> None:
    for url in CORE_CONTEXT_FILES:
        document = core_context_document(url)
        assert document["@context"]["ngsi-ld"] == "https://uri.etsi.org/ngsi-ld/"
        assert document["@context"]["@vocab"] == DEFAULT_VOCAB


def test_v18_is_the_published_one() -> None:
    context = core_context_document(CORE_CONTEXT_URL)["@context"]
    assert context["@protected"] is True
    assert context["vocab"] == {"@id": "ngsi-ld:hasVocab", "@type": "@vocab"}
    assert context["JsonProperty"] == "ngsi-ld:JsonProperty"
    assert core_context_bytes().startswith(b"{")


def test_v16_document_is_v17_without_the_terms_v17_added() -> None:
    v16 = core_context_document(V16)["@context"]
    v17 = core_context_document(V16.replace("v1.6", "v1.7"))["@context"]
    added = {"VocabularyProperty", "vocab", "vocabs", "previousVocab", "dataset"}
    assert set(v17) - set(v16) == added
    assert all(v16[term] == v17[term] for term in v16)
    # a v1.6 client's terms expand as with v1.6, the newer ones through the broker's own core
    ctx = build_active_context([V16], _no_network)
    assert ctx.expand("languageMap") == "https://uri.etsi.org/ngsi-ld/hasLanguageMap"
    assert ctx.expand("vocab") == "https://uri.etsi.org/ngsi-ld/hasVocab"


def test_core_urls_are_recognised() -> None:
    assert is_core_context_url(CORE_CONTEXT_URL)
    assert is_core_context_url(V16)
    assert not is_core_context_url(
        "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-non-existing.jsonld"
    )


def test_core_terms_expand_and_compact() -> None:
    ctx = core_active_context()
    assert ctx.expand("location") == "https://uri.etsi.org/ngsi-ld/location"
    assert ctx.expand("temperature") == DEFAULT_VOCAB + "temperature"
    assert ctx.compact(DEFAULT_VOCAB + "temperature") == "temperature"
    assert ctx.compact("https://uri.etsi.org/ngsi-ld/location") == "location"
    assert ctx.compact("https://uri.etsi.org/ngsi-ld/somethingNew") == "ngsi-ld:somethingNew"
    assert ctx.compact("https://example.org/x") == "https://example.org/x"


def test_v16_url_in_a_user_context_needs_no_network() -> None:
    ctx = build_active_context([V16, {"speed": "https://example.org/speed"}], _no_network)
    assert ctx.expand("speed") == "https://example.org/speed"
    assert ctx.expand("location") == "https://uri.etsi.org/ngsi-ld/location"


def test_core_context_wins_over_user_redefinitions() -> None:
    ctx = build_active_context([{"location": "https://example.org/myLocation"}], _no_network)
    assert ctx.expand("location") == "https://uri.etsi.org/ngsi-ld/location"
