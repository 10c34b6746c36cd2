"""lastN on both engines: per attribute and datasetId, by the time property, checked against
a plain Python reading of all history rows; the key table ``temporal_attrs`` (migration 0009)
that lastN starts from, and the migration that fills it from an existing history."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dos.broker.query.temporal import parse_temporal_query
from dos.broker.store import Store
from dos.broker.store import migrations as schema
from dos.broker.temporal.history import INSERT, append_history, history_row
from dos.broker.temporal.read import TIME_COLUMNS, load_instances_many, temporal_entities
from dos.broker.temporal.times import from_ms
from tests.broker.conftest import TestClient
from tests.services import postgres_url

BASE = "/ngsi-ld/v1"
T = f"{BASE}/temporal/entities"
ID = "urn:ngsi-ld:WeatherObserved:n1"
NS = "https://uri.etsi.org/ngsi-ld/default-context/"
START = 1777593600000  # 2026-05-01T00:00:00Z
MINUTE = 60_000


def at(minute: int) -> str:
    return from_ms(START + minute * MINUTE)


def test_last_n_counts_per_attribute_and_dataset(client: TestClient) -> None:
    body = {
        "id": ID,
        "type": "WeatherObserved",
        "temperature": [
            *({"type": "Property", "value": m, "observedAt": at(m)} for m in (0, 10, 20, 30)),
            *(
                {"type": "Property", "value": 100 + m, "observedAt": at(m), "datasetId": "urn:a"}
                for m in (5, 15, 25)
            ),
        ],
    }
    assert client.post(T, json=body).status_code == 201

    def values(**params: str) -> list[Any]:
        response = client.get(f"{T}/{ID}", params=params)
        assert response.status_code == 200, response.text
        return [i["value"] for i in response.json().get("temperature", [])]

    # the last two of each datasetId, merged in time order
    assert values(lastN="2") == [115, 20, 125, 30]
    assert values(lastN="1", datasetId="urn:a") == [125]
    assert values(lastN="2", datasetId="@none") == [20, 30]
    assert values(lastN="1", timerel="before", timeAt=at(16)) == [10, 115]
    simplified = client.get(f"{T}/{ID}", params={"lastN": "1", "options": "temporalValues"})
    assert sorted(simplified.json()["temperature"], key=lambda o: o.get("datasetId", "")) == [
        {"type": "Property", "values": [[30, at(30).replace(".000Z", "Z")]]},
        {
            "type": "Property",
            "datasetId": "urn:a",
            "values": [[125, at(25).replace(".000Z", "Z")]],
        },
    ]


def _keys(store: Store, entity_id: str) -> list[tuple[str, str]]:
    return store.read(
        lambda s: [
            (row[0].removeprefix(NS), row[1])
            for row in s.x(
                "SELECT attr, dataset_id FROM temporal_attrs WHERE entity_id = ? "
                "ORDER BY attr, dataset_id",
                (entity_id,),
            ).fetchall()
        ]
    )


def test_keys_follow_the_history(client: TestClient, store: Store) -> None:
    """Every write registers its keys; a key whose last instances were deleted one by one
    answers with the older ones. Deleting an attribute's history or the temporal entity
    deletes the rows; the keys of instances the stored entity still has stay (the next write
    of such an instance relies on its key), and the history answers without them."""
    entity = {
        "id": "urn:ngsi-ld:Sensor:k",
        "type": "Sensor",
        "level": {"type": "Property", "value": 1, "observedAt": at(0)},
        "flow": [
            {"type": "Property", "value": 5, "observedAt": at(0)},
            {"type": "Property", "value": 6, "observedAt": at(0), "datasetId": "urn:b"},
        ],
    }
    assert client.post(f"{BASE}/entities", json=entity).status_code == 201
    patch = {"level": {"type": "Property", "value": 2, "observedAt": at(1)}}
    assert client.patch(f"{BASE}/entities/{entity['id']}/attrs", json=patch).status_code == 204
    assert _keys(store, entity["id"]) == [("flow", ""), ("flow", "urn:b"), ("level", "")]
    newest = client.get(f"{T}/{entity['id']}", params={"lastN": "1"}).json()["level"]
    assert [i["value"] for i in newest] == [2]
    gone = client.delete(f"{T}/{entity['id']}/attrs/level/{newest[0]['instanceId']}")
    assert gone.status_code == 204
    level = client.get(f"{T}/{entity['id']}", params={"lastN": "1"}).json()["level"]
    assert [i["value"] for i in level] == [1]
    response = client.delete(f"{T}/{entity['id']}/attrs/flow", params={"datasetId": "urn:b"})
    assert response.status_code == 204
    stored = [("flow", ""), ("flow", "urn:b"), ("level", "")]
    assert _keys(store, entity["id"]) == stored
    flows = client.get(f"{T}/{entity['id']}", params={"lastN": "5"}).json()["flow"]
    assert [i.get("datasetId") for i in flows] == [None]  # urn:b has no history left
    assert client.delete(f"{T}/{entity['id']}/attrs/flow").status_code == 204
    assert "flow" not in client.get(f"{T}/{entity['id']}", params={"lastN": "5"}).json()
    assert client.delete(f"{T}/{entity['id']}").status_code == 204
    assert _keys(store, entity["id"]) == stored
    # the entity itself is still there: its next change is the new history
    patch = {"level": {"type": "Property", "value": 3, "observedAt": at(2)}}
    assert client.patch(f"{BASE}/entities/{entity['id']}/attrs", json=patch).status_code == 204
    level = client.get(f"{T}/{entity['id']}", params={"lastN": "1"}).json()["level"]
    assert [i["value"] for i in level] == [3]


def _random_history(seed: int) -> list[tuple[Any, ...]]:
    """Rows of 6 entities × 2 attributes × up to 3 datasetIds with clashing and missing
    observedAt times, some deletions, written out of time order."""
    rng = random.Random(seed)
    rows = []
    for n in range(6):
        for attr in ("temperature", "humidity"):
            for dataset in rng.sample(["", "urn:d:1", "urn:d:2"], rng.randint(1, 3)):
                for _ in range(rng.randint(0, 9)):
                    instance: dict[str, Any] = {"type": "Property", "value": rng.randint(0, 50)}
                    if dataset:
                        instance["datasetId"] = dataset
                    if rng.random() < 0.8:  # else the instance has no observedAt
                        instance["observedAt"] = at(rng.randint(0, 30))
                    instance["createdAt"] = at(rng.randint(0, 30))
                    deleted = START + 40 * MINUTE if rng.random() < 0.1 else None
                    rows.append(
                        history_row(
                            "",
                            f"urn:ngsi-ld:R:{n}",
                            NS + attr,
                            instance,
                            modified_ms=START + rng.randint(0, 30) * MINUTE,
                            deleted_ms=deleted,
                        )
                    )
    rng.shuffle(rows)
    return rows


def _expected(
    rows: list[tuple[Any, ...]], last_n: int, prop: str, tq: Any
) -> dict[str, dict[str, list[str]]]:
    """lastN in Python: per entity, attribute and datasetId the last N instances by the time
    property (its modifiedAt when the instance lacks it), ties by insertion order."""
    column = {"observedAt": 9, "createdAt": 10, "modifiedAt": 11, "deletedAt": 12}[prop]
    low = high = None
    if tq is not None:
        moment = int(tq.time_at.timestamp() * 1000)
        low, high = (moment, None) if tq.timerel == "after" else (None, moment)
    keyed: dict[tuple[str, str, str], list[tuple[int, int, str]]] = {}
    for pk, row in enumerate(rows):
        if tq is not None:
            value = row[column]
            if value is None or (low is not None and value <= low):
                continue
            if high is not None and value >= high:
                continue
        elif prop == "deletedAt" and row[12] is None:
            continue
        time = row[column] if row[column] is not None else row[11]
        keyed.setdefault((row[1], row[2], row[3]), []).append((time, pk, row[4]))
    merged: dict[str, dict[str, list[tuple[int, int, str]]]] = {}
    for (entity, attr, _), found in keyed.items():
        merged.setdefault(entity, {}).setdefault(attr, []).extend(sorted(found)[-last_n:])
    return {
        entity: {attr: [i for _, _, i in sorted(found)] for attr, found in attrs.items()}
        for entity, attrs in merged.items()
    }


@pytest.mark.parametrize("seed", [1, 2])
def test_last_n_matches_python(store: Store, seed: int) -> None:
    rows = _random_history(seed)

    def write(session: Any) -> None:
        for start in range(0, len(rows), 7):  # several writes: keys registered repeatedly
            append_history(session, rows[start : start + 7])
        for n in range(6):
            session.x(
                "INSERT INTO temporal_entities (tenant, id, types, created_ms, modified_ms) "
                "VALUES ('', ?, '[]', 0, 0)",
                (f"urn:ngsi-ld:R:{n}",),
            )

    store.write(write)
    pk_order = store.read(
        lambda s: [r[0] for r in s.x("SELECT instance_id FROM attr_history ORDER BY pk")]
    )
    assert pk_order == [row[4] for row in rows]
    queries = [
        ("observedAt", None),
        ("observedAt", parse_temporal_query("before", at(20), None, None)),
        ("modifiedAt", parse_temporal_query("after", at(10), None, "modifiedAt")),
        ("createdAt", None),
        ("deletedAt", None),
    ]
    for prop, tq in queries:
        assert prop in TIME_COLUMNS
        for last_n in (1, 3):

            def read(session: Any, last_n: int = last_n, prop: str = prop, tq: Any = tq) -> Any:
                entities = temporal_entities(session, "")
                load_instances_many(
                    session, "", entities, attrs=None, tq=tq, last_n=last_n, limit=1000,
                    timeproperty=prop,
                )  # fmt: skip
                return {
                    e.id: {name: [i.instance_id for i in found] for name, found in e.attrs.items()}
                    for e in entities
                    if e.attrs
                }

            expected = _expected(rows, last_n, prop, tq)
            assert store.read(read) == expected, (prop, tq, last_n)


@pytest.fixture(params=["sqlite", "postgresql"])
def at_0008(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh store with the migrations up to 0008 applied (its history without keys)."""
    if request.param == "sqlite":
        from dos.broker.store.sqlite import SqliteStore

        store: Any = SqliteStore(tmp_path / "broker.sqlite3")
    else:
        from dos.broker.store.postgres import PostgresStore

        store = PostgresStore(postgres_url(), schema=f"broker_m9_{uuid.uuid4().hex[:12]}")
    module = f"dos.broker.store.{'sqlite' if request.param == 'sqlite' else 'postgres'}"
    names = [name for name, _, _ in schema.MIGRATIONS]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            f"{module}.MIGRATIONS", schema.MIGRATIONS[: names.index("0008_history_last") + 1]
        )
        store.migrate()
    try:
        yield store
    finally:
        if request.param == "postgresql":
            store.drop_schema()
        store.close()


