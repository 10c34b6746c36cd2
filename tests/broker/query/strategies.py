"""Hypothesis strategies: entity documents and ``q`` query trees over a small vocabulary.

The vocabulary is small on purpose, so that generated queries hit generated data often.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from dos.broker.query.q_nodes import (
    SYSTEM_MEMBERS,
    And,
    Comparison,
    Exists,
    Node,
    Or,
    Path,
    Pattern,
    Range,
    Value,
    ValueList,
)
from tests.broker.query.backends import expand

ATTRS = ["a", "b", "c"]
SUBS = ["s", "t"]
KEYS = ["k", "m", "de"]
TEXT = st.text(alphabet="abAä€ ", max_size=3)
DATES = ["2026-01-01T00:00:00Z", "2026-06-01T12:00:00Z", "2025-12-31T23:59:59Z"]
PATTERNS = ["a", "^a", "b$", "a.*b", "[ab]", "(?i)A", "ä", "^$"]

scalars = st.one_of(
    st.integers(-4, 4),
    st.sampled_from([0.5, -1.5, 2.0, 1e16]),
    TEXT,
    st.sampled_from(DATES),
    st.booleans(),
    st.none(),
)
json_values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(KEYS), inner, max_size=2),
        st.builds(lambda v: {"@value": v}, inner),
    ),
    max_leaves=5,
)


@st.composite
def instances(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    kind = draw(
        st.sampled_from(
            [
                "Property",
                "Property",
                "Relationship",
                "LanguageProperty",
                "ListProperty",
                "ListRelationship",
                "VocabProperty",
                "JsonProperty",
            ]
        )
    )
    inst: dict[str, Any] = {"type": kind}
    if kind == "Property":
        inst["value"] = draw(json_values)
    elif kind == "Relationship":
        inst["object"] = draw(st.sampled_from(["urn:x:1", "urn:x:2"]))
    elif kind == "LanguageProperty":
        inst["languageMap"] = draw(st.dictionaries(st.sampled_from(["de", "en"]), TEXT, max_size=2))
    elif kind in ("ListProperty", "ListRelationship"):
        member = "valueList" if kind == "ListProperty" else "objectList"
        inst[member] = draw(st.lists(scalars, max_size=3))
    elif kind == "VocabProperty":
        inst["vocab"] = draw(st.sampled_from(["ex:A", "ex:B"]))
    else:
        inst["json"] = draw(json_values)
    if draw(st.booleans()):
        inst["observedAt"] = draw(st.sampled_from(DATES))
    if draw(st.booleans()):
        inst["datasetId"] = draw(st.sampled_from(["urn:ds:1", "urn:ds:2"]))
    if depth == 0:
        for sub in draw(st.lists(st.sampled_from(SUBS), max_size=2, unique=True)):
            inst[expand(sub)] = draw(instances(depth=1))
    return inst


@st.composite
def entities(draw: st.DrawFn, number: int) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(ATTRS), max_size=3, unique=True))
    return {
        "id": f"urn:ngsi-ld:T:{number}",
        "type": ["https://example.org/ns/T"],
        "attrs": {expand(n): draw(st.lists(instances(), min_size=1, max_size=2)) for n in names},
    }


entity_lists = st.integers(1, 6).flatmap(
    lambda n: st.tuples(*(entities(i) for i in range(n))).map(list)
)


@st.composite
def paths(draw: st.DrawFn) -> Path:
    attr = draw(st.sampled_from(ATTRS))
    subs = tuple(draw(st.lists(st.sampled_from(SUBS), max_size=1)))
    member = draw(st.one_of(st.none(), st.sampled_from(sorted(SYSTEM_MEMBERS))))
    keys = () if member else tuple(draw(st.lists(st.sampled_from(KEYS), max_size=2)))
    return Path(attr, expand(attr), subs, tuple(expand(s) for s in subs), member, keys)


numbers = st.one_of(
    st.builds(Value, st.just("number"), st.integers(-4, 4)),
    st.builds(Value, st.just("number"), st.sampled_from([0.5, -1.5, 2.0])),
)
strings = st.one_of(
    st.builds(Value, st.just("string"), TEXT),
    st.builds(Value, st.just("datetime"), st.sampled_from(DATES)),
    st.builds(Value, st.just("uri"), st.sampled_from(["urn:x:1", "urn:x:2", "ex:A"])),
)
ordered_values = st.one_of(numbers, strings)
values = st.one_of(ordered_values, st.builds(Value, st.just("boolean"), st.booleans()))


@st.composite
def terms(draw: st.DrawFn) -> Node:
    path = draw(paths())
    choice = draw(st.integers(0, 5))
    if choice == 0:
        return Exists(path, draw(st.booleans()))
    if choice == 1:
        op = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">="]))
        value = draw(values if op in ("==", "!=") else ordered_values)
        return Comparison(path, op == "!=", "==" if op == "!=" else op, value)
    if choice == 2:
        return ValueList(
            path, draw(st.booleans()), tuple(draw(st.lists(values, min_size=2, max_size=3)))
        )
    if choice == 3:
        kind = draw(st.sampled_from([numbers, strings]))
        return Range(path, draw(st.booleans()), draw(kind), draw(kind))
    if choice == 4:
        return Pattern(path, draw(st.booleans()), draw(st.sampled_from(PATTERNS)))
    return Exists(path)


queries: st.SearchStrategy[Node] = st.recursive(
    terms(),
    lambda inner: st.one_of(
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: And(tuple(xs))),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: Or(tuple(xs))),
    ),
    max_leaves=4,
)
