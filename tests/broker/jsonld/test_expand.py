"""Client payloads → internal form: normalized and concise input, and every refusal."""

from __future__ import annotations

from typing import Any

import pytest

from dos.broker.jsonld.active import ActiveContext, build_active_context
from dos.broker.jsonld.contexts import DEFAULT_VOCAB
from dos.broker.jsonld.expand import (
    expand_attribute,
    expand_attributes,
    expand_entity,
    expand_projection,
)
from tests.broker.jsonld.conftest import error_of

T = "https://ngsi-ld-test-suite/context#"
NGSI = "https://uri.etsi.org/ngsi-ld/"
D = DEFAULT_VOCAB
POINT = {"type": "Point", "coordinates": [7.46, 51.51]}


@pytest.fixture(scope="module")
def ctx() -> ActiveContext:
    return build_active_context(
        [{"Building": T + "Building", "name": T + "name", "t": "https://example.org/terms/"}],
        lambda url: None,
    )


def test_normalized_entity(ctx: ActiveContext) -> None:
    entity = expand_entity(
        {
            "id": "urn:ngsi-ld:Building:1",
            "type": "Building",
            "scope": "/Dortmund/Hörde",
            "name": {"type": "Property", "value": "Phoenix", "observedAt": "2026-01-02T03:04:05Z"},
            "location": {"type": "GeoProperty", "value": POINT},
            "owner": {
                "type": "Relationship",
                "object": "urn:ngsi-ld:City:dortmund",
                "objectType": "City",
            },
            "street": {"type": "LanguageProperty", "languageMap": {"de": "Straße", "en": "Street"}},
            "category": {"type": "VocabProperty", "vocab": ["name", "t:park"]},
            "readings": {"type": "ListProperty", "valueList": [1, 2, 3]},
            "neighbours": {
                "type": "ListRelationship",
                "objectList": [{"object": "urn:a:1"}, "urn:a:2"],
            },
            "raw": {"type": "JsonProperty", "json": {"type": "anything", "id": 1}},
            "createdAt": "2020-01-01T00:00:00Z",
        },
        ctx,
    )
    assert entity == {
        "id": "urn:ngsi-ld:Building:1",
        "type": [T + "Building"],
        "scope": ["/Dortmund/Hörde"],
        "attrs": {
            T + "name": [
                {"type": "Property", "value": "Phoenix", "observedAt": "2026-01-02T03:04:05Z"}
            ],
            NGSI + "location": [{"type": "GeoProperty", "value": POINT}],
            D + "owner": [
                {
                    "type": "Relationship",
                    "object": "urn:ngsi-ld:City:dortmund",
                    "objectType": [D + "City"],
                }
            ],
            D + "street": [
                {"type": "LanguageProperty", "languageMap": {"de": "Straße", "en": "Street"}}
            ],
            D + "category": [
                {"type": "VocabProperty", "vocab": [T + "name", "https://example.org/terms/park"]}
            ],
            D + "readings": [{"type": "ListProperty", "valueList": [1, 2, 3]}],
            D + "neighbours": [{"type": "ListRelationship", "objectList": ["urn:a:1", "urn:a:2"]}],
            D + "raw": [{"type": "JsonProperty", "json": {"type": "anything", "id": 1}}],
        },
    }


def test_concise_entity(ctx: ActiveContext) -> None:
    entity = expand_entity(
        {
            "@id": "urn:ngsi-ld:Building:2",
            "@type": ["Building", "t:Landmark"],
            "name": "Phoenix",
            "height": {"value": 42, "unitCode": "MTR", "accuracy": 0.5},
            "location": POINT,
            "area": {
                "value": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
            },
            "owner": {"object": "urn:ngsi-ld:City:dortmund"},
            "street": {"languageMap": {"de": "Straße"}},
            "category": {"vocab": "park"},
            "readings": {"valueList": [1]},
            "colours": ["red", "green"],
            "address": {"streetAddress": "Hauptstraße 1", "addressLocality": "Dortmund"},
            "postal": {"type": "PostalAddress", "locality": "Dortmund"},
        },
        ctx,
    )
    attrs = entity["attrs"]
    assert entity["type"] == [T + "Building", "https://example.org/terms/Landmark"]
    assert attrs[T + "name"] == [{"type": "Property", "value": "Phoenix"}]
    assert attrs[D + "height"] == [
        {
            "type": "Property",
            "value": 42,
            "unitCode": "MTR",
            D + "accuracy": {"type": "Property", "value": 0.5},
        }
    ]
    assert attrs[NGSI + "location"] == [{"type": "GeoProperty", "value": POINT}]
    assert attrs[D + "area"][0]["type"] == "GeoProperty"
    assert attrs[D + "owner"] == [{"type": "Relationship", "object": "urn:ngsi-ld:City:dortmund"}]
    assert attrs[D + "street"][0]["type"] == "LanguageProperty"
    assert attrs[D + "category"] == [{"type": "VocabProperty", "vocab": D + "park"}]
    assert attrs[D + "readings"] == [{"type": "ListProperty", "valueList": [1]}]
    assert attrs[D + "colours"] == [{"type": "Property", "value": ["red", "green"]}]
    assert attrs[D + "address"][0]["value"] == {
        "streetAddress": "Hauptstraße 1",
        "addressLocality": "Dortmund",
    }
    assert attrs[D + "postal"][0] == {
        "type": "Property",
        "value": {"type": "PostalAddress", "locality": "Dortmund"},
    }


