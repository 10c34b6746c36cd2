"""Arbitrary input never breaks the layer: it is accepted or refused with an NgsiError (no 500)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dos.broker.errors import NgsiError
from dos.broker.jsonld.active import build_active_context, core_active_context
from dos.broker.jsonld.compact import compact_entity
from dos.broker.jsonld.expand import expand_entity
from dos.broker.jsonld.resolver import context_url_from_link

SETTINGS = settings(max_examples=150, deadline=None)

keys = st.sampled_from(
    ["id", "type", "value", "object", "languageMap", "vocab", "valueList", "objectList", "json",
     "datasetId", "observedAt", "unitCode", "objectType", "scope", "location", "@context",
     "coordinates", "temperature", "a b", "@id"]
)  # fmt: skip
leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.sampled_from(["urn:ngsi-ld:x:1", "Property", "Point", "2026-01-01T00:00:00Z", "", "de"])
    | st.text(max_size=6)
)
json_like = st.recursive(
    leaves,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(keys, children, max_size=4),
    max_leaves=12,
)


@SETTINGS
@given(json_like, st.booleans(), st.booleans())
def test_expand_accepts_or_refuses_cleanly(body: Any, partial: bool, key_values: bool) -> None:
    ctx = core_active_context()
    try:
        entity = expand_entity(body, ctx, allow_partial=partial, key_values=key_values)
    except NgsiError as error:
        assert error.status == 400
        assert error.detail
        return
    if "id" in entity and "type" in entity:
        for representation in ("normalized", "concise", "keyValues"):
            compact_entity(entity, ctx, representation=representation, lang="de")


@SETTINGS
@given(st.text(max_size=80))
def test_link_headers_parse_or_are_refused(header: str) -> None:
    try:
        url = context_url_from_link(header)
    except NgsiError as error:
        assert error.error_type == "BadRequestData"
        return
    assert url is None or isinstance(url, str)


@SETTINGS
@given(st.dictionaries(st.text(max_size=5), json_like, max_size=4))
def test_inline_contexts_build_or_are_refused(context: dict[str, Any]) -> None:
    try:
        ctx = build_active_context([context], lambda url: {})
    except NgsiError as error:
        assert error.error_type in ("BadRequestData", "LdContextNotAvailable")
        return
    assert ctx.expand("location") == "https://uri.etsi.org/ngsi-ld/location"
