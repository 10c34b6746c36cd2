"""The temporal API over HTTP on both engines: create, query forms, representations,
aggregation checked against Python, pagination, instance changes and deletions."""

from __future__ import annotations

import dataclasses
import statistics
from typing import Any

import pytest

from tests.broker.conftest import TestClient

BASE = "/ngsi-ld/v1"
T = f"{BASE}/temporal/entities"
ID = "urn:ngsi-ld:WeatherObserved:t1"


def series(values: list[float], *, start_hour: int = 0, step_min: int = 15) -> list[dict[str, Any]]:
    out = []
    for index, value in enumerate(values):
        minutes = start_hour * 60 + index * step_min
        out.append(
            {
                "type": "Property",
                "value": value,
                "observedAt": f"2026-05-01T{minutes // 60:02d}:{minutes % 60:02d}:00Z",
            }
        )
    return out


VALUES = [10.0, 12.0, 11.0, 15.0, 20.0, 22.0, 21.0, 19.0]  # 2 hours of 15-minute values


@pytest.fixture
def seeded(client: TestClient) -> TestClient:
    body = {"id": ID, "type": "WeatherObserved", "temperature": series(VALUES)}
    response = client.post(T, json=body)
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"{T}/{ID}"
    return client


def test_create_then_append_and_retrieve(seeded: TestClient) -> None:
    more = {"id": ID, "type": "WeatherObserved", "humidity": series([40.0, 41.0])}
    assert seeded.post(T, json=more).status_code == 204
    got = seeded.get(f"{T}/{ID}")
    assert got.status_code == 200
    body = got.json()
    assert body["id"] == ID and body["type"] == "WeatherObserved"
    assert [i["value"] for i in body["temperature"]] == VALUES
    assert all(
        i["instanceId"].startswith("urn:ngsi-ld:attribute:instance:") for i in body["temperature"]
    )
    assert [i["value"] for i in body["humidity"]] == [40.0, 41.0]
    added = seeded.post(f"{T}/{ID}/attrs", json={"humidity": series([42.0], start_hour=3)})
    assert added.status_code == 204
    got = seeded.get(f"{T}/{ID}", params={"attrs": "humidity"}).json()
    assert [i["value"] for i in got["humidity"]] == [40.0, 41.0, 42.0]
    assert "temperature" not in got


def test_timerel_forms_and_last_n(seeded: TestClient) -> None:
    def values(**params: str) -> list[float]:
        response = seeded.get(f"{T}/{ID}", params=params)
        assert response.status_code == 200, response.text
        return [i["value"] for i in response.json().get("temperature", [])]

    assert values(timerel="before", timeAt="2026-05-01T00:30:00Z") == [10.0, 12.0]
    assert values(timerel="after", timeAt="2026-05-01T01:30:00Z") == [19.0]
    assert values(
        timerel="between", timeAt="2026-05-01T00:30:00Z", endTimeAt="2026-05-01T01:00:00Z"
    ) == [11.0, 15.0]
    assert values(lastN="3") == [22.0, 21.0, 19.0]
    assert values(timerel="before", timeAt="2026-05-01T01:00:00Z", lastN="2") == [11.0, 15.0]
    assert (
        values(timerel="after", timeAt="2000-01-01T00:00:00Z", timeproperty="createdAt") == VALUES
    )


def test_temporal_values_representation(seeded: TestClient) -> None:
    body = seeded.get(f"{T}/{ID}", params={"options": "temporalValues", "lastN": "2"}).json()
    assert body["temperature"] == {
        "type": "Property",
        "values": [[21.0, "2026-05-01T01:30:00Z"], [19.0, "2026-05-01T01:45:00Z"]],
    }


