"""``scopeQ`` and the type selection language: parsing, errors, matches == SQL."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dos.broker.errors import NgsiError
from dos.broker.query import (
    parse_scope,
    parse_scope_query,
    parse_type_query,
    type_alternatives,
)
from tests.broker.query.backends import NS, expand


def doc(eid: str, types: list[str], scope: list[str] | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"id": eid, "type": [NS + t for t in types], "attrs": {}}
    if scope is not None:
        found["scope"] = scope
    return found


DOCS = [
    doc("e1", ["Building"], ["/Dortmund/Mitte"]),
    doc("e2", ["Building", "Smart"], ["/Dortmund/Mitte/Nord", "/Schwerte"]),
    doc("e3", ["Room"], ["/Dortmund"]),
    doc("e4", ["Smart"]),
    doc("e5", ["Room", "Smart"], ["/Dort.mund"]),
]

SCOPE_CASES = [
    ("/Dortmund", {"e3"}),
    ("/Dortmund/Mitte", {"e1"}),
    ("/Dortmund/#", {"e1", "e2", "e3"}),
    ("/Dortmund/+", {"e1"}),
    ("/Dortmund/+/Nord", {"e2"}),
    ("/+", {"e2", "e3", "e5"}),
    ("/#", {"e1", "e2", "e3", "e5"}),
    ("/Dort.mund", {"e5"}),
    ("/Schwerte;/Dortmund/#", {"e2"}),
    ("/Schwerte,/Dortmund", {"e2", "e3"}),
    ("(/Schwerte,/Dortmund);/Dortmund/#", {"e2", "e3"}),
    ("/Nowhere", set()),
]

TYPE_CASES = [
    ("Building", {"e1", "e2"}),
    ("Building,Room", {"e1", "e2", "e3", "e5"}),
    ("Building|Room", {"e1", "e2", "e3", "e5"}),
    ("Building;Smart", {"e2"}),
    ("(Building;Smart)|Room", {"e2", "e3", "e5"}),
    ("Smart;(Building,Room)", {"e2", "e5"}),
    ("Tree", set()),
]


@pytest.mark.parametrize(("query", "expected"), SCOPE_CASES)
def test_scope_matches(query: str, expected: set[str]) -> None:
    node = parse_scope_query(query)
    assert {d["id"] for d in DOCS if node.matches(d)} == expected


@pytest.mark.parametrize(("query", "expected"), TYPE_CASES)
def test_type_matches(query: str, expected: set[str]) -> None:
    node = parse_type_query(query, expand)
    assert {d["id"] for d in DOCS if node.matches(d["type"])} == expected
    assert {d["id"] for d in DOCS if node.matches(d)} == expected


@pytest.fixture(scope="module")
def loaded(backend: Any) -> Any:
    backend.load(DOCS)
    return backend


@pytest.mark.parametrize(("query", "expected"), SCOPE_CASES)
def test_scope_sql(loaded: Any, query: str, expected: set[str]) -> None:
    assert loaded.ids(*parse_scope_query(query).to_sql(loaded.dialect)) == expected


@pytest.mark.parametrize(("query", "expected"), TYPE_CASES)
def test_type_sql(loaded: Any, query: str, expected: set[str]) -> None:
    assert loaded.ids(*parse_type_query(query, expand).to_sql(loaded.dialect)) == expected


def test_type_alternatives_for_the_type_index() -> None:
    assert type_alternatives(parse_type_query("A", expand)) == [NS + "A"]
    assert type_alternatives(parse_type_query("A,B|C", expand)) == [NS + "A", NS + "B", NS + "C"]
    assert type_alternatives(parse_type_query("A;B", expand)) is None
    assert type_alternatives(parse_type_query("(A;B),C", expand)) is None


def test_full_iris_as_types() -> None:
    node = parse_type_query("https://schema.org/Place,urn:x:T", expand)
    assert node.matches(["https://schema.org/Place"]) and node.matches(["urn:x:T"])


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("", "scopeQ: empty expression at position 1"),
        ("Dortmund", "scopeQ: expected a scope starting with '/', found 'D' at position 1"),
        ("/a/#/b", "scopeQ: '#' must be the last level of a scope at position 5"),
        ("/a//b", "scopeQ: empty scope level at position 4"),
        ("/a/", "scopeQ: scope ends with '/' at position 4"),
        ("(/a", "scopeQ: expected ')' but the text ended at position 4"),
        ("/a)", "scopeQ: unexpected ')' at position 3"),
        ("/a;", "scopeQ: expected a scope starting with '/' but the text ended at position 4"),
    ],
)
def test_scope_errors(query: str, detail: str) -> None:
    with pytest.raises(NgsiError) as caught:
        parse_scope_query(query)
    assert caught.value.error_type == "BadRequestData"
    assert caught.value.detail == detail


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("", "type: empty expression at position 1"),
        (",A", "type: expected a type name, found ',' at position 1"),
        ("A;;B", "type: expected a type name, found ';' at position 3"),
        ("(A|B", "type: expected ')' but the text ended at position 5"),
        ("A B", "type: unexpected ' ' at position 2"),
    ],
)
def test_type_errors(query: str, detail: str) -> None:
    with pytest.raises(NgsiError) as caught:
        parse_type_query(query, expand)
    assert caught.value.detail == detail


def test_entity_scope_values() -> None:
    assert parse_scope("/Dortmund/Mitte") == "/Dortmund/Mitte"
    with pytest.raises(NgsiError, match="wildcards"):
        parse_scope("/Dortmund/#")


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="/#+;,()|aB. ", max_size=25))
def test_scope_parser_only_raises_ngsi_errors(text: str) -> None:
    try:
        node = parse_scope_query(text)
    except NgsiError as error:
        assert error.detail.startswith("scopeQ: ") and "position" in error.detail
    else:
        assert parse_scope_query(str(node)) == node


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="AB,;|() :/", max_size=25))
def test_type_parser_only_raises_ngsi_errors(text: str) -> None:
    try:
        node = parse_type_query(text, expand)
    except NgsiError as error:
        assert error.detail.startswith("type: ") and "position" in error.detail
    else:
        assert parse_type_query(str(node), expand) == node


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(NgsiError, match="nested deeper than 32"):
        parse_type_query("(" * 100 + "A" + ")" * 100, expand)