def test_multi_attributes(ctx: ActiveContext) -> None:
    instances = expand_attribute(
        "speed",
        [
            {"type": "Property", "value": 50},
            {"type": "Property", "value": 52, "datasetId": "urn:ngsi-ld:Dataset:gps"},
            {"value": 49, "datasetId": "urn:ngsi-ld:Dataset:radar"},
        ],
        ctx,
    )
    assert [i.get("datasetId") for i in instances] == [
        None,
        "urn:ngsi-ld:Dataset:gps",
        "urn:ngsi-ld:Dataset:radar",
    ]


def test_key_values_input(ctx: ActiveContext) -> None:
    entity = expand_entity(
        {"id": "urn:x:1", "type": "T", "name": "n", "where": POINT, "list": [{"a": 1}]},
        ctx,
        key_values=True,
    )
    assert entity["attrs"][D + "where"] == [{"type": "GeoProperty", "value": POINT}]
    assert entity["attrs"][D + "list"] == [{"type": "Property", "value": [{"a": 1}]}]


def test_partial_payloads_keep_nulls(ctx: ActiveContext) -> None:
    attrs = expand_attributes(
        {"name": None, "owner": {"type": "Relationship", "object": "urn:ngsi-ld:null"}},
        ctx,
        allow_null=True,
    )
    assert attrs[T + "name"] == [{"type": "Property", "value": None}]
    assert attrs[D + "owner"] == [{"type": "Relationship", "object": None}]
    fragment = expand_entity({"name": "x"}, ctx, allow_partial=True)
    assert fragment == {"attrs": {T + "name": [{"type": "Property", "value": "x"}]}}


def test_projection(ctx: ActiveContext) -> None:
    assert expand_projection(["id", "type", "name", "speed"], ctx) == {
        "id",
        "type",
        T + "name",
        D + "speed",
    }


def _entity(**attrs: Any) -> dict[str, Any]:
    return {"id": "urn:ngsi-ld:Building:1", "type": "Building", **attrs}


BAD: list[tuple[Any, str]] = [
    ({"id": "urn:x:1", "type": "type"}, "entity type 'type' is a JSON-LD keyword"),
    ({"type": "Building"}, "the entity has no id"),
    ({"id": "not a uri", "type": "B"}, "the entity id 'not a uri' is not a URI"),
    ({"id": "urn:x:1"}, "the entity has no type"),
    ({"id": "urn:x:1", "type": []}, "the entity type list is empty"),
    (
        {"id": "urn:x:1", "type": "Bad Type"},
        "entity type 'Bad Type': the name contains a forbidden character",
    ),
    (_entity(scope="no-slash"), "scope 'no-slash' is not a scope"),
    (
        _entity(**{"bad(name)": 1}),
        "attribute name 'bad(name)': the name contains a forbidden character",
    ),
    (_entity(**{"@graph": 1}), "member '@graph' is not allowed"),
    (_entity(temp={"type": "Property"}), "attribute 'temp': a Property needs a 'value' member"),
    (_entity(temp={"type": "Property", "value": None}), "attribute 'temp': value is null"),
    (_entity(temp=None), "attribute 'temp': null is not a value here"),
    (_entity(temp={}), "attribute 'temp': has no value (empty object)"),
    (
        _entity(temp={"type": "Propertyy", "value": 1}),
        "attribute 'temp': unknown attribute type 'Propertyy'",
    ),
    (
        _entity(temp={"type": "Relationship", "value": 1}),
        "attribute 'temp': a Relationship needs a 'object' member",
    ),
    (
        _entity(temp={"type": "Property", "value": 1, "object": "urn:x:1"}),
        "a Property cannot have a 'object' member",
    ),
    (
        _entity(temp={"value": 1, "object": "urn:x:1"}),
        "attribute 'temp': has several of object, value",
    ),
    (_entity(temp={"observedAt": "2026-01-01T00:00:00Z"}), "attribute 'temp': has no value"),
    (
        _entity(owner={"type": "Relationship", "object": "not a uri"}),
        "the object of a Relationship must be a URI",
    ),
    (
        _entity(owner={"type": "Relationship", "object": []}),
        "the object of a Relationship must be a URI",
    ),
    (
        _entity(location={"type": "GeoProperty", "value": {"type": "Point", "coordinates": [1]}}),
        "invalid GeoJSON: a position must be an array of 2 or 3 numbers",
    ),
    (
        _entity(
            location={"type": "GeoProperty", "value": {"type": "Circle", "coordinates": [1, 2]}}
        ),
        "invalid GeoJSON: unsupported geometry type 'Circle'",
    ),
    (_entity(location={"type": "Point", "coordinates": [200, 0]}), "outside longitude -180..180"),
    (
        _entity(
            area={"value": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}}
        ),
        "a linear ring must end with its first position",
    ),
    (
        _entity(temp={"type": "Property", "value": 1, "datasetId": "dataset 1"}),
        "datasetId 'dataset 1' is not a URI",
    ),
    (
        _entity(temp={"type": "Property", "value": 1, "observedAt": "yesterday"}),
        "observedAt 'yesterday' is not a date-time",
    ),
    (
        _entity(temp={"type": "Property", "value": 1, "observedAt": "2026-02-30T00:00:00Z"}),
        "is not a date-time",
    ),
    (
        _entity(temp={"type": "Property", "value": 1, "unitCode": 7}),
        "unitCode must be a non-empty string",
    ),
    (
        _entity(temp={"type": "Property", "value": 1, "objectType": "X"}),
        "objectType belongs to relationships only",
    ),
    (_entity(temp={"type": "Property", "value": 1, "@id": "x"}), "member '@id' is not allowed"),
    (
        _entity(street={"type": "LanguageProperty", "languageMap": "Straße"}),
        "languageMap must be an object",
    ),
    (
        _entity(street={"type": "LanguageProperty", "languageMap": {"not a tag": "x"}}),
        "'not a tag' is not a language tag",
    ),
    (_entity(street={"languageMap": {"de": 5}}), "languageMap values must be strings"),
    (
        _entity(kind={"type": "VocabProperty", "vocab": 5}),
        "vocab must be a term or a list of terms",
    ),
    (_entity(list={"type": "ListProperty", "valueList": 5}), "valueList must be an array"),
    (
        _entity(rels={"type": "ListRelationship", "objectList": "urn:x:1"}),
        "objectList must be an array",
    ),
    (_entity(rels={"objectList": ["nope"]}), "every item of objectList must be a URI"),
    (
        _entity(temp=[{"type": "Property", "value": 1}, 5]),
        "mixes attribute instances and plain values",
    ),
    (
        _entity(temp=[{"type": "Property", "value": 1}, {"type": "Property", "value": 2}]),
        "more than one instance without datasetId",
    ),
    (
        _entity(temp=[{"value": 1, "datasetId": "urn:d:1"}, {"value": 2, "datasetId": "urn:d:1"}]),
        "datasetId urn:d:1 is used twice",
    ),
    (
        _entity(temp={"type": "Property", "value": 1, "sub": {"type": "Property"}}),
        "attribute 'temp.sub': a Property needs a 'value' member",
    ),
]