def test_aggregation_matches_python(seeded: TestClient) -> None:
    methods = "totalCount,distinctCount,sum,avg,min,max,stddev,sumsq"
    body = seeded.get(
        f"{T}/{ID}",
        params={
            "options": "aggregatedValues",
            "aggrMethods": methods,
            "aggrPeriodDuration": "PT1H",
        },
    ).json()
    temperature = body["temperature"]
    for hour, chunk in enumerate((VALUES[:4], VALUES[4:])):
        start = f"2026-05-01T{hour:02d}:00:00Z"
        end = f"2026-05-01T{hour + 1:02d}:00:00Z"
        assert temperature["totalCount"][hour] == [len(chunk), start, end]
        assert temperature["distinctCount"][hour][0] == len(set(chunk))
        assert temperature["sum"][hour][0] == pytest.approx(sum(chunk))
        assert temperature["avg"][hour][0] == pytest.approx(statistics.mean(chunk))
        assert temperature["min"][hour][0] == min(chunk)
        assert temperature["max"][hour][0] == max(chunk)
        assert temperature["stddev"][hour][0] == pytest.approx(statistics.stdev(chunk))
        assert temperature["sumsq"][hour][0] == pytest.approx(sum(v * v for v in chunk))
    whole = seeded.get(
        f"{T}/{ID}", params={"options": "aggregatedValues", "aggrMethods": "avg"}
    ).json()
    assert whole["temperature"]["avg"][0][0] == pytest.approx(statistics.mean(VALUES))


def test_aggregates_without_stddev_read_as_sql_gives_them(seeded: TestClient) -> None:
    """Without stddev the values come straight from the SQL row: the same numbers as with it,
    counts as integers and the rest as floats, also for whole-number values."""
    params = {"options": "aggregatedValues", "aggrPeriodDuration": "PT1H"}
    plain = "totalCount,distinctCount,sum,avg,min,max,sumsq,avg"
    fast = seeded.get(f"{T}/{ID}", params={**params, "aggrMethods": plain}).json()
    full = seeded.get(f"{T}/{ID}", params={**params, "aggrMethods": plain + ",stddev"}).json()
    fast, full = fast["temperature"], full["temperature"]
    assert list(fast) == [
        "type",
        "totalCount",
        "distinctCount",
        "sum",
        "avg",
        "min",
        "max",
        "sumsq",
    ]
    assert all(fast[m] == full[m] for m in fast)
    for method, kind in (("totalCount", int), ("distinctCount", int), ("sum", float)):
        assert all(type(v) is kind for v, _, _ in fast[method]), method
    assert all(type(v) is float for m in ("avg", "min", "max", "sumsq") for v, _, _ in fast[m])


def test_aggregation_errors_name_the_parameter(seeded: TestClient) -> None:
    bad = seeded.get(f"{T}/{ID}", params={"options": "aggregatedValues", "aggrMethods": "median"})
    assert bad.status_code == 400 and "aggrMethods" in bad.json()["detail"]
    bad = seeded.get(
        f"{T}/{ID}",
        params={"options": "aggregatedValues", "aggrMethods": "avg", "aggrPeriodDuration": "1h"},
    )
    assert bad.status_code == 400 and "aggrPeriodDuration" in bad.json()["detail"]
    assert bad.headers["content-type"] == "application/problem+json"
    bad = seeded.get(f"{T}/{ID}", params={"timerel": "during", "timeAt": "2026-05-01T00:00:00Z"})
    assert bad.status_code == 400 and "timerel" in bad.json()["detail"]


def test_query_by_type_id_pattern_attrs_and_q(client: TestClient, seeded: TestClient) -> None:
    other = "urn:ngsi-ld:Parking:p1"
    client.post(T, json={"id": other, "type": "Parking", "free": series([3.0, 4.0])})
    got = client.get(T, params={"type": "WeatherObserved"}).json()
    assert [e["id"] for e in got] == [ID]
    got = client.get(T, params={"idPattern": "Parking", "options": "temporalValues"}).json()
    assert got == [
        {
            "id": other,
            "type": "Parking",
            "free": {
                "type": "Property",
                "values": [[3.0, "2026-05-01T00:00:00Z"], [4.0, "2026-05-01T00:15:00Z"]],
            },
        }
    ]
    got = client.get(T, params={"attrs": "free", "count": "true"})
    assert [e["id"] for e in got.json()] == [other]
    assert got.headers["NGSILD-Results-Count"] == "1"
    # q is evaluated on the current entity
    client.post(
        f"{BASE}/entities",
        json={
            "id": "urn:ngsi-ld:Parking:p2",
            "type": "Parking",
            "free": {"type": "Property", "value": 9},
        },
    )
    got = client.get(T, params={"type": "Parking", "q": "free>5"}).json()
    assert [e["id"] for e in got] == ["urn:ngsi-ld:Parking:p2"]
    assert [i["value"] for i in got[0]["free"]] == [9]


