"""Retention of the temporal history on both engines: policies, roll-up and delete, the
aggregated representation over rolled-up periods, dry run, idempotence, bad input."""

from __future__ import annotations

import math
from typing import Any

import pytest

from dos.broker.errors import NgsiError
from dos.broker.store import Store
from dos.broker.temporal.retention import (
    check_policy,
    policy_delete,
    policy_list,
    policy_set,
    resolve,
)
from dos.broker.temporal.rollup import BATCH, last_run, retention_apply, retention_claim
from dos.broker.temporal.times import to_ms
from tests.broker.conftest import TestClient

T = "/ngsi-ld/v1/temporal/entities"
W1 = "urn:ngsi-ld:WeatherObserved:w1"
LAMP = "urn:ngsi-ld:Streetlight:l1"
NOW = to_ms("2026-06-01T00:30:00Z") or 0  # P30D keeps everything from 2026-05-02T00:00Z
OLD_DAY = "2026-04-01"
RECENT_DAY = "2026-05-20"
METHODS = "totalCount,sum,avg,min,max,stddev,sumsq"
OTHER = {"NGSILD-Tenant": "schwerte"}
TEMPERATURE = "https://uri.etsi.org/ngsi-ld/default-context/temperature"


def instances(day: str, values: list[Any], *, step_min: int = 15) -> list[dict[str, Any]]:
    out = []
    for index, value in enumerate(values):
        minutes = index * step_min
        stamp = f"{day}T{minutes // 60:02d}:{minutes % 60:02d}:00Z"
        out.append({"type": "Property", "value": value, "observedAt": stamp})
    return out


# 4 hours of old values (a missing quarter, a text value amid numbers), 2 recent ones
OLD = [10.0, 12.5, 11.0, 15.0, 20.0, 22.0, 21.0, 19.0, 3.0, "n/a", 5.0, 7.0, -2.0, 0.0, 4.5, 9.0]
RECENT = [30.0, 31.0]


def seed(client: TestClient) -> None:
    for entity_id, kind, headers in (
        (W1, "WeatherObserved", {}),
        (LAMP, "Streetlight", {}),
        (W1, "WeatherObserved", OTHER),
    ):
        body = {
            "id": entity_id,
            "type": kind,
            "temperature": instances(OLD_DAY, OLD) + instances(RECENT_DAY, RECENT),
            "status": instances(OLD_DAY, ["ok", "ok", "fault"], step_min=70),
        }
        assert client.post(T, json=body, headers=headers).status_code == 201


