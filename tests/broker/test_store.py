"""The storage engines: documents, index rows, group commit and isolation of failures."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from dos.broker.store import EntityQuery, Session, Store

T = "https://example.org/T"
U = "https://example.org/U"


def make(entity_id: str, types: list[str], **attrs: Any) -> dict[str, Any]:
    return {
        "id": entity_id,
        "type": types,
        "createdAt": "2026-11-27T10:00:00.000Z",
        "modifiedAt": "2026-11-27T10:00:00.000Z",
        "attrs": {name: [instance] for name, instance in attrs.items()},
    }


def point(x: float, y: float) -> dict[str, Any]:
    return {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [x, y]}}


def test_insert_get_update_delete(store: Store) -> None:
    doc = make("urn:ngsi-ld:T:1", [T], temp={"type": "Property", "value": 21.5})
    store.write(lambda s: s.insert("", doc))
    assert store.read(lambda s: s.get("", "urn:ngsi-ld:T:1")) == doc
    doc2 = {**doc, "attrs": {"temp": [{"type": "Property", "value": 30}]}}
    store.write(lambda s: s.update("", doc2, doc))
    assert store.read(lambda s: s.get("", "urn:ngsi-ld:T:1"))["attrs"]["temp"][0]["value"] == 30
    assert store.write(lambda s: s.delete("", "urn:ngsi-ld:T:1")) is True
    assert store.read(lambda s: s.get("", "urn:ngsi-ld:T:1")) is None
    assert store.write(lambda s: s.delete("", "urn:ngsi-ld:T:1")) is False


def test_tenants_never_see_each_other(store: Store) -> None:
    store.write(lambda s: s.insert("dortmund", make("urn:x:1", [T])))
    store.write(lambda s: s.insert("schwerte", make("urn:x:1", [U])))
    assert store.read(lambda s: s.get("dortmund", "urn:x:1"))["type"] == [T]
    assert store.read(lambda s: s.get("schwerte", "urn:x:1"))["type"] == [U]
    assert store.read(lambda s: s.get("", "urn:x:1")) is None
    docs, count = store.read(lambda s: s.query("dortmund", EntityQuery(count=True)))
    assert count == 1 and docs[0]["type"] == [T]
    assert [t for t, _, _ in store.read(lambda s: s.type_summary("schwerte"))] == [U]
    assert store.read(lambda s: s.tenant_exists("dortmund"))
    assert not store.read(lambda s: s.tenant_exists("hagen"))


def test_query_by_type_dnf_id_pattern_attrs_and_paging(store: Store) -> None:
    def fill(s: Session) -> None:
        for i in range(10):
            types = [T, U] if i % 2 else [T]
            attrs = {"even": {"type": "Property", "value": i}} if i % 2 == 0 else {}
            s.insert("", make(f"urn:e:{i}", types, **attrs))

    store.write(fill)
    docs, count = store.read(lambda s: s.query("", EntityQuery(types=[[T, U]], count=True)))
    assert count == 5 and [d["id"] for d in docs] == [f"urn:e:{i}" for i in (1, 3, 5, 7, 9)]
    docs, _ = store.read(lambda s: s.query("", EntityQuery(types=[[U], [T]], limit=3, offset=2)))
    assert [d["id"] for d in docs] == ["urn:e:2", "urn:e:3", "urn:e:4"]
    docs, count = store.read(
        lambda s: s.query("", EntityQuery(id_pattern=r"urn:e:[0-3]$", attrs=["even"], count=True))
    )
    assert count == 2 and [d["id"] for d in docs] == ["urn:e:0", "urn:e:2"]
    docs, count = store.read(lambda s: s.query("", EntityQuery(ids=["urn:e:4", "urn:e:x"])))
    assert [d["id"] for d in docs] == ["urn:e:4"]
    _, count = store.read(lambda s: s.query("", EntityQuery(limit=0, count=True)))
    assert count == 10


class Near:
    """A minimal geo filter: points within a box (the query module provides the real one)."""

    geoproperty_iri = "loc"

    def __init__(self, box: tuple[float, float, float, float]) -> None:
        self.box = box

    def bbox(self) -> tuple[float, float, float, float]:
        return self.box

    def matches(self, entity: dict[str, Any]) -> bool:
        x, y = entity["attrs"]["loc"][0]["value"]["coordinates"]
        return bool(self.box[0] <= x <= self.box[2] and self.box[1] <= y <= self.box[3])


def test_geo_prefilter_by_bounding_box(store: Store) -> None:
    def fill(s: Session) -> None:
        for i in range(20):
            s.insert("", make(f"urn:p:{i}", [T], loc=point(7.0 + i / 10, 51.0)))

    store.write(fill)
    docs, count = store.read(
        lambda s: s.query("", EntityQuery(geo=Near((7.45, 50.9, 7.75, 51.1)), count=True))
    )
    assert count == 3 and [d["id"] for d in docs] == ["urn:p:5", "urn:p:6", "urn:p:7"]


def test_a_failing_write_fails_alone_in_its_group(store: Store) -> None:
    start = threading.Barrier(8)
    outcomes: dict[int, str] = {}

    def writer(i: int) -> None:
        start.wait()

        def fn(s: Session) -> None:
            s.insert("", make(f"urn:g:{i}", [T]))
            if i == 3:
                raise ValueError("boom")

        try:
            store.write(fn)
            outcomes[i] = "ok"
        except ValueError:
            outcomes[i] = "failed"

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes[3] == "failed"
    assert sorted(i for i, o in outcomes.items() if o == "ok") == [0, 1, 2, 4, 5, 6, 7]
    docs, count = store.read(lambda s: s.query("", EntityQuery(count=True, limit=100)))
    assert count == 7 and "urn:g:3" not in {d["id"] for d in docs}


def test_concurrent_writes_share_transactions(store: Store) -> None:
    before = store.writer.groups  # type: ignore[attr-defined]
    futures = [
        store.writer.submit(lambda s, i=i: s.insert("", make(f"urn:c:{i}", [T])))  # type: ignore[attr-defined]
        for i in range(200)
    ]
    for future in futures:
        future.result()
    groups = store.writer.groups - before  # type: ignore[attr-defined]
    assert groups < 200
    assert store.read(lambda s: s.query("", EntityQuery(limit=0, count=True)))[1] == 200


def test_discovery_summaries(store: Store) -> None:
    store.write(
        lambda s: s.insert(
            "", make("urn:d:1", [T], a={"type": "Relationship", "object": "urn:x"}, loc=point(1, 2))
        )
    )
    store.write(lambda s: s.insert("", make("urn:d:2", [T, U], a={"type": "Property", "value": 1})))
    types = store.read(lambda s: s.type_summary(""))
    assert types == [
        (T, 2, [("a", "Property"), ("a", "Relationship"), ("loc", "GeoProperty")]),
        (U, 1, [("a", "Property")]),
    ]
    attrs = store.read(lambda s: s.attribute_summary(""))
    assert attrs[0] == ("a", 2, ["Property", "Relationship"], [T, U])


def test_migrate_is_idempotent(store: Store) -> None:
    assert store.migrate() == []


@pytest.mark.parametrize("digest", ["abc"])
def test_tokens(store: Store, digest: str) -> None:
    record = {
        "id": "t1",
        "tenant": "dortmund",
        "scope": "write",
        "digest": digest,
        "created_at": "2026-11-27T10:00:00.000Z",
    }
    store.write(lambda s: s.token_add(record))
    assert store.read(lambda s: s.token_by_digest(digest))["tenant"] == "dortmund"
    assert store.write(lambda s: s.token_revoke("t1", "2026-11-27T11:00:00.000Z")) is True
    assert store.read(lambda s: s.token_by_digest(digest))["revoked_at"]


def test_ping_names_pending_migrations(store: Store) -> None:
    store.ping()
    store.write(
        lambda s: s.x("DELETE FROM schema_migrations WHERE name = ?", ("0003_entities_tenant_pk",))
    )  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError, match=r"dos migrate.*0003_entities_tenant_pk"):
        store.ping()
    store.write(
        lambda s: s.x(
            "INSERT INTO schema_migrations (name) VALUES (?)", ("0003_entities_tenant_pk",)
        )
    )  # type: ignore[attr-defined]
    store.ping()


def _temp_history(store: Store) -> list[Any]:
    return store.read(
        lambda s: [
            row[0]
            for row in s.x(
                "SELECT value FROM attr_history WHERE entity_id = ? AND attr = ? ORDER BY pk",
                ("urn:ngsi-ld:T:h", "temp"),
            ).fetchall()
        ]
    )


def test_update_compares_with_the_stored_version(store: Store) -> None:
    """An update right after get() reuses that read; a second update reads the row again."""
    from dos.broker.store.index import signature

    doc = make("urn:ngsi-ld:T:h", [T], temp={"type": "Property", "value": 1})
    store.write(lambda s: s.insert("", doc))

    def twice(s: Session) -> None:
        stored = s.get("", "urn:ngsi-ld:T:h")
        assert stored is not None
        second = {**stored, "attrs": {"temp": [{"type": "Property", "value": 2}]}}
        s.update("", second, signature(stored))
        # same temp, another attribute: no temp history unless compared with a stale version
        third = {
            **second,
            "attrs": {**second["attrs"], "other": [{"type": "Property", "value": 0}]},
        }
        s.update("", third, signature(second))

    store.write(twice)
    assert _temp_history(store) == ["1", "2"]


def test_a_rolled_back_write_leaves_no_remembered_row(store: Store) -> None:
    """Writes of one group share a session: a failed one must not leave its read behind."""
    from dos.broker.store.index import signature

    doc = make("urn:ngsi-ld:T:h", [T], temp={"type": "Property", "value": 1})
    store.write(lambda s: s.insert("", doc))
    gate = threading.Event()
    writer = store.writer  # type: ignore[attr-defined]
    blocker = writer.submit(lambda s: gate.wait(10))

    def failing(s: Session) -> None:
        stored = s.get("", "urn:ngsi-ld:T:h")
        assert stored is not None
        s.update("", {**stored, "attrs": {"temp": [{"type": "Property", "value": 5}]}}, None)
        s.get("", "urn:ngsi-ld:T:h")  # remembers the version with 5 ...
        raise RuntimeError("rolled back")  # ... which never commits

    def blind_update(s: Session) -> None:
        new = {**doc, "attrs": {"temp": [{"type": "Property", "value": 1}]}}
        s.update("", new, signature(doc))  # same value as stored: no history row

    first = writer.submit(failing)
    second = writer.submit(blind_update)
    gate.set()
    blocker.result(timeout=30)
    with pytest.raises(RuntimeError):
        first.result(timeout=30)
    second.result(timeout=30)
    assert _temp_history(store) == ["1"]