def test_post_query(seeded: TestClient) -> None:
    body = {
        "type": "Query",
        "entities": [{"type": "WeatherObserved"}],
        "attrs": ["temperature"],
        "temporalQ": {"timerel": "after", "timeAt": "2026-05-01T01:00:00Z", "lastN": 2},
    }
    got = seeded.post(f"{BASE}/temporal/entityOperations/query", json=body)
    assert got.status_code == 200, got.text
    assert [i["value"] for i in got.json()[0]["temperature"]] == [21.0, 19.0]


def test_post_query_mixed_selectors(seeded: TestClient) -> None:
    """EntitySelectors of different kinds are alternatives in temporal queries too."""
    other = {"id": "urn:ngsi-ld:Streetlight:s1", "type": "Streetlight", "power": series([5.0])}
    assert seeded.post(T, json=other).status_code == 201
    third = {"id": "urn:ngsi-ld:Streetlight:s2", "type": "Streetlight", "power": series([6.0])}
    assert seeded.post(T, json=third).status_code == 201
    body = {
        "type": "Query",
        "entities": [{"idPattern": ":t1$"}, {"id": "urn:ngsi-ld:Streetlight:s2"}],
        "temporalQ": {"timerel": "after", "timeAt": "2026-04-30T00:00:00Z"},
    }
    got = seeded.post(f"{BASE}/temporal/entityOperations/query", json=body)
    assert got.status_code == 200, got.text
    assert sorted(e["id"] for e in got.json()) == ["urn:ngsi-ld:Streetlight:s2", ID]


