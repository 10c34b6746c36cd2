"""``q`` semantics on example entities: ``matches`` and the SQL of both engines agree."""

from __future__ import annotations

from typing import Any

import pytest

from dos.broker.query import parse_q
from tests.broker.query.backends import NS, expand


def prop(value: Any, **extra: Any) -> dict[str, Any]:
    return {"type": "Property", "value": value, **extra}


def entity(eid: str, **attrs: Any) -> dict[str, Any]:
    return {
        "id": f"urn:ngsi-ld:T:{eid}",
        "type": [NS + "T"],
        "createdAt": "2026-01-01T00:00:00Z",
        "modifiedAt": "2026-01-01T00:00:00Z",
        "attrs": {NS + k: v if isinstance(v, list) else [v] for k, v in attrs.items()},
    }


ENTITIES = [
    entity(
        "1",
        temperature=prop(31.5, observedAt="2026-05-01T12:00:00Z", unitCode="CEL"),
        name=prop("Phoenix-West"),
        status=prop("open"),
        flag=prop(True),
        address=prop({"street": {"name": "Hauptstr"}, "city": "Dortmund"}),
        refStation={"type": "Relationship", "object": "urn:ngsi-ld:Station:A"},
        tags={"type": "ListProperty", "valueList": ["red", "green"]},
        label={"type": "LanguageProperty", "languageMap": {"de": "Rathaus", "en": "Town hall"}},
        when=prop({"@type": "DateTime", "@value": "2026-03-01T10:00:00Z"}),
    ),
    entity(
        "2",
        temperature=[
            prop(12, datasetId="urn:ds:a"),
            prop(40, datasetId="urn:ds:b", **{NS + "accuracy": prop(0.5)}),
        ],
        name=prop("Schwerte Mitte"),
        status=prop("closed"),
        flag=prop(False),
        address=prop({"street": {"name": "Ruhrstr"}, "city": "Schwerte"}),
        refStation={"type": "Relationship", "object": "urn:ngsi-ld:Station:B"},
        tags={"type": "ListProperty", "valueList": ["blue"]},
        label={"type": "LanguageProperty", "languageMap": {"de": "Bahnhof"}},
        vocabulary={"type": "VocabProperty", "vocab": "ex:Open"},
        blob={"type": "JsonProperty", "json": {"level": 3}},
    ),
    entity(
        "3",
        temperature=prop(30, observedAt="2026-04-01T12:00:00Z"),
        name=prop("30"),
        count=prop([1, 2, 3]),
        refs={"type": "ListRelationship", "objectList": ["urn:a", "urn:b"]},
    ),
    entity("4", other=prop(None)),
]

CASES = [
    ("temperature>30", {"1", "2"}),
    ("temperature>=30", {"1", "2", "3"}),
    ("temperature<30", {"2"}),
    ("temperature==30", {"3"}),
    ("temperature==30.0", {"3"}),
    ("temperature!=30", {"1", "2"}),
    ("temperature==12..31.5", {"1", "2", "3"}),
    ("temperature!=12..31.5", {"2"}),
    ("temperature==12,40", {"2"}),
    ("temperature!=12,40", {"1", "3"}),
    ('temperature=="30"', set()),
    ("name==30", set()),
    ('name=="30"', {"3"}),
    ('name~="^Sch"', {"2"}),
    ("name~=(?i)phoenix", {"1"}),
    ('name!~="^Sch"', {"1", "3"}),
    ("name~=^[A-Z][a-z]+-", {"1"}),
    ('name~="\\d"', {"3"}),
    ('name~="e(?=s)"', {"1"}),
    ('name~="(?<=r)t"', {"2"}),
    ("name~=(Mitte|West)$", {"1", "2"}),
    ('name>"P"', {"1", "2"}),
    ('status=="open","closed"', {"1", "2"}),
    ("flag==true", {"1"}),
    ("flag==false", {"2"}),
    ("flag!=true", {"2"}),
    ("temperature", {"1", "2", "3"}),
    ("!temperature", {"4"}),
    ("temperature.accuracy", {"2"}),
    ("temperature.accuracy<1", {"2"}),
    ("temperature.observedAt>=2026-04-15T00:00:00Z", {"1"}),
    ("temperature.observedAt", {"1", "3"}),
    ('temperature.unitCode=="CEL"', {"1"}),
    ('temperature.datasetId=="urn:ds:b"', {"2"}),
    ("temperature.datasetId==urn:ds:b;temperature>39", {"2"}),
    ('address[city]=="Dortmund"', {"1"}),
    ('address[street.name]=="Ruhrstr"', {"2"}),
    ('address[street][name]~="str$"', {"1", "2"}),
    ("address[zip]", set()),
    ("address[street]", {"1", "2"}),
    ("refStation==urn:ngsi-ld:Station:A", {"1"}),
    ('refStation=="urn:ngsi-ld:Station:B"', {"2"}),
    ('tags=="green"', {"1"}),
    ('tags!="green"', {"2"}),
    ('label=="Bahnhof"', {"2"}),
    ('label=="Town hall"', {"1"}),
    ('label[en]=="Town hall"', {"1"}),
    ('label[en]=="Rathaus"', set()),
    ("when>2026-02-01T00:00:00Z", {"1"}),
    ('vocabulary=="ex:Open"', {"2"}),
    ("blob[level]>=3", {"2"}),
    ("count==2", {"3"}),
    ("count>2", {"3"}),
    ("count!=2", set()),
    ("refs==urn:b", {"3"}),
    ("other", {"4"}),
    ("other==1", set()),
    ("other!=1", {"4"}),
    ('temperature>30;name~="Sch"', {"2"}),
    ("temperature>35|flag==true", {"1", "2"}),
    ('(temperature>35|flag==true);status=="open"', {"1"}),
    ('temperature>35|flag==true;status=="open"', {"1", "2"}),
    ("!name|temperature==30", {"3", "4"}),
    ('( temperature > 31 ; name ~= "West" )', {"1"}),
]


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_matches(query: str, expected: set[str]) -> None:
    node = parse_q(query, expand)
    found = {e["id"].rsplit(":", 1)[1] for e in ENTITIES if node.matches(e)}
    assert found == expected


@pytest.fixture(scope="module")
def loaded(backend: Any) -> Any:
    backend.load(ENTITIES)
    return backend


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_sql(loaded: Any, query: str, expected: set[str]) -> None:
    sql, params = parse_q(query, expand).to_sql(loaded.dialect)
    found = {i.rsplit(":", 1)[1] for i in loaded.ids(sql, params)}
    assert found == expected


def test_sql_binds_every_user_value() -> None:
    sql, params = parse_q('name=="x\'; DROP TABLE entities; --"', expand).to_sql("postgresql")
    assert "DROP" not in sql
    assert "x'; DROP TABLE entities; --" in params


def test_full_iri_attribute_names() -> None:
    node = parse_q(f"{NS}temperature>31;{NS}name", expand)
    assert {e["id"] for e in ENTITIES if node.matches(e)} == {"urn:ngsi-ld:T:1", "urn:ngsi-ld:T:2"}