@pytest.mark.parametrize(("body", "detail"), BAD, ids=[d for _, d in BAD])
def test_bad_payloads_are_refused_with_a_detail(ctx: ActiveContext, body: Any, detail: str) -> None:
    error = error_of(lambda: expand_entity(body, ctx))
    assert (error.error_type, error.status) == ("BadRequestData", 400)
    assert detail in error.detail
    assert error.body()["type"] == "https://uri.etsi.org/ngsi-ld/errors/BadRequestData"


def test_deep_nesting_is_refused(ctx: ActiveContext) -> None:
    attribute: dict[str, Any] = {"type": "Property", "value": 0}
    for _ in range(12):
        attribute = {"type": "Property", "value": 0, "sub": attribute}
    error = error_of(lambda: expand_entity(_entity(deep=attribute), ctx))
    assert "nested deeper than 8 levels" in error.detail


def test_two_names_for_one_iri(ctx: ActiveContext) -> None:
    error = error_of(lambda: expand_entity(_entity(name="a", **{T + "name": "b"}), ctx))
    assert "is given twice" in error.detail


def test_a_body_that_is_not_an_object_is_an_invalid_request(ctx: ActiveContext) -> None:
    error = error_of(lambda: expand_entity([], ctx))
    assert (error.error_type, error.status) == ("InvalidRequest", 400)
    assert error.detail == "an entity must be a JSON object"


@pytest.mark.parametrize(
    ("attribute", "member"),
    [
        ({"type": "LanguageProperty", "languageMap": {"@none": "urn:ngsi-ld:null"}}, "languageMap"),
        ({"type": "ListProperty", "valueList": ["urn:ngsi-ld:null"]}, "valueList"),
        (
            {"type": "ListRelationship", "objectList": [{"object": "urn:ngsi-ld:null"}]},
            "objectList",
        ),
        ({"type": "VocabProperty", "vocab": "urn:ngsi-ld:null"}, "vocab"),
        ({"type": "JsonProperty", "json": "urn:ngsi-ld:null"}, "json"),
        ({"vocab": "urn:ngsi-ld:null", "datasetId": "urn:d:1"}, "vocab"),
    ],
)
def test_every_kind_has_its_ngsi_ld_null(ctx: ActiveContext, attribute: Any, member: str) -> None:
    [instance] = expand_attribute("street", attribute, ctx, allow_null=True)
    assert instance[member] is None
    error = error_of(lambda: expand_attribute("street", attribute, ctx))
    assert error.error_type == "BadRequestData"
