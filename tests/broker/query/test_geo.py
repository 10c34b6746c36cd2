"""Geo-queries: parameter checks, exact predicates, distances in metres, bbox prefilter."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dos.broker.errors import NgsiError
from dos.broker.query import geo_query_from_json, parse_geo_query
from dos.broker.query.geo import EARTH_RADIUS, geometry_of
from tests.broker.query.backends import NS, expand

# Dortmund, Friedensplatz (town hall)
LON, LAT = 7.4653, 51.5136
SQUARE = "[[[7.4,51.5],[7.5,51.5],[7.5,51.55],[7.4,51.55],[7.4,51.5]]]"


def located(geometry: dict[str, Any], attr: str = "location") -> dict[str, Any]:
    return {
        "id": "urn:x",
        "type": [NS + "T"],
        "attrs": {NS + attr: [{"type": "GeoProperty", "value": geometry}]},
    }


def point(lon: float, lat: float) -> dict[str, Any]:
    return located({"type": "Point", "coordinates": [lon, lat]})


def haversine(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS * math.asin(math.sqrt(h))


def near(metres: float, kind: str = "maxDistance") -> Any:
    return parse_geo_query(f"near;{kind}=={metres}", "Point", f"[{LON},{LAT}]", None, expand)


def test_near_max_distance_in_metres() -> None:
    query = near(500)
    north_450 = LAT + 450 / 111_195
    north_550 = LAT + 550 / 111_195
    east_450 = LON + 450 / (111_195 * math.cos(math.radians(LAT)))
    assert query.matches(point(LON, north_450))
    assert not query.matches(point(LON, north_550))
    assert query.matches(point(east_450, LAT))
    assert abs(query.distance(query.geometries(point(east_450, LAT))[0]) - 450) < 1


def test_near_min_distance() -> None:
    query = near(1000, "minDistance")
    assert query.matches(point(LON + 0.1, LAT))
    assert not query.matches(point(LON, LAT))
    assert query.bbox() is None


def test_distance_agrees_with_haversine_at_city_scale() -> None:
    query = near(1)
    for dlon, dlat in [(0.05, 0.0), (0.0, 0.05), (0.1, -0.08), (-0.2, 0.15)]:
        geom = query.geometries(point(LON + dlon, LAT + dlat))[0]
        exact = haversine(LON, LAT, LON + dlon, LAT + dlat)
        assert abs(query.distance(geom) - exact) / exact < 0.005


@pytest.mark.parametrize(
    ("georel", "geometry", "expected"),
    [
        ("within", {"type": "Point", "coordinates": [7.45, 51.52]}, True),
        ("within", {"type": "Point", "coordinates": [7.6, 51.52]}, False),
        ("intersects", {"type": "LineString", "coordinates": [[7.3, 51.52], [7.45, 51.52]]}, True),
        ("disjoint", {"type": "Point", "coordinates": [7.6, 51.52]}, True),
        ("disjoint", {"type": "Point", "coordinates": [7.45, 51.52]}, False),
        (
            "contains",
            {"type": "Polygon", "coordinates": [[[7, 51], [8, 51], [8, 52], [7, 52], [7, 51]]]},
            True,
        ),
        (
            "equals",
            {
                "type": "Polygon",
                "coordinates": [
                    [[7.4, 51.5], [7.5, 51.5], [7.5, 51.55], [7.4, 51.55], [7.4, 51.5]]
                ],
            },
            True,
        ),
        (
            "overlaps",
            {
                "type": "Polygon",
                "coordinates": [
                    [[7.45, 51.52], [7.6, 51.52], [7.6, 51.6], [7.45, 51.6], [7.45, 51.52]]
                ],
            },
            True,
        ),
        ("overlaps", {"type": "Point", "coordinates": [7.45, 51.52]}, False),
    ],
)
def test_relations_against_a_square(georel: str, geometry: dict[str, Any], expected: bool) -> None:
    query = parse_geo_query(georel, "Polygon", SQUARE, None, expand)
    assert query is not None
    assert query.matches(located(geometry)) is expected


def test_geoproperty_and_multi_instances() -> None:
    query = parse_geo_query("within", "Polygon", SQUARE, "observationSpace", expand)
    assert query is not None and query.geoproperty_iri == NS + "observationSpace"
    entity = located({"type": "Point", "coordinates": [7.45, 51.52]}, "observationSpace")
    assert query.matches(entity)
    assert not query.matches(point(7.45, 51.52))
    entity["attrs"][NS + "observationSpace"].insert(
        0, {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [0, 0]}}
    )
    assert query.matches(entity)


def test_broken_stored_geometry_never_matches() -> None:
    query = parse_geo_query("intersects", "Polygon", SQUARE, None, expand)
    assert query is not None
    assert not query.matches(located({"type": "Point", "coordinates": ["x", 1]}))
    assert not query.matches(located({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}))
    assert not query.matches({"id": "x", "attrs": {}})
    bow_tie = {
        "type": "Polygon",
        "coordinates": [[[7.4, 51.5], [7.5, 51.55], [7.5, 51.5], [7.4, 51.55], [7.4, 51.5]]],
    }
    for relation in ("intersects", "within", "contains", "overlaps", "equals", "disjoint"):
        check = parse_geo_query(relation, "Polygon", SQUARE, None, expand)
        assert check is not None
        check.matches(located(bow_tie))  # answers (True or False), never raises


def test_all_geometry_types_parse() -> None:
    for geometry, coordinates in [
        ("Point", "[7.4,51.5]"),
        ("MultiPoint", "[[7.4,51.5],[7.5,51.6]]"),
        ("LineString", "[[7.4,51.5],[7.5,51.6]]"),
        ("MultiLineString", "[[[7.4,51.5],[7.5,51.6]],[[7,51],[7.1,51.1]]]"),
        ("Polygon", SQUARE),
        ("MultiPolygon", "[" + SQUARE + "]"),
    ]:
        query = parse_geo_query("intersects", geometry, coordinates, None, expand)
        assert query is not None and query.shape.geom_type == geometry


def test_bbox_of_relations() -> None:
    within = parse_geo_query("within", "Polygon", SQUARE, None, expand)
    assert within is not None and within.bbox() == (7.4, 51.5, 7.5, 51.55)
    disjoint = parse_geo_query("disjoint", "Polygon", SQUARE, None, expand)
    assert disjoint is not None and disjoint.bbox() is None
    box = near(1000).bbox()
    assert box is not None
    assert box[1] == pytest.approx(LAT - 1000 / 111_195, abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(st.floats(-0.05, 0.05), st.floats(-0.05, 0.05), st.floats(10, 5000))
def test_bbox_contains_every_near_match(dlon: float, dlat: float, metres: float) -> None:
    query = near(metres)
    box = query.bbox()
    assert box is not None
    if query.matches(point(LON + dlon, LAT + dlat)):
        assert box[0] <= LON + dlon <= box[2] and box[1] <= LAT + dlat <= box[3]


@settings(max_examples=200, deadline=None)
@given(st.floats(-0.05, 0.05), st.floats(-0.05, 0.05), st.booleans())
def test_near_a_point_measures_points_like_shapely(
    dlon: float, dlat: float, at_the_limit: bool
) -> None:
    """Entity Points are measured without shapely: the same answer as the shapes, also for
    a distance exactly at the limit."""
    entity_point = {"type": "Point", "coordinates": [LON + dlon, LAT + dlat]}
    geom = geometry_of(entity_point)
    assert geom is not None
    metres = near(1).distance(geom) if at_the_limit else 1000.0
    for georel in (f"near;maxDistance=={metres!r}", f"near;minDistance=={metres!r}"):
        query = parse_geo_query(georel, "Point", f"[{LON},{LAT}]", None, expand)
        assert query is not None
        assert query.matches(located(entity_point)) == query.matches_geometry(geom)
        if at_the_limit:
            assert query.matches(located(entity_point))


@pytest.mark.parametrize(
    ("args", "detail"),
    [
        (
            ("near", "Point", "[1,2]"),
            "georel: near needs ';maxDistance==<metres>' or ';minDistance==<metres>' at position 5",
        ),
        (
            ("near;maxDistance==-1", "Point", "[1,2]"),
            "georel: distance '-1' must be a number of metres >= 0 at position 19",
        ),
        (
            ("near;maxDist==1", "Point", "[1,2]"),
            "georel: expected maxDistance or minDistance, found 'maxDist' at position 6",
        ),
        (
            ("nearby", "Point", "[1,2]"),
            "georel: unknown relation 'nearby' (expected one of near, within, contains, intersects, equals, disjoint, overlaps) at position 1",
        ),
        (("within;x", "Point", "[1,2]"), "georel: 'within' takes no parameters at position 7"),
        (
            ("within", "Circle", "[1,2]"),
            "geometry: 'Circle' is not one of Point, LineString, Polygon, MultiPoint, MultiLineString, MultiPolygon",
        ),
        (
            ("within", "Point", "[200,2]"),
            "coordinates: coordinates is outside longitude -180..180 / latitude -90..90",
        ),
        (
            ("within", "Point", "[[1,2]]"),
            "coordinates: coordinates must be a position [longitude, latitude]",
        ),
        (("within", "LineString", "[[1,2]]"), "coordinates: line 0 needs at least 2 positions"),
        (
            ("within", "Polygon", "[[[0,0],[1,1],[0,0]]]"),
            "coordinates: ring 0 must be closed and have at least 4 positions",
        ),
        (
            ("within", "Polygon", "[[[0,0],[1,1],[1,0],[0,1],[0,0]]]"),
            "coordinates: not a valid Polygon (Self-intersection[0.5 0.5])",
        ),
        ((None, "Point", "[1,2]"), "georel: missing; georel, geometry and coordinates go together"),
        (
            ("within", "Point", None),
            "coordinates: missing; georel, geometry and coordinates go together",
        ),
    ],
)
def test_geo_errors(args: tuple[Any, ...], detail: str) -> None:
    with pytest.raises(NgsiError) as caught:
        parse_geo_query(*args, None, expand)
    assert caught.value.error_type == "BadRequestData"
    assert caught.value.detail == detail


def test_bad_coordinates_json_is_named() -> None:
    with pytest.raises(NgsiError, match="coordinates: not a JSON array"):
        parse_geo_query("within", "Point", "[1,2", None, expand)


def test_no_geo_query() -> None:
    assert parse_geo_query(None, None, None, None, expand) is None
    with pytest.raises(NgsiError, match="geoproperty: needs georel"):
        parse_geo_query(None, None, None, "location", expand)


def test_geo_query_from_json_body() -> None:
    query = geo_query_from_json(
        {"georel": "near;maxDistance==100", "geometry": "Point", "coordinates": [LON, LAT]}, expand
    )
    assert (
        query is not None
        and query.max_distance == 100
        and query.georel == "near;maxDistance==100.0"
    )
    with pytest.raises(NgsiError, match=r"geoQ\.geometry: must be a string"):
        geo_query_from_json({"georel": "within", "geometry": 1, "coordinates": [1, 2]}, expand)
    with pytest.raises(NgsiError, match="geoQ: must be a JSON object"):
        geo_query_from_json([], expand)


@settings(max_examples=100, deadline=None)
@given(
    st.one_of(st.none(), st.text(max_size=25)),
    st.one_of(st.none(), st.sampled_from(["Point", "Polygon", "LineString", "x"])),
    st.one_of(st.none(), st.text(alphabet="[]0123456789.,-e ", max_size=30)),
)
def test_geo_parser_only_raises_ngsi_errors(
    georel: str | None, geometry: str | None, coordinates: str | None
) -> None:
    try:
        parse_geo_query(georel, geometry, coordinates, None, expand)
    except NgsiError as error:
        assert error.error_type == "BadRequestData"
