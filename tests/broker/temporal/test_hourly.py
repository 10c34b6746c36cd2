"""The hourly summaries (attr_hourly) stay exact under every kind of history change, on both
engines: appends (late values, several datasetIds, non-numbers, no observedAt), instance
modification and deletion, deletion of one datasetId's history, retention, entity deletion;
and aggregates read from them equal the same aggregates computed from the raw instances."""

from __future__ import annotations

import math
import random
from typing import Any

from dos.broker.store import Store
from dos.broker.temporal.hourly import HOUR_MS
from dos.broker.temporal.retention import check_policy, policy_set
from dos.broker.temporal.rollup import retention_apply
from dos.broker.temporal.times import from_ms, to_ms
from tests.broker.conftest import TestClient

T = "/ngsi-ld/v1/temporal/entities"
ID = "urn:ngsi-ld:Sensor:h1"
ATTR = "https://uri.etsi.org/ngsi-ld/default-context/temperature"
START = 1777593600000  # 2026-05-01T00:00:00Z
HOURS = 8


def instance(rng: random.Random, hours: int = HOURS) -> dict[str, Any]:
    moment = START + rng.randrange(hours * HOUR_MS // 1000) * 1000
    value: Any = rng.choice([rng.uniform(-20, 40), rng.randint(0, 9), "n/a"])
    out: dict[str, Any] = {"type": "Property", "value": value}
    if rng.random() < 0.9:
        out["observedAt"] = from_ms(moment)
    if rng.random() < 0.3:
        out["datasetId"] = "urn:ngsi-ld:Dataset:b"
    return out


def raw_rows(store: Store, entity_id: str = ID) -> list[tuple[int, float | None]]:
    rows = store.read(
        lambda s: s.x(
            "SELECT observed_ms, num FROM attr_history WHERE tenant = '' AND entity_id = ? "
            "AND attr = ? AND observed_ms IS NOT NULL",
            (entity_id, ATTR),
        ).fetchall()
    )
    return [(int(r[0]), None if r[1] is None else float(r[1])) for r in rows]


def sums(rows: list[tuple[int, float | None]], key: Any) -> dict[int, list[Any]]:
    """Per key of an instant: total, count, sum, min, max, sum of squares."""
    out: dict[int, list[Any]] = {}
    for moment, num in rows:
        found = out.setdefault(key(moment), [0, 0, 0.0, None, None, 0.0])
        found[0] += 1
        if num is not None:
            found[1] += 1
            found[2] += num
            found[3] = num if found[3] is None else min(found[3], num)
            found[4] = num if found[4] is None else max(found[4], num)
            found[5] += num * num
    return out


def close(left: Any, right: Any) -> bool:
    if left is None or right is None:
        return left is right
    return math.isclose(float(left), float(right), rel_tol=1e-9, abs_tol=1e-6)


def assert_summaries_exact(store: Store, entity_id: str = ID) -> None:
    """attr_hourly equals the hourly sums of the raw rows (nothing more, nothing less)."""
    stored = store.read(
        lambda s: s.x(
            "SELECT start_ms, total, num_count, num_sum, num_min, num_max, num_sumsq "
            "FROM attr_hourly WHERE tenant = '' AND entity_id = ? AND attr = ?",
            (entity_id, ATTR),
        ).fetchall()
    )
    got = {int(r[0]): list(r[1:]) for r in stored}
    expected = sums(raw_rows(store, entity_id), lambda ms: ms - ms % HOUR_MS)
    assert got.keys() == expected.keys()
    for hour, values in expected.items():
        assert int(got[hour][0]) == values[0] and int(got[hour][1]) == values[1], hour
        if values[1]:
            assert all(close(a, b) for a, b in zip(got[hour][2:], values[2:], strict=True))


def assert_aggregates_match_raw(client: TestClient, store: Store, **params: str) -> None:
    """The aggregated representation (hour-aligned periods: from the summaries) equals the
    aggregates computed here from the raw rows."""
    period = {"PT1H": HOUR_MS, "PT2H": 2 * HOUR_MS, "P1D": 24 * HOUR_MS}[params["period"]]
    timerel = params.get("timerel")
    low = to_ms(params["timeAt"]) if timerel else None
    high = to_ms(params["endTimeAt"]) if timerel == "between" else None
    query = {
        "options": "aggregatedValues",
        "aggrMethods": "totalCount,sum,avg,min,max,stddev,sumsq",
        "aggrPeriodDuration": params["period"],
        **{k: v for k, v in params.items() if k in ("timerel", "timeAt", "endTimeAt")},
    }
    response = client.get(f"{T}/{ID}", params=query)
    assert response.status_code == 200, response.text
    body = response.json().get("temperature", {})
    rows = [
        (moment, num)
        for moment, num in raw_rows(store)
        if (low is None or moment > low or (timerel == "between" and moment == low))
        and (high is None or moment < high)
    ]
    if not rows:
        assert not body.get("totalCount")
        return
    start = low if low is not None else min(moment for moment, _ in rows)
    expected = sums(rows, lambda ms: (ms - start) // period)
    assert [v[0] for v in body["totalCount"]] == [expected[k][0] for k in sorted(expected)]
    for position, index in enumerate(sorted(expected)):
        _, count, total_sum, low_value, high_value, squares = expected[index]
        assert body["totalCount"][position][1] == from_ms(start + index * period).replace(
            ".000Z", "Z"
        )
        assert close(body["sum"][position][0], total_sum if count else None)
        assert close(body["avg"][position][0], total_sum / count if count else None)
        assert close(body["min"][position][0], low_value)
        assert close(body["max"][position][0], high_value)
        assert close(body["sumsq"][position][0], squares if count else None)


def check(client: TestClient, store: Store) -> None:
    assert_summaries_exact(store)
    for period in ("PT1H", "PT2H", "P1D"):
        assert_aggregates_match_raw(client, store, period=period)
    # a time range with whole hours inside and partial hours at both edges
    window = {
        "timerel": "between",
        "timeAt": from_ms(START + HOUR_MS),
        "endTimeAt": from_ms(START + 5 * HOUR_MS + 1234),
    }
    assert_aggregates_match_raw(client, store, period="PT1H", **window)
    assert_aggregates_match_raw(client, store, period="PT2H", **window)
    # after: an instance exactly at timeAt is left out, the rest of its hour counts
    after = {"timerel": "after", "timeAt": from_ms(START + 2 * HOUR_MS)}
    assert_aggregates_match_raw(client, store, period="PT1H", **after)


def test_summaries_stay_exact_under_random_changes(client: TestClient, store: Store) -> None:
    rng = random.Random(4711)
    first = [instance(rng) for _ in range(150)]
    # one instance on the very first instant: periods start on a whole hour
    first.append({"type": "Property", "value": 1.5, "observedAt": from_ms(START)})
    body = {"id": ID, "type": "Sensor", "temperature": first}
    assert client.post(T, json=body).status_code == 201
    check(client, store)
    for step in range(40):
        action = rng.choice(["append", "append", "modify", "modify", "delete"])
        instances = client.get(f"{T}/{ID}", params={"attrs": "temperature"}).json()
        found = instances.get("temperature", [])
        if action == "append" or len(found) < 5:
            late = [instance(rng) for _ in range(rng.randint(1, 6))]
            response = client.post(f"{T}/{ID}/attrs", json={"temperature": late})
        elif action == "modify":
            target = rng.choice(found[1:])  # the first instance keeps the periods aligned
            change: dict[str, Any] = {"type": "Property", "value": rng.uniform(-5, 5)}
            if rng.random() < 0.5:  # into another hour
                change["observedAt"] = instance(rng).get("observedAt", from_ms(START + 1000))
            response = client.patch(
                f"{T}/{ID}/attrs/temperature/{target['instanceId']}",
                json={"temperature": change},
            )
        else:
            target = rng.choice(found[1:])
            response = client.delete(f"{T}/{ID}/attrs/temperature/{target['instanceId']}")
        assert response.status_code in (201, 204), (step, action, response.text)
        check(client, store)
    # one datasetId's history deleted: the other's summaries remain
    response = client.delete(
        f"{T}/{ID}/attrs/temperature", params={"datasetId": "urn:ngsi-ld:Dataset:b"}
    )
    assert response.status_code == 204
    check(client, store)


def test_retention_and_deletion_keep_summaries_exact(client: TestClient, store: Store) -> None:
    rng = random.Random(815)
    hours = 72
    body = {
        "id": ID,
        "type": "Sensor",
        "temperature": [instance(rng, hours) for _ in range(400)],
    }
    body["temperature"].append({"type": "Property", "value": 2, "observedAt": from_ms(START)})
    assert client.post(T, json=body).status_code == 201
    assert_summaries_exact(store)
    daily = {
        "options": "aggregatedValues",
        "aggrMethods": "totalCount,sum,min,max,sumsq",
        "aggrPeriodDuration": "P1D",
    }
    before = client.get(f"{T}/{ID}", params=daily).json()["temperature"]
    # raw values observed more than 30 hours before the end become rollups and are deleted
    store.write(lambda s: policy_set(s, check_policy("", "Sensor", "PT30H")))
    retention_apply(store, now=START + hours * HOUR_MS)
    assert_summaries_exact(store)
    remaining = raw_rows(store)
    assert remaining and min(m for m, _ in remaining) >= START + 42 * HOUR_MS
    assert len(remaining) < 250
    # rollups of the deleted rows and summaries of the remaining ones: the same aggregates
    after = client.get(f"{T}/{ID}", params=daily).json()["temperature"]
    assert [v[1:] for v in after["totalCount"]] == [v[1:] for v in before["totalCount"]]
    for method in daily["aggrMethods"].split(","):
        assert all(close(a[0], b[0]) for a, b in zip(after[method], before[method], strict=True)), (
            method
        )
    # the whole attribute's history, then the whole entity
    other = {"id": ID, "type": "Sensor", "humidity": [instance(rng) for _ in range(5)]}
    assert client.post(T, json=other).status_code == 204
    assert (
        client.delete(f"{T}/{ID}/attrs/temperature", params={"deleteAll": "true"}).status_code
        == 204
    )
    assert (
        store.read(
            lambda s: s.x("SELECT COUNT(*) FROM attr_hourly WHERE attr = ?", (ATTR,)).fetchone()[0]
        )
        == 0
    )
    assert client.delete(f"{T}/{ID}").status_code == 204
    assert store.read(lambda s: s.x("SELECT COUNT(*) FROM attr_hourly").fetchone()[0]) == 0
