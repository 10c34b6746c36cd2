"""History keys (``temporal_attrs``): a write registers the key of an instance only when the
stored version did not have it; migration 0014 registers the keys of every stored entity."""

from __future__ import annotations

from typing import Any

from dos.broker.store import Store
from dos.broker.store.migrations import backfill_history_keys

A = "https://example.org/a"
B = "https://example.org/b"
KEYS = "SELECT tenant, entity_id, attr, dataset_id FROM temporal_attrs ORDER BY 1, 2, 3, 4"


def doc(attrs: dict[str, list[dict[str, Any]]], n: int = 1) -> dict[str, Any]:
    return {
        "id": f"urn:ngsi-ld:T:{n}",
        "type": ["https://example.org/T"],
        "createdAt": "2026-11-27T10:00:00.000Z",
        "modifiedAt": "2026-11-27T10:00:00.000Z",
        "attrs": attrs,
    }


def keys(store: Store) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in store.read(lambda s: s.x(KEYS).fetchall())]


def statements(store: Store, fn: Any) -> list[str]:
    """The SQL texts a write runs (bulk statements only when they have rows)."""
    seen: list[str] = []

    def traced(s: Any) -> None:
        many, x = s.many, s.x
        s.many = lambda text, rows: (rows and seen.append(text), many(text, rows))[1]
        s.x = lambda text, params=(): (seen.append(text), x(text, params))[1]
        try:
            fn(s)
        finally:
            del s.many, s.x

    store.write(traced)
    return seen


def test_keys_of_new_instances_only(store: Store) -> None:
    store.write(lambda s: s.insert("", doc({A: [{"type": "Property", "value": 1}]})))
    assert keys(store) == [("", "urn:ngsi-ld:T:1", A, "")]
    # a changed value of a known instance: no key statement with rows
    changed = doc({A: [{"type": "Property", "value": 2}]})
    texts = statements(store, lambda s: (s.get("", changed["id"]), s.update("", changed)))
    assert not [t for t in texts if "temporal_attrs" in t]
    # a new attribute and a new dataset: their keys are registered
    grown = doc(
        {
            A: [
                {"type": "Property", "value": 3},
                {"type": "Property", "value": 4, "datasetId": "urn:d"},
            ],
            B: [{"type": "Property", "value": 5}],
        }
    )
    store.write(lambda s: (s.get("", grown["id"]), s.update("", grown)))
    assert keys(store) == [
        ("", "urn:ngsi-ld:T:1", A, ""),
        ("", "urn:ngsi-ld:T:1", A, "urn:d"),
        ("", "urn:ngsi-ld:T:1", B, ""),
    ]
    # every change is in the history of its key
    rows = store.read(
        lambda s: s.x("SELECT attr, dataset_id, num FROM attr_history ORDER BY pk").fetchall()
    )
    assert [tuple(r) for r in rows] == [
        (A, "", 1.0),
        (A, "", 2.0),
        (A, "", 3.0),
        (A, "urn:d", 4.0),
        (B, "", 5.0),
    ]


def test_migration_0014_registers_the_keys_of_stored_entities(store: Store) -> None:
    stored = [
        doc(
            {
                A: [{"type": "Property", "value": 1}],
                B: [{"type": "Relationship", "object": "urn:x"}],
            },
            n,
        )
        for n in range(3)
    ]
    stored[2]["attrs"][A].append({"type": "Property", "value": 2, "datasetId": "urn:d"})
    store.write(lambda s: s.insert_many("t", stored))
    expected = keys(store)
    assert len(expected) == 7
    store.write(lambda s: s.x("DELETE FROM temporal_attrs"))  # entities older than their keys
    store.write(backfill_history_keys)
    assert keys(store) == expected
    store.write(backfill_history_keys)  # twice: nothing twice
    assert keys(store) == expected


def test_a_temporal_delete_keeps_the_keys_of_the_stored_entity(store: Store) -> None:
    """DELETE of the temporal entity or of an attribute's history while the entity exists:
    the next change of a kept instance is still found by lastN (through its key)."""
    import asyncio

    from dos.broker.temporal.operations import attr_history_delete, temporal_delete
    from dos.broker.temporal.read import load_instances, temporal_entities

    entity = doc({A: [{"type": "Property", "value": 1}], B: [{"type": "Property", "value": 7}]})
    store.write(lambda s: s.insert("", entity))
    asyncio.run(attr_history_delete(store, "", entity["id"], A, dataset_id=None, delete_all=True))
    assert ("", entity["id"], A, "") in keys(store)
    asyncio.run(temporal_delete(store, "", entity["id"]))
    assert keys(store) == [("", entity["id"], A, ""), ("", entity["id"], B, "")]
    changed = doc({A: [{"type": "Property", "value": 2}], B: [{"type": "Property", "value": 7}]})
    store.write(lambda s: (s.get("", changed["id"]), s.update("", changed)))

    def last(s: Any) -> Any:
        (found,) = temporal_entities(s, "", [entity["id"]])
        load_instances(s, "", found, attrs=None, tq=None, last_n=1, limit=100)
        return {name: [i.instance.get("value") for i in rows] for name, rows in found.attrs.items()}

    assert store.read(last) == {A: [2]}
