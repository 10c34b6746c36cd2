"""Internal form → normalized, concise, simplified; lang, pick/omit, sysAttrs, GeoJSON."""

from __future__ import annotations

from typing import Any

import pytest

from dos.broker.jsonld.active import ActiveContext, build_active_context, core_active_context
from dos.broker.jsonld.compact import compact_entity
from dos.broker.jsonld.contexts import CORE_CONTEXT_URL, DEFAULT_VOCAB
from dos.broker.jsonld.expand import expand_entity, expand_projection
from dos.broker.jsonld.geojson import to_feature, to_geojson
from dos.broker.jsonld.representations import pick_language, representation_from_options
from tests.broker.jsonld.conftest import USER_URL, error_of

T = "https://ngsi-ld-test-suite/context#"
D = DEFAULT_VOCAB
POINT = {"type": "Point", "coordinates": [7.46, 51.51]}


@pytest.fixture(scope="module")
def ctx() -> ActiveContext:
    return build_active_context(
        [USER_URL], lambda url: {"Building": T + "Building", "name": T + "name"}
    )


def stored() -> dict[str, Any]:
    return {
        "id": "urn:ngsi-ld:Building:1",
        "type": [T + "Building"],
        "scope": ["/Dortmund"],
        "createdAt": "2026-01-01T00:00:00.000Z",
        "modifiedAt": "2026-01-02T00:00:00.000Z",
        "attrs": {
            T + "name": [
                {"type": "Property", "value": "Phoenix", "createdAt": "2026-01-01T00:00:00.000Z"}
            ],
            "https://uri.etsi.org/ngsi-ld/location": [{"type": "GeoProperty", "value": POINT}],
            D + "street": [
                {"type": "LanguageProperty", "languageMap": {"de": "Straße", "en": "Street"}}
            ],
            D + "owner": [
                {
                    "type": "Relationship",
                    "object": "urn:ngsi-ld:City:dortmund",
                    "objectType": [D + "City"],
                }
            ],
            D + "category": [{"type": "VocabProperty", "vocab": D + "park"}],
            D + "speed": [
                {
                    "type": "Property",
                    "value": 50,
                    "unitCode": "KMH",
                    D + "accuracy": {"type": "Property", "value": 1},
                },
                {"type": "Property", "value": 52, "datasetId": "urn:ngsi-ld:Dataset:gps"},
            ],
        },
    }


def test_normalized(ctx: ActiveContext) -> None:
    out = compact_entity(stored(), ctx, include_context=True)
    assert out == {
        "id": "urn:ngsi-ld:Building:1",
        "type": "Building",
        "scope": "/Dortmund",
        "name": {"type": "Property", "value": "Phoenix"},
        "location": {"type": "GeoProperty", "value": POINT},
        "street": {"type": "LanguageProperty", "languageMap": {"de": "Straße", "en": "Street"}},
        "owner": {
            "type": "Relationship",
            "object": "urn:ngsi-ld:City:dortmund",
            "objectType": "City",
        },
        "category": {"type": "VocabProperty", "vocab": "park"},
        "speed": [
            {
                "type": "Property",
                "value": 50,
                "unitCode": "KMH",
                "accuracy": {"type": "Property", "value": 1},
            },
            {"type": "Property", "value": 52, "datasetId": "urn:ngsi-ld:Dataset:gps"},
        ],
        "@context": USER_URL,
    }


def test_concise(ctx: ActiveContext) -> None:
    out = compact_entity(stored(), ctx, representation="concise")
    assert out["name"] == "Phoenix"
    assert out["location"] == {"value": POINT}
    assert out["street"] == {"languageMap": {"de": "Straße", "en": "Street"}}
    assert out["owner"] == {"object": "urn:ngsi-ld:City:dortmund", "objectType": "City"}
    assert out["category"] == {"vocab": "park"}
    assert out["speed"] == [
        {"value": 50, "unitCode": "KMH", "accuracy": 1},
        {"value": 52, "datasetId": "urn:ngsi-ld:Dataset:gps"},
    ]


def test_key_values(ctx: ActiveContext) -> None:
    out = compact_entity(stored(), ctx, representation="keyValues")
    assert out == {
        "id": "urn:ngsi-ld:Building:1",
        "type": "Building",
        "scope": "/Dortmund",
        "name": "Phoenix",
        "location": POINT,
        "street": {"languageMap": {"de": "Straße", "en": "Street"}},
        "owner": "urn:ngsi-ld:City:dortmund",
        "category": {"vocab": "park"},
        "speed": {"dataset": {"@none": 50, "urn:ngsi-ld:Dataset:gps": 52}},
    }