def test_pagination_with_content_range(seeded: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    config = seeded.app.state.config  # type: ignore[attr-defined]
    monkeypatch.setattr(
        seeded.app.state,  # type: ignore[attr-defined]
        "config",
        dataclasses.replace(config, values={**config.values, "BROKER_TEMPORAL_LIMIT": 3}),
    )
    got = seeded.get(f"{T}/{ID}")
    assert got.status_code == 206
    assert [i["value"] for i in got.json()["temperature"]] == VALUES[:3]
    assert got.headers["Content-Range"] == "date-time 2026-05-01T00:00:00Z-2026-05-01T00:30:00Z/*"
    got = seeded.get(f"{T}/{ID}", params={"lastN": "5"})
    assert got.status_code == 206
    assert [i["value"] for i in got.json()["temperature"]] == VALUES[-3:]
    assert got.headers["Content-Range"] == "date-time 2026-05-01T01:45:00Z-2026-05-01T01:15:00Z/5"
    assert seeded.get(f"{T}/{ID}", params={"lastN": "2"}).status_code == 200


def test_modify_and_delete_instances(seeded: TestClient) -> None:
    instances = seeded.get(f"{T}/{ID}").json()["temperature"]
    first, second = instances[0]["instanceId"], instances[1]["instanceId"]
    response = seeded.patch(
        f"{T}/{ID}/attrs/temperature/{first}",
        json={"temperature": {"type": "Property", "value": 99}},
    )
    assert response.status_code == 204, response.text
    assert seeded.delete(f"{T}/{ID}/attrs/temperature/{second}").status_code == 204
    values = [i["value"] for i in seeded.get(f"{T}/{ID}").json()["temperature"]]
    assert values == [99, *VALUES[2:]]
    missing = seeded.delete(f"{T}/{ID}/attrs/temperature/{second}")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_delete_attribute_history_and_entity(seeded: TestClient) -> None:
    seeded.post(f"{T}/{ID}/attrs", json={"humidity": series([1.0])})
    assert seeded.delete(f"{T}/{ID}/attrs/temperature").status_code == 204
    body = seeded.get(f"{T}/{ID}").json()
    assert "temperature" not in body and len(body["humidity"]) == 1
    assert seeded.delete(f"{T}/{ID}").status_code == 204
    assert seeded.get(f"{T}/{ID}").status_code == 404
    assert seeded.delete(f"{T}/{ID}").status_code == 404


def test_history_of_entity_api_is_queryable(client: TestClient) -> None:
    entity = {
        "id": "urn:ngsi-ld:Sensor:s1",
        "type": "Sensor",
        "level": {"type": "Property", "value": 1, "observedAt": "2026-05-01T10:00:00Z"},
    }
    client.post(f"{BASE}/entities", json=entity)
    client.patch(
        f"{BASE}/entities/{entity['id']}/attrs",
        json={"level": {"type": "Property", "value": 2, "observedAt": "2026-05-01T11:00:00Z"}},
    )
    client.delete(f"{BASE}/entities/{entity['id']}/attrs/level")
    body = client.get(f"{T}/{entity['id']}", params={"options": "sysAttrs"}).json()
    levels = body["level"]
    assert [i["value"] for i in levels[:2]] == [1, 2]
    assert levels[2]["value"] == "urn:ngsi-ld:null" and "deletedAt" in levels[2]
    assert all("createdAt" in i and "modifiedAt" in i for i in levels)
    deleted = client.get(
        f"{T}/{entity['id']}",
        params={"timeproperty": "deletedAt", "timerel": "after", "timeAt": "2000-01-01T00:00:00Z"},
    ).json()
    assert len(deleted["level"]) == 1


def test_unknown_entity_and_bad_last_n(client: TestClient) -> None:
    assert client.get(f"{T}/urn:ngsi-ld:X:none").status_code == 404
    bad = client.get(f"{T}/urn:ngsi-ld:X:none", params={"lastN": "0"})
    assert bad.status_code == 400 and "lastN" in bad.json()["detail"]


def test_last_n_over_many_entities_and_geo(client: TestClient) -> None:
    for index in range(5):
        entity = {
            "id": f"urn:ngsi-ld:Parking:g{index}",
            "type": "Parking",
            "free": {"type": "Property", "value": index, "observedAt": "2026-05-01T10:00:00Z"},
            "location": {
                "type": "GeoProperty",
                "value": {"type": "Point", "coordinates": [7.0 + index, 51.0]},
            },
        }
        assert client.post(f"{BASE}/entities", json=entity).status_code == 201
        client.patch(
            f"{BASE}/entities/{entity['id']}/attrs",
            json={
                "free": {
                    "type": "Property",
                    "value": index + 10,
                    "observedAt": "2026-05-01T11:00:00Z",
                }
            },
        )
    got = client.get(T, params={"type": "Parking", "attrs": "free", "lastN": "1", "limit": "3"})
    assert got.status_code == 200
    assert [(e["id"][-2:], [i["value"] for i in e["free"]]) for e in got.json()] == [
        ("g0", [10]),
        ("g1", [11]),
        ("g2", [12]),
    ]
    near = client.get(
        T,
        params={
            "type": "Parking",
            "attrs": "free",
            "georel": "near;maxDistance==2000",
            "geometry": "Point",
            "coordinates": "[9.0,51.0]",
            "options": "temporalValues",
        },
    )
    assert near.status_code == 200, near.text
    assert [e["id"] for e in near.json()] == ["urn:ngsi-ld:Parking:g2"]
    assert near.json()[0]["free"]["values"] == [
        [2, "2026-05-01T10:00:00Z"],
        [12, "2026-05-01T11:00:00Z"],
    ]


def test_ld_json_answer_carries_context(seeded: TestClient) -> None:
    got = seeded.get(f"{T}/{ID}", params={"lastN": "1"}, headers={"Accept": "application/ld+json"})
    assert got.headers["content-type"] == "application/ld+json"
    assert "@context" in got.json() and "link" not in got.headers


def test_representation_checks_and_pick_omit(seeded: TestClient) -> None:
    for params in (
        {"format": "invalidFormat"},
        {"options": "temporalValues,invalidOptions"},
        {"unknownParam": "1"},
    ):
        response = seeded.get(f"{T}/{ID}", params=params)
        assert response.status_code == 400
        assert response.json()["type"].endswith("InvalidRequest")
    got = seeded.get(f"{T}/{ID}", params={"pick": "temperature"}).json()
    assert list(got) == ["temperature"]
    got = seeded.get(f"{T}/{ID}", params={"omit": "type,temperature"}).json()
    assert got == {"id": ID}
    assert seeded.get(f"{T}/{ID}", params={"pick": "unknown"}).status_code == 404
    assert seeded.get(f"{T}/{ID}", params={"pick": "id", "omit": "id"}).status_code == 400
    assert seeded.get(f"{T}/{ID}", params={"pick": "id", "attrs": "x"}).status_code == 400
    assert seeded.get(f"{T}/{ID}", params={"attrs": "unknown"}).status_code == 404
    listed = seeded.get(T, params={"type": "WeatherObserved", "pick": "id"}).json()
    assert listed == [{"id": ID}]


def test_limit_cuts_across_attributes(seeded: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    seeded.post(f"{T}/{ID}/attrs", json={"humidity": series([40.0, 41.0], start_hour=5)})
    config = seeded.app.state.config  # type: ignore[attr-defined]
    monkeypatch.setattr(
        seeded.app.state,  # type: ignore[attr-defined]
        "config",
        dataclasses.replace(config, values={**config.values, "BROKER_TEMPORAL_LIMIT": 8}),
    )
    got = seeded.get(f"{T}/{ID}")
    assert got.status_code == 206
    assert len(got.json()["temperature"]) == 8 and got.json()["humidity"] == []  # beyond the cut
    got = seeded.get(f"{T}/{ID}", params={"lastN": "8"})
    assert got.status_code == 206
    assert len(got.json()["humidity"]) == 2 and len(got.json()["temperature"]) == 6


def test_dataset_filter_deletions_and_simplified_values(client: TestClient) -> None:
    body = {
        "id": ID,
        "type": "WeatherObserved",
        "temperature": [
            *series([1.0]),
            {**series([2.0])[0], "datasetId": "urn:ngsi-ld:Dataset:a"},
        ],
        "name": [
            {
                "type": "LanguageProperty",
                "languageMap": {"de": "Markt"},
                "observedAt": "2026-05-01T00:00:00.250Z",
            }
        ],
    }
    assert client.post(T, json=body).status_code == 201
    got = client.get(f"{T}/{ID}", params={"datasetId": "urn:ngsi-ld:Dataset:a"}).json()
    assert [i["value"] for i in got["temperature"]] == [2.0] and "name" not in got
    got = client.get(f"{T}/{ID}", params={"datasetId": "@none", "attrs": "temperature"}).json()
    assert [i["value"] for i in got["temperature"]] == [1.0]
    got = client.get(f"{T}/{ID}", params={"options": "temporalValues", "attrs": "name"}).json()
    assert got["name"]["languageMaps"] == [
        [{"languageMap": {"de": "Markt"}}, "2026-05-01T00:00:00.250Z"]
    ]
    entity = {"id": "urn:ngsi-ld:Thing:d", "type": "Thing", "a": {"type": "Property", "value": 1}}
    entity["b"] = {"type": "Property", "value": 2}
    assert client.post(f"{BASE}/entities", json=entity).status_code == 201
    assert client.delete(f"{BASE}/entities/urn:ngsi-ld:Thing:d/attrs/a").status_code == 204
    got = client.get(f"{T}/urn:ngsi-ld:Thing:d", params={"timeproperty": "deletedAt"}).json()
    assert list(got) == ["id", "type", "a"]
    assert got["a"][0]["value"] == "urn:ngsi-ld:null" and "deletedAt" in got["a"][0]


def test_instance_ids_must_be_uris(seeded: TestClient) -> None:
    assert seeded.delete(f"{T}/{ID}/attrs/temperature/invalidId").status_code == 400
    response = seeded.patch(
        f"{T}/{ID}/attrs/temperature/invalidId", json={"type": "Property", "value": 1}
    )
    assert response.status_code == 400


def test_q_holds_at_some_instant_of_the_history_and_order_by(client: TestClient) -> None:
    for name, values in (("a", [95.0, 80.0]), ("b", [50.0, 60.0])):
        body = {"id": f"urn:ngsi-ld:Car:{name}", "type": "Car", "speed": series(values)}
        assert client.post(T, json=body).status_code == 201
    got = client.get(T, params={"type": "Car", "q": "speed>90"})
    assert got.status_code == 200, got.text
    assert [e["id"] for e in got.json()] == ["urn:ngsi-ld:Car:a"]
    assert len(got.json()[0]["speed"]) == 2  # the whole history of a matching entity
    for name, rank in (("x", 2), ("y", 1)):
        entity = {"id": f"urn:ngsi-ld:Shop:{name}", "type": "Shop"}
        entity["rank"] = {"type": "Property", "value": rank}
        assert client.post(f"{BASE}/entities", json=entity).status_code == 201
    ordered = client.get(T, params={"type": "Shop", "orderBy": "rank;desc"}).json()
    assert [e["id"] for e in ordered] == ["urn:ngsi-ld:Shop:x", "urn:ngsi-ld:Shop:y"]
    ordered = client.get(T, params={"type": "Shop", "orderBy": "rank"}).json()
    assert [e["id"] for e in ordered] == ["urn:ngsi-ld:Shop:y", "urn:ngsi-ld:Shop:x"]


def test_modified_at_of_a_temporal_entity_follows_its_changes(client: TestClient) -> None:
    """A change that keeps the entity's types does not rewrite its temporal entity row; the
    temporal entity's modifiedAt (sysAttrs, retrieve and query) is still the last change,
    and a temporal delete followed by a change brings the temporal entity back."""
    entity = {
        "id": "urn:ngsi-ld:Sensor:m1",
        "type": "Sensor",
        "level": {"type": "Property", "value": 1, "observedAt": "2026-05-01T10:00:00Z"},
    }
    assert client.post(f"{BASE}/entities", json=entity).status_code == 201
    created = client.get(f"{T}/{entity['id']}", params={"options": "sysAttrs"}).json()
    patch = {"level": {"type": "Property", "value": 2, "observedAt": "2026-05-01T11:00:00Z"}}
    assert client.patch(f"{BASE}/entities/{entity['id']}/attrs", json=patch).status_code == 204
    live = client.get(f"{BASE}/entities/{entity['id']}", params={"options": "sysAttrs"}).json()
    one = client.get(f"{T}/{entity['id']}", params={"options": "sysAttrs"}).json()
    assert one["modifiedAt"] == live["modifiedAt"] > created["modifiedAt"]
    assert one["createdAt"] == created["createdAt"]
    listed = client.get(
        T, params={"type": "Sensor", "options": "sysAttrs", "id": entity["id"]}
    ).json()
    assert [e["modifiedAt"] for e in listed] == [live["modifiedAt"]]
    # without sysAttrs there is no modifiedAt to show
    assert "modifiedAt" not in client.get(f"{T}/{entity['id']}").json()
    # temporal delete: gone; the next change of the entity is a new history
    assert client.delete(f"{T}/{entity['id']}").status_code == 204
    assert client.get(f"{T}/{entity['id']}").status_code == 404
    patch = {"level": {"type": "Property", "value": 3, "observedAt": "2026-05-01T12:00:00Z"}}
    assert client.patch(f"{BASE}/entities/{entity['id']}/attrs", json=patch).status_code == 204
    again = client.get(f"{T}/{entity['id']}", params={"lastN": "5"}).json()
    assert [i["value"] for i in again["level"]] == [3]
