"""The value index (``q`` comparisons) and the spatial index (geo-queries) of both engines:
a query they drive answers exactly what a full scan with the Python evaluation answers."""

from __future__ import annotations

from typing import Any

import pytest

from dos.broker.query.geo import parse_geo_query
from dos.broker.query.q import parse_q
from dos.broker.store import EntityQuery, Session, Store
from dos.broker.store.index import (
    ValuePrefilter,
    ValueRange,
    signature,
    value_prefilter,
    value_rows,
)
from dos.broker.store.migrations import backfill_values

T = "https://example.org/T"
U = "https://example.org/U"
LOCATION = "location"


def entity(n: int) -> dict[str, Any]:
    """Numbers in every shape a q term can compare with, and some it must not."""
    shapes: list[dict[str, Any]] = [
        {"type": "Property", "value": n % 7},
        {"type": "Property", "value": float(n) / 3},
        {"type": "Property", "value": [n, n + 10]},
        {"type": "Property", "value": {"@value": n}},
        {"type": "Property", "value": n % 2 == 0},  # boolean: never a number
        {"type": "Property", "value": str(n)},  # string: not a number
        {"type": "ListProperty", "valueList": [n % 5, 100]},
        {"type": "Property", "value": 1, "sub": {"type": "Property", "value": n}},
    ]
    temp = [shapes[n % len(shapes)]]
    if n % 5 == 0:  # a second instance (multi-attribute)
        temp.append({"type": "Property", "value": n * 2, "datasetId": "urn:ds:2"})
    attrs: dict[str, Any] = {"temp": temp, "other": [{"type": "Property", "value": n % 3}]}
    if n % 4 != 3:
        x, y = 7.0 + (n % 10) * 0.001, 51.0 + (n // 10) * 0.001
        attrs[LOCATION] = [
            {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [x, y]}}
        ]
    return {
        "id": f"urn:ngsi-ld:T:{n:03d}",
        "type": [T] if n % 3 else [T, U],
        "createdAt": "2026-11-27T10:00:00.000Z",
        "modifiedAt": "2026-11-27T10:00:00.000Z",
        "attrs": attrs,
    }