def test_lang_turns_language_properties_into_properties(ctx: ActiveContext) -> None:
    normalized = compact_entity(stored(), ctx, lang="en")
    assert normalized["street"] == {"type": "Property", "value": "Street", "lang": "en"}
    concise = compact_entity(stored(), ctx, representation="concise", lang="fr,de;q=0.5")
    assert concise["street"] == {"value": "Straße", "lang": "de"}
    assert compact_entity(stored(), ctx, representation="keyValues", lang="*")["street"] == "Straße"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", ("en", "Street")),
        ("de-DE", ("de-DE", "Straße (DE)")),
        ("de", ("de-DE", "Straße (DE)")),
        ("fr;q=0.2,en;q=0.9", ("en", "Street")),
        ("fr", ("@none", "Strasse")),
        ("*", ("en", "Street")),
    ],
)
def test_pick_language(lang: str, expected: tuple[str, str]) -> None:
    assert (
        pick_language({"en": "Street", "de-DE": "Straße (DE)", "@none": "Strasse"}, lang)
        == expected
    )


def test_pick_language_without_none_takes_the_first() -> None:
    assert pick_language({"it": "Via"}, "fr") == ("it", "Via")


def test_sys_attrs(ctx: ActiveContext) -> None:
    out = compact_entity(stored(), ctx, sys_attrs=True)
    assert out["createdAt"] == "2026-01-01T00:00:00.000Z"
    assert out["modifiedAt"] == "2026-01-02T00:00:00.000Z"
    assert out["name"]["createdAt"] == "2026-01-01T00:00:00.000Z"
    assert "createdAt" not in compact_entity(stored(), ctx)


def test_attrs_pick_omit(ctx: ActiveContext) -> None:
    only = compact_entity(stored(), ctx, attrs=expand_projection(["name"], ctx))
    assert set(only) == {"id", "type", "scope", "name"}
    picked = compact_entity(stored(), ctx, pick=expand_projection(["id", "speed"], ctx))
    assert set(picked) == {"id", "speed"}
    omitted = compact_entity(
        stored(), ctx, omit=expand_projection(["type", "location", "street"], ctx)
    )
    assert set(omitted) == {"id", "scope", "name", "owner", "category", "speed"}


def test_terms_without_context_come_back_as_iris() -> None:
    out = compact_entity(stored(), core_active_context(), representation="keyValues")
    assert out["type"] == T + "Building"
    assert out[T + "name"] == "Phoenix"
    assert out["street"] == {"languageMap": {"de": "Straße", "en": "Street"}}


def test_unknown_representation(ctx: ActiveContext) -> None:
    error = error_of(lambda: compact_entity(stored(), ctx, representation="flat"))
    assert "unknown representation 'flat'" in error.detail


@pytest.mark.parametrize(
    ("options", "format", "expected"),
    [
        ([], None, ("normalized", False)),
        (["keyValues"], None, ("keyValues", False)),
        (["concise", "sysAttrs"], None, ("concise", True)),
        (["sysAttrs"], "simplified", ("keyValues", True)),
    ],
)
def test_representation_from_options(
    options: list[str], format: str | None, expected: tuple[str, bool]
) -> None:
    assert representation_from_options(options, format) == expected


@pytest.mark.parametrize(
    ("options", "format", "detail"),
    [
        (["keyValue"], None, "unknown option 'keyValue'"),
        (["keyValues", "concise"], None, "several representations"),
        ([], "xml", "unknown format 'xml'"),
    ],
)
def test_bad_options(options: list[str], format: str | None, detail: str) -> None:
    error = error_of(lambda: representation_from_options(options, format))
    assert (error.error_type, detail in error.detail) == ("InvalidRequest", True)


def test_geojson(ctx: ActiveContext) -> None:
    other = expand_entity({"id": "urn:ngsi-ld:Building:2", "type": "Building", "name": "x"}, ctx)
    collection = to_geojson(
        [stored(), other], ctx, representation="keyValues", include_context=True
    )
    assert collection["type"] == "FeatureCollection"
    assert collection["@context"] == USER_URL
    first, second = collection["features"]
    assert first["id"] == "urn:ngsi-ld:Building:1"
    assert first["type"] == "Feature"
    assert first["geometry"] == POINT
    assert first["properties"]["type"] == "Building"
    assert first["properties"]["location"] == POINT
    assert "id" not in first["properties"]
    assert second["geometry"] is None
    feature = to_feature(stored(), ctx, geoproperty="name")
    assert feature["geometry"] is None
    assert feature["properties"]["name"] == {"type": "Property", "value": "Phoenix"}


def test_context_in_the_body_is_the_requests_own() -> None:
    core_only = compact_entity(stored(), core_active_context(), include_context=True)
    assert core_only["@context"] == CORE_CONTEXT_URL
    inline = [{"name": T + "name"}, CORE_CONTEXT_URL]
    ctx = build_active_context(inline, lambda url: None)
    assert compact_entity(stored(), ctx, include_context=True)["@context"] == inline


def test_feature_building_blocks() -> None:
    from dos.broker.jsonld.geojson import feature, feature_collection

    built = feature({"id": "urn:x:1"}, POINT, {"type": "T"})
    assert built == {
        "id": "urn:x:1",
        "type": "Feature",
        "geometry": POINT,
        "properties": {"type": "T"},
    }
    assert feature_collection([built]) == {"type": "FeatureCollection", "features": [built]}
