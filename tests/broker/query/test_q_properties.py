"""Property tests for ``q``: robust parsing, round trips, and SQL == ``matches``."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dos.broker.errors import NgsiError
from dos.broker.query import parse_q
from dos.broker.query.q_nodes import And, Node, Or
from tests.broker.query.backends import SqliteBackend, expand
from tests.broker.query.strategies import entity_lists, queries

QUERY_ALPHABET = st.sampled_from([*'abc.[]()!=<>~;|,"\\ 0123456789-:TZ+eE*^$?', "..", "urn:"])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(QUERY_ALPHABET, max_size=30).map("".join)))
def test_parser_only_raises_ngsi_errors(text: str) -> None:
    try:
        node = parse_q(text, expand)
    except NgsiError as error:
        assert error.error_type == "BadRequestData"
        assert error.detail.startswith("q: ")
        assert "position" in error.detail
    else:
        assert isinstance(node, Node)
        assert parse_q(str(node), expand) == node


@settings(max_examples=80, deadline=None)
@given(queries)
def test_printed_queries_parse_back(node: Node) -> None:
    assert parse_q(str(node), expand) == node


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entity_lists, st.lists(queries, min_size=1, max_size=4))
def test_sqlite_agrees_with_matches(docs: list[dict[str, Any]], nodes: list[Node]) -> None:
    backend = SqliteBackend()
    backend.load(docs)
    for node in nodes:
        expected = {d["id"] for d in docs if node.matches(d)}
        assert backend.ids(*node.to_sql("sqlite")) == expected, str(node)
        required = node.required_attributes()
        assert all(required <= d["attrs"].keys() for d in docs if d["id"] in expected)


@pytest.mark.postgres
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(entity_lists, st.lists(queries, min_size=1, max_size=4))
def test_postgresql_agrees_with_matches(
    pg_backend: Any, docs: list[dict[str, Any]], nodes: list[Node]
) -> None:
    pg_backend.load(docs)
    for node in nodes:
        expected = {d["id"] for d in docs if node.matches(d)}
        assert pg_backend.ids(*node.to_sql("postgresql")) == expected, str(node)


def test_deep_nesting_is_refused_clearly() -> None:
    with pytest.raises(NgsiError, match="nested deeper than 32"):
        parse_q("(" * 200 + "a" + ")" * 200, expand)


def test_long_flat_query_is_fine() -> None:
    node = parse_q(";".join(["a>1"] * 500), expand)
    assert isinstance(node, And) and len(node.items) == 500
    assert not isinstance(node, Or)


REGEX_SUBJECTS = [
    "",
    "a",
    "ab",
    "ba",
    "aab",
    "a.b",
    "A",
    "1",
    "a1",
    "b{2}",
    "ä",
    "[x]",
    "a b",
    "-^$]",
]
REGEX_ALPHABET = st.sampled_from(
    [
        *"ab.*+?()[]^$|{}1,2- #",
        *["\\d", "\\w", "\\s", "\\.", "\\1", "\\Z", "\\A", "\\]", "\\-", "\\u00e4", "ä"],
        *["(?i)", "(?s)", "(?x)", "(?:", "(?=", "(?!", "(?<=", "(?<!", "[^"],
        *["{2}", "{1,2}", "*?", "+?", "??"],
    ]
)


@pytest.mark.postgres
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(REGEX_ALPHABET, min_size=1, max_size=8).map("".join))
def test_accepted_regexes_mean_the_same_in_postgresql(pg_backend: Any, pattern: str) -> None:
    """Whatever regular expression the parser accepts, PostgreSQL matches like Python."""
    docs = [
        {"id": f"urn:r:{i}", "attrs": {expand("a"): [{"type": "Property", "value": text}]}}
        for i, text in enumerate(REGEX_SUBJECTS)
    ]
    try:
        node = parse_q('a~="' + pattern.replace("\\", "\\\\").replace('"', '\\"') + '"', expand)
    except NgsiError:
        return
    pg_backend.load(docs)
    expected = {d["id"] for d in docs if node.matches(d)}
    assert pg_backend.ids(*node.to_sql("postgresql")) == expected, pattern