def aggregated(client: TestClient, entity_id: str = W1, **params: str) -> dict[str, Any]:
    response = client.get(
        f"{T}/{entity_id}",
        params={"options": "aggregatedValues", "aggrMethods": METHODS, **params},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


QUERIES: list[dict[str, str]] = [
    {"aggrPeriodDuration": "PT1H"},
    {"aggrPeriodDuration": "PT2H"},
    {"aggrPeriodDuration": "P1D"},
    {},
    {
        "aggrPeriodDuration": "PT1H",
        "timerel": "between",
        "timeAt": f"{OLD_DAY}T01:00:00Z",
        "endTimeAt": f"{RECENT_DAY}T00:00:00Z",
    },
    {"aggrPeriodDuration": "P1D", "timerel": "after", "timeAt": "2026-03-31T00:00:00Z"},
    {"timerel": "before", "timeAt": f"{OLD_DAY}T03:00:00Z"},
]


def assert_same(before: Any, after: Any) -> None:
    """Equal JSON, floats within rounding (sums are added in another order)."""
    if isinstance(before, float) and isinstance(after, float):
        assert math.isclose(before, after, rel_tol=1e-9, abs_tol=1e-9), (before, after)
    elif isinstance(before, dict):
        assert before.keys() == after.keys()
        for key in before:
            assert_same(before[key], after[key])
    elif isinstance(before, list):
        assert len(before) == len(after), (before, after)
        for left, right in zip(before, after, strict=True):
            assert_same(left, right)
    else:
        assert before == after


def values(client: TestClient, entity_id: str, headers: dict[str, str] | None = None) -> list[Any]:
    response = client.get(f"{T}/{entity_id}", params={"attrs": "temperature"}, headers=headers)
    assert response.status_code == 200, response.text
    return [i["value"] for i in response.json().get("temperature", [])]


def test_apply_rolls_up_old_values_and_aggregates_still_answer(
    client: TestClient, store: Store
) -> None:
    seed(client)
    before = [aggregated(client, **q) for q in QUERIES]
    status_before = aggregated(client, attrs="status", aggrPeriodDuration="P1D")
    lamp_before = client.get(f"{T}/{LAMP}").json()
    other_before = client.get(f"{T}/{W1}", headers=OTHER).json()
    store.write(lambda s: policy_set(s, check_policy("", "WeatherObserved", "P30D")))

    dry = retention_apply(store, dry_run=True, now=NOW)
    assert [(o.tenant, o.entity_type, o.entities) for o in dry] == [("", "WeatherObserved", 1)]
    assert (dry[0].rolled_up, dry[0].deleted, dry[0].expired) == (19, 19, 0)
    assert values(client, W1) == OLD + RECENT  # the dry run changed nothing
    assert store.read(last_run) is None

    done = retention_apply(store, now=NOW)
    assert (done[0].rolled_up, done[0].deleted, done[0].expired) == (19, 19, 0)
    assert values(client, W1) == RECENT  # old raw values gone, recent ones intact
    assert store.read(last_run) == NOW
    for query, expected in zip(QUERIES, before, strict=True):
        assert_same(expected, aggregated(client, **query))
    # a text attribute whose instances are all old: still counted
    assert_same(status_before, aggregated(client, attrs="status", aggrPeriodDuration="P1D"))
    assert status_before["status"]["totalCount"][0][0] == 3
    # other types (no policy) and other tenants: untouched
    assert client.get(f"{T}/{LAMP}").json() == lamp_before
    assert client.get(f"{T}/{W1}", headers=OTHER).json() == other_before

    again = retention_apply(store, now=NOW)  # idempotent
    assert (again[0].rolled_up, again[0].deleted, again[0].expired) == (0, 0, 0)
    for query, expected in zip(QUERIES, before, strict=True):
        assert_same(expected, aggregated(client, **query))


def test_distinct_count_is_null_where_rolled_up(client: TestClient, store: Store) -> None:
    seed(client)
    store.write(lambda s: policy_set(s, check_policy("*", "*", "P30D")))
    retention_apply(store, now=NOW)
    body = client.get(
        f"{T}/{W1}",
        params={
            "options": "aggregatedValues",
            "aggrMethods": "distinctCount,totalCount",
            "aggrPeriodDuration": "P1D",
            "attrs": "temperature",
        },
    ).json()["temperature"]
    assert [row[0] for row in body["distinctCount"]] == [None, 2]
    assert [row[0] for row in body["totalCount"]] == [len(OLD), 2]
    # '*' for all tenants covered the other tenant and the other type too
    assert values(client, LAMP) == RECENT
    assert values(client, W1, OTHER) == RECENT


def test_late_values_merge_into_existing_rollups(client: TestClient, store: Store) -> None:
    seed(client)
    store.write(lambda s: policy_set(s, check_policy("", "WeatherObserved", "P30D")))
    retention_apply(store, now=NOW)
    late = {
        "temperature": [{"type": "Property", "value": 100.0, "observedAt": f"{OLD_DAY}T00:20:00Z"}]
    }
    assert client.post(f"{T}/{W1}/attrs", json=late).status_code == 204
    retention_apply(store, now=NOW)
    first_hour = aggregated(client, aggrPeriodDuration="PT1H")["temperature"]
    assert first_hour["totalCount"][0][0] == 5
    assert first_hour["max"][0][0] == 100.0
    assert first_hour["avg"][0][0] == pytest.approx((10.0 + 12.5 + 11.0 + 15.0 + 100.0) / 5)


def test_hourly_expiry_leaves_daily_rollups(client: TestClient, store: Store) -> None:
    seed(client)
    daily_before = aggregated(client, aggrPeriodDuration="P1D")
    policy = check_policy("", "WeatherObserved", "P30D", hourly="P40D", daily="forever")
    store.write(lambda s: policy_set(s, policy))
    # at NOW the old day is older than the hourly retention: only its daily rollup is made
    done = retention_apply(store, now=NOW)
    assert (done[0].rolled_up, done[0].deleted) == (19, 19)
    assert_same(daily_before, aggregated(client, aggrPeriodDuration="P1D"))
    hourly = aggregated(client, aggrPeriodDuration="PT1H")["temperature"]
    assert hourly["totalCount"][0][0] == len(OLD)  # the day in the period of its first value
    rows = store.read(
        lambda s: s.x("SELECT period, COUNT(*) FROM attr_rollups GROUP BY period").fetchall()
    )
    assert [tuple(r) for r in rows] == [("day", 2)]


def test_hourly_rollups_expire_later(client: TestClient, store: Store) -> None:
    seed(client)
    policy = check_policy("", "WeatherObserved", "P30D", hourly="P90D", daily="forever")
    store.write(lambda s: policy_set(s, policy))
    retention_apply(store, now=NOW)
    count = "SELECT COUNT(*) FROM attr_rollups WHERE period = ?"
    assert store.read(lambda s: s.x(count, ("hour",)).fetchone()[0]) == 4 + 3
    # 40 days later: the hourly rollups of the old day are older than P90D, and the recent
    # day's raw values are rolled up in turn (its hourly rollup kept)
    later = NOW + 40 * 86_400_000
    daily_before = aggregated(client, aggrPeriodDuration="P1D")
    expired = retention_apply(store, now=later)
    assert (expired[0].expired, expired[0].rolled_up) == (7, 2)
    assert store.read(lambda s: s.x(count, ("hour",)).fetchone()[0]) == 1
    assert_same(daily_before, aggregated(client, aggrPeriodDuration="P1D"))
    assert values(client, W1) == []


def test_no_hourly_rollups_means_plain_deletion(client: TestClient, store: Store) -> None:
    seed(client)
    store.write(lambda s: policy_set(s, check_policy("", "Streetlight", "P30D", hourly="none")))
    done = retention_apply(store, now=NOW)
    assert (done[0].rolled_up, done[0].deleted) == (0, 19)
    assert values(client, LAMP) == RECENT
    assert aggregated(client, LAMP, aggrPeriodDuration="P1D")["temperature"]["totalCount"] == [
        [2, f"{RECENT_DAY}T00:00:00.000Z", "2026-05-21T00:00:00.000Z"]
    ]
    assert values(client, W1) == OLD + RECENT


def test_big_history_is_applied_in_batches(client: TestClient, store: Store) -> None:
    count = BATCH + 150
    many = [
        {"type": "Property", "value": float(i), "observedAt": f"2026-03-01T00:00:{i % 60:02d}Z"}
        for i in range(count)
    ]
    client.post(T, json={"id": W1, "type": "WeatherObserved", "temperature": many})
    store.write(lambda s: policy_set(s, check_policy("", "WeatherObserved", "P30D")))
    done = retention_apply(store, now=NOW)
    assert (done[0].rolled_up, done[0].deleted) == (count, count)
    total = aggregated(client, aggrPeriodDuration="PT1H")["temperature"]
    assert total["totalCount"][0][0] == count
    assert total["sum"][0][0] == pytest.approx(sum(range(count)))


def test_policy_resolution_and_bad_input(store: Store, client: TestClient) -> None:
    seed(client)
    for bad, message in (
        (("", "WeatherObserved", "2Y"), "raw: '2Y' is not an ISO 8601 duration"),
        (("", "WeatherObserved", "P0D"), "raw: 'P0D' is zero"),
        (("", "WeatherObserved", "none"), "raw: 'none' is not"),
        (("", "WeatherObserved", "P1Y", "P30D"), "hourly: P30D is shorter than raw P1Y"),
        (("", "WeatherObserved", "P1Y", "soon"), "hourly: 'soon'"),
        (("bad tenant", "WeatherObserved", "P1Y"), "tenant 'bad tenant'"),
        (("", "Weather Observed", "P1Y"), "entity type 'Weather Observed'"),
    ):
        with pytest.raises(NgsiError) as error:
            check_policy(*bad)
        assert message in error.value.detail
    with pytest.raises(NgsiError) as error:
        store.write(lambda s: policy_set(s, check_policy("nowhere", "WeatherObserved", "P1Y")))
    assert error.value.detail == "tenant 'nowhere' does not exist"
    with pytest.raises(NgsiError):
        store.write(lambda s: policy_delete(s, "", "WeatherObserved"))
    assert store.read(policy_list) == []

    store.write(lambda s: policy_set(s, check_policy("*", "*", "P2Y")))
    store.write(lambda s: policy_set(s, check_policy("schwerte", "*", "P1Y")))
    store.write(lambda s: policy_set(s, check_policy("schwerte", "WeatherObserved", "forever")))
    assert store.write(
        lambda s: policy_set(s, check_policy("schwerte", "Streetlight", "P30D", daily="P5Y"))
    ) and not store.write(lambda s: policy_set(s, check_policy("schwerte", "Streetlight", "P90D")))
    policies = store.read(policy_list)
    assert [(p.tenant, p.entity_type, p.raw) for p in policies] == [
        ("*", "*", "P2Y"),
        ("schwerte", "*", "P1Y"),
        ("schwerte", "Streetlight", "P90D"),
        ("schwerte", "WeatherObserved", "forever"),
    ]
    iri = "https://uri.etsi.org/ngsi-ld/default-context/"

    def raw(tenant: str, *types: str) -> str | None:
        found = resolve(policies, tenant, list(types))
        return None if found is None else found.raw

    assert raw("schwerte", iri + "WeatherObserved") == "forever"
    assert raw("schwerte", iri + "Parking") == "P1Y"
    assert raw("dortmund", iri + "Parking") == "P2Y"
    # several types: the policy that keeps raw values longest
    assert raw("schwerte", iri + "Streetlight", iri + "WeatherObserved") == "forever"
    # raw kept forever: nothing of the other tenant is touched by applying
    outcome = retention_apply(store, tenant="schwerte", now=NOW)
    assert [(o.entity_type, o.deleted) for o in outcome] == [("WeatherObserved", 0)]
    assert values(client, W1, OTHER) == OLD + RECENT


def test_deleting_history_deletes_its_rollups(client: TestClient, store: Store) -> None:
    seed(client)
    store.write(lambda s: policy_set(s, check_policy("", "*", "P30D")))
    retention_apply(store, now=NOW)
    assert client.delete(f"{T}/{LAMP}/attrs/status").status_code == 204
    assert client.delete(f"{T}/{W1}").status_code == 204
    left = store.read(lambda s: s.x("SELECT DISTINCT entity_id, attr FROM attr_rollups").fetchall())
    assert [tuple(r) for r in left] == [(LAMP, TEMPERATURE)]


def test_the_worker_claims_one_run_per_interval(store: Store) -> None:
    day = 86_400_000
    assert retention_claim(store, day, now=NOW)
    assert not retention_claim(store, day, now=NOW + day - 1)  # a restart the same day
    assert retention_claim(store, day, now=NOW + day)
    assert store.read(last_run) == NOW + day


def test_concurrent_runs_count_every_instance_once(client: TestClient, store: Store) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from dos.broker.store.postgres import PostgresStore
    from dos.broker.store.sqlite import SqliteStore

    count = 2 * BATCH + 300
    many = [
        {"type": "Property", "value": float(i % 97), "observedAt": f"2026-03-01T0{i % 3}:00:00Z"}
        for i in range(count)
    ]
    client.post(T, json={"id": W1, "type": "WeatherObserved", "temperature": many})
    store.write(lambda s: policy_set(s, check_policy("", "WeatherObserved", "P30D")))
    other: Store
    if isinstance(store, SqliteStore):
        other = SqliteStore(store.path)
    else:
        assert isinstance(store, PostgresStore)
        other = PostgresStore(store.url, schema=store.schema)
    try:
        with ThreadPoolExecutor(2) as pool:
            runs = [pool.submit(retention_apply, s, now=NOW) for s in (store, other)]
            outcomes = [run.result()[0] for run in runs]
    finally:
        other.close()
    assert sum(o.deleted for o in outcomes) == sum(o.rolled_up for o in outcomes) == count
    body = aggregated(client, aggrPeriodDuration="P1D")["temperature"]
    assert body["totalCount"][0][0] == count
    assert body["sum"][0][0] == pytest.approx(sum(float(i % 97) for i in range(count)))