def test_migration_0009_registers_the_keys_of_an_existing_history(at_0008: Store) -> None:
    rows = [
        history_row("", "urn:ngsi-ld:M:1", NS + "a", instance, modified_ms=START + m * MINUTE)
        for m, instance in enumerate(
            [
                {"type": "Property", "value": 1, "observedAt": at(1)},
                {"type": "Property", "value": 2, "observedAt": at(2)},
                {"type": "Property", "value": 3, "observedAt": at(0), "datasetId": "urn:x"},
            ]
        )
    ]
    rows.append(history_row("t2", "urn:ngsi-ld:M:2", NS + "b", {"value": 4}, modified_ms=START))

    def write(session: Any) -> None:
        session.many(INSERT, rows)  # as the code before 0009 wrote them: no keys
        session.x(
            "INSERT INTO temporal_entities (tenant, id, types, created_ms, modified_ms) "
            "VALUES ('', 'urn:ngsi-ld:M:1', '[]', 0, 0)"
        )

    at_0008.write(write)
    assert at_0008.migrate() == [
        "0009_temporal_attrs",
        "0010_history_write_indexes",
        "0011_history_hourly",
        "0012_values_without_pk_index",
        "0013_observed_index_partial",
        "0014_history_keys_of_stored_entities",
    ]
    assert at_0008.migrate() == []
    # 0011: the hourly summaries of the existing rows that have an observedAt
    hourly = at_0008.read(lambda s: s.x("SELECT * FROM attr_hourly").fetchall())
    hour = START - START % 3_600_000
    assert [tuple(r) for r in hourly] == [
        ("", "urn:ngsi-ld:M:1", NS + "a", hour, 3, 3, 6.0, 1.0, 3.0, 14.0)
    ]
    keys = at_0008.read(
        lambda s: s.x(
            "SELECT tenant, entity_id, attr, dataset_id FROM temporal_attrs ORDER BY 1, 2, 3, 4"
        ).fetchall()
    )
    assert [tuple(k) for k in keys] == [
        ("", "urn:ngsi-ld:M:1", NS + "a", ""),
        ("", "urn:ngsi-ld:M:1", NS + "a", "urn:x"),
        ("t2", "urn:ngsi-ld:M:2", NS + "b", ""),
    ]
    if at_0008.engine == "sqlite":
        index_sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
    else:
        index_sql = (
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ?"
        )
    indexes = {r[0] for r in at_0008.read(lambda s: s.x(index_sql, ("attr_history",)).fetchall())}
    assert "attr_history_latest" in indexes and "attr_history_last" not in indexes
    # 0010: the createdAt and modifiedAt indexes are gone, the others stay
    assert not indexes & {"attr_history_created", "attr_history_modified"}
    assert {"attr_history_observed", "attr_history_instance"} <= indexes

    def last(session: Any) -> dict[str, list[Any]]:
        entities = temporal_entities(session, "")
        load_instances_many(session, "", entities, attrs=None, tq=None, last_n=1, limit=100)
        return {n: [i.instance["value"] for i in f] for n, f in entities[0].attrs.items()}

    assert at_0008.read(last) == {NS + "a": [3, 2]}