@pytest.fixture(params=["index", "scan"])
def plan(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """``scan``: no index is selective enough, the type index is walked instead."""
    if request.param == "scan":
        monkeypatch.setattr("dos.broker.store.session.INDEX_DRIVEN_MAX", 0)
    return str(request.param)


QUERIES = [
    "temp>5",
    "temp>=5.5",
    "temp<2",
    "temp==3",
    "temp==1..4",
    "temp==2,7,30",
    "temp==100",
    "temp>5;other==1",
    "other==2;temp<=3",
    "temp!=3",
    "temp.sub>40",
    "temp==true",
]


def _all(store: Store) -> list[dict[str, Any]]:
    docs, _ = store.read(lambda s: s.query("", EntityQuery(limit=1000)))
    return docs


def _check_queries(store: Store) -> None:
    everything = _all(store)
    for text in QUERIES:
        q = parse_q(text, lambda name: name)
        for types, attrs in ((None, None), ([[T]], None), ([[U]], [LOCATION]), ([[T, U]], None)):
            want = [
                d["id"]
                for d in everything
                if q.matches(d)
                and (types is None or set(types[0]) <= set(d["type"]))
                and (attrs is None or LOCATION in d["attrs"])
            ]
            for offset, limit in ((0, 1000), (0, 3), (4, 5)):
                query = EntityQuery(
                    types=types, attrs=attrs, q=q, limit=limit, offset=offset, count=True
                )
                docs, count = store.read(lambda s, query=query: s.query("", query))
                assert [d["id"] for d in docs] == want[offset : offset + limit], (text, types)
                assert count == len(want), (text, types)


def test_value_index_answers_like_a_scan(store: Store, plan: str) -> None:
    docs = [entity(n) for n in range(120)]
    store.write(lambda s: s.insert_many("", docs[:60]))
    for doc in docs[60:]:
        store.write(lambda s, doc=doc: s.insert("", doc))
    # one item of ";" narrows the candidates; the documents are tested for the rest
    assert value_prefilter(parse_q("temp>5;other==1", lambda n: n)) == ValuePrefilter(
        "temp", (ValueRange(5.0, None, strict=True),)
    )
    assert value_prefilter(parse_q("temp>5", lambda n: n)) == ValuePrefilter(
        "temp", (ValueRange(5.0, None, strict=True),), exact=True
    )
    assert value_prefilter(parse_q("temp>9007199254740993", lambda n: n)) == ValuePrefilter(
        "temp", (ValueRange(9007199254740992.0, None),)
    )
    assert value_prefilter(parse_q("temp!=3", lambda n: n)) is None
    _check_queries(store)

    # updates that change only values (same signature) and ones that change attributes
    def change(s: Session) -> None:
        for n in range(0, 120, 7):
            old = s.get("", f"urn:ngsi-ld:T:{n:03d}")
            assert old is not None
            new = entity(n + 1)
            new["id"] = old["id"]
            new["type"] = old["type"]
            s.update("", new, signature(old))
        pairs = []
        for n in range(3, 120, 11):
            old = s.get("", f"urn:ngsi-ld:T:{n:03d}")
            assert old is not None
            new = {**old, "attrs": {**old["attrs"], "temp": [{"type": "Property", "value": 3}]}}
            pairs.append((new, signature(old)))
        s.update_many("", pairs)
        s.delete("", "urn:ngsi-ld:T:010")

    store.write(change)
    _check_queries(store)
    assert store.read(lambda s: s.get("", "urn:ngsi-ld:T:003"))["attrs"]["temp"][0]["value"] == 3
    _values_match_documents(store)

    # successive versions in one write (update_versions), a signature change among them
    def versions(s: Session) -> None:
        pairs = []
        for n in range(1, 120, 13):
            old = s.get("", f"urn:ngsi-ld:T:{n:03d}")
            if old is None:
                continue
            step = {**old, "attrs": {**old["attrs"], "other": [{"type": "Property", "value": 9}]}}
            last = {**step, "attrs": {**step["attrs"], "extra": [{"type": "Property", "value": 4}]}}
            pairs += [(old, step), (step, last if n % 2 else step)]
        s.update_versions("", pairs)

    store.write(versions)
    _check_queries(store)
    _values_match_documents(store)


def _values_match_documents(store: Store) -> None:
    """The value index holds exactly the rows of the stored documents: the writes delete value
    rows by their key (computed from the stored version), so none may be left behind."""

    def read(s: Session) -> tuple[list[Any], list[Any]]:
        stored = sorted(
            (str(r[0]), str(r[1]), float(r[2]), int(r[3]))
            for r in s.x("SELECT tenant, attr, num, pk FROM entity_values").fetchall()
        )
        expected = []
        for pk, tenant, raw in s.x("SELECT pk, tenant, doc FROM entities").fetchall():
            doc = raw if isinstance(raw, dict) else s.load(raw)
            expected += [(tenant, name, num, int(pk)) for name, num in value_rows(doc)]
        return stored, sorted(expected)

    stored, expected = store.read(read)
    assert stored == expected


def test_value_rows_follow_the_query_language() -> None:
    doc = entity(2)  # temp: [2, 12]
    assert sorted(value_rows(doc)) == [("other", 2.0), ("temp", 2.0), ("temp", 12.0)]
    assert ("temp", 1.0) not in value_rows(entity(4))  # booleans are no numbers
    assert [r for r in value_rows(entity(7)) if r[0] == "temp"] == [("temp", 1.0)]  # not sub


def test_backfill_indexes_existing_entities(store: Store) -> None:
    store.write(lambda s: s.insert_many("", [entity(n) for n in range(30)]))
    rows = "SELECT tenant, attr, num, pk FROM entity_values ORDER BY pk, attr, num"
    before = store.read(lambda s: s.x(rows).fetchall())
    assert len(before) > 30
    store.write(lambda s: s.x("DELETE FROM entity_values"))
    store.write(backfill_values)
    assert store.read(lambda s: s.x(rows).fetchall()) == before


@pytest.mark.parametrize(
    ("georel", "geometry", "coordinates"),
    [
        ("near;maxDistance==150", "Point", "[7.004, 51.004]"),
        ("near;maxDistance==2000", "Point", "[7.0, 51.0]"),
        (
            "within",
            "Polygon",
            "[[[7.0015,51.0],[7.006,51.0],[7.006,51.005],[7.0015,51.005],[7.0015,51.0]]]",
        ),
        ("near;minDistance==300", "Point", "[7.004, 51.004]"),
    ],
)
def test_spatial_index_answers_like_a_scan(
    store: Store, plan: str, georel: str, geometry: str, coordinates: str
) -> None:
    store.write(lambda s: s.insert_many("", [entity(n) for n in range(120)]))
    geo = parse_geo_query(georel, geometry, coordinates, LOCATION, lambda name: name)
    assert geo is not None
    want = [d["id"] for d in _all(store) if geo.matches(d)]
    assert want  # the data is meant to give matches
    for offset, limit in ((0, 1000), (2, 4)):
        query = EntityQuery(types=[[T]], geo=geo, limit=limit, offset=offset, count=True)
        docs, count = store.read(lambda s, query=query: s.query("", query))
        typed = [d["id"] for d in _all(store) if geo.matches(d) and T in d["type"]]
        assert [d["id"] for d in docs] == typed[offset : offset + limit]
        assert count == len(typed)
    # deleting an entity removes it from the spatial index
    store.write(lambda s: s.delete("", want[0]))
    docs, count = store.read(lambda s: s.query("", EntityQuery(geo=geo, count=True, limit=1000)))
    assert [d["id"] for d in docs] == want[1:]
