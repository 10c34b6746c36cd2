"""Property-based round trips: internal ⇄ normalized ⇄ concise ⇄ keyValues, IRI ⇄ term."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dos.broker.jsonld.active import ActiveContext, build_active_context
from dos.broker.jsonld.compact import compact_entity
from dos.broker.jsonld.contexts import DEFAULT_VOCAB
from dos.broker.jsonld.expand import NGSI_LD_NULL, expand_entity
from dos.broker.jsonld.validation import TYPE_OF_VALUE_KEY

T = "https://ngsi-ld-test-suite/context#"
CTX: ActiveContext = build_active_context(
    [
        {
            "Building": T + "Building",
            "name": T + "name",
            "speed": T + "speed",
            "ex": "https://example.org/ns/",
        }
    ],
    lambda url: None,
)
SETTINGS = settings(max_examples=40, deadline=None)

names = st.sampled_from(
    ["name", "speed", "temperature", "ex:height", "colour", "location", "observationSpace", "owner"]
)
sub_names = st.sampled_from(["accuracy", "ex:source", "speed", "reliability"])
type_names = st.sampled_from(["Building", "Vehicle", "ex:Sensor", "WeatherObserved"])
uris = st.builds(
    "urn:ngsi-ld:{}:{}".format, st.sampled_from(["Building", "City", "Person"]), st.integers(0, 999)
)
datetimes = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1)).map(
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")
)
scalars = (
    st.text(max_size=8).filter(lambda s: s != NGSI_LD_NULL)
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False, width=32)
    | st.booleans()
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(min_size=1, max_size=6), children, min_size=1, max_size=3)
    ),
    max_leaves=5,
)
points = st.tuples(st.floats(-180, 180, allow_nan=False), st.floats(-90, 90, allow_nan=False)).map(
    lambda p: {"type": "Point", "coordinates": list(p)}
)
lines = st.lists(
    st.tuples(st.integers(-180, 180), st.integers(-90, 90)).map(list), min_size=2, max_size=4
).map(lambda c: {"type": "LineString", "coordinates": c})
languages = st.dictionaries(
    st.sampled_from(["de", "en", "fr", "de-DE", "@none"]), st.text(max_size=8), min_size=1
)
vocab_terms = st.sampled_from(["park", "ex:museum", "name"]).map(CTX.expand)


def _value(kind: str) -> st.SearchStrategy[Any]:
    return {
        "Property": json_values,
        "Relationship": uris | st.lists(uris, min_size=1, max_size=3),
        "GeoProperty": points | lines,
        "LanguageProperty": languages,
        "VocabProperty": vocab_terms | st.lists(vocab_terms, min_size=1, max_size=3),
        "ListProperty": st.lists(json_values, max_size=3),
        "ListRelationship": st.lists(uris, max_size=3),
        "JsonProperty": json_values,
    }[kind]


_KEY = {
    "Property": "value",
    "Relationship": "object",
    "GeoProperty": "value",
    "LanguageProperty": "languageMap",
    "VocabProperty": "vocab",
    "ListProperty": "valueList",
    "ListRelationship": "objectList",
    "JsonProperty": "json",
}
kinds = st.sampled_from(sorted(_KEY))


@st.composite
def instances(draw: st.DrawFn, depth: int = 0, with_meta: bool = True) -> dict[str, Any]:
    kind = draw(kinds)
    instance: dict[str, Any] = {"type": kind, _KEY[kind]: draw(_value(kind))}
    if with_meta:
        if draw(st.booleans()):
            instance["observedAt"] = draw(datetimes)
        if kind == "Property" and draw(st.booleans()):
            instance["unitCode"] = draw(st.sampled_from(["CEL", "KMH", "MTR"]))
        if kind == "Relationship" and draw(st.booleans()):
            instance["objectType"] = [CTX.expand(draw(type_names))]
        if depth < 1:
            for sub in draw(st.lists(sub_names, max_size=2, unique=True)):
                instance[CTX.expand(sub)] = draw(instances(depth + 1))
    return instance


@st.composite
def entities(draw: st.DrawFn) -> dict[str, Any]:
    attrs: dict[str, list[dict[str, Any]]] = {}
    for name in draw(st.lists(names, max_size=4, unique=True)):
        count = draw(st.integers(1, 3))
        group = [draw(instances()) for _ in range(count)]
        for index, instance in enumerate(group[1:], start=1):
            instance["datasetId"] = f"urn:ngsi-ld:Dataset:{index}"
        if count > 1 and draw(st.booleans()):
            group[0]["datasetId"] = "urn:ngsi-ld:Dataset:0"
        attrs[CTX.expand(name)] = group
    entity: dict[str, Any] = {
        "id": draw(uris),
        "type": [
            CTX.expand(t) for t in draw(st.lists(type_names, min_size=1, max_size=2, unique=True))
        ],
    }
    if draw(st.booleans()):
        entity["scope"] = draw(
            st.lists(
                st.sampled_from(["/Dortmund", "/Schwerte/Ergste", "/a/b"]), min_size=1, unique=True
            )
        )
    entity["attrs"] = attrs
    return entity


@SETTINGS
@given(entities())
def test_normalized_round_trip(entity: dict[str, Any]) -> None:
    assert expand_entity(compact_entity(entity, CTX), CTX) == entity


@SETTINGS
@given(entities())
def test_concise_round_trip(entity: dict[str, Any]) -> None:
    concise = compact_entity(entity, CTX, representation="concise")
    assert expand_entity(concise, CTX) == entity


@SETTINGS
@given(entities())
def test_concise_and_normalized_agree(entity: dict[str, Any]) -> None:
    normalized = compact_entity(entity, CTX)
    concise = compact_entity(entity, CTX, representation="concise")
    assert expand_entity(concise, CTX) == expand_entity(normalized, CTX)


def _key_values_safe(instance: dict[str, Any]) -> bool:
    value = instance.get("value")
    ambiguous = isinstance(value, dict) and (
        not value or (len(value) == 1 and next(iter(value)) in TYPE_OF_VALUE_KEY)
    )
    return instance["type"] != "Relationship" and not (instance["type"] == "Property" and ambiguous)


@st.composite
def simple_entities(draw: st.DrawFn) -> dict[str, Any]:
    """Entities keyValues can carry without loss: one plain instance per attribute."""
    entity = draw(entities())
    entity["attrs"] = {
        name: [draw(instances(with_meta=False).filter(_key_values_safe))]
        for name in entity["attrs"]
    }
    return entity


@SETTINGS
@given(simple_entities())
def test_key_values_round_trip(entity: dict[str, Any]) -> None:
    simplified = compact_entity(entity, CTX, representation="keyValues")
    assert expand_entity(simplified, CTX, key_values=True) == entity


iris = st.sampled_from(
    [
        T,
        "https://example.org/ns/",
        DEFAULT_VOCAB,
        "https://uri.etsi.org/ngsi-ld/",
        "http://other.example/x/",
    ]
).flatmap(
    lambda base: st.sampled_from(["a", "temp", "x1", "location", "name", "Speed"]).map(
        lambda s: base + s
    )
)


@SETTINGS
@given(iris)
def test_iri_compacts_to_a_name_that_expands_back(iri: str) -> None:
    name = CTX.compact(iri)
    assert CTX.expand(name) == iri
    assert len(name) <= len(iri)
