"""Entity operations on the internal representation, read back from both engines."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest

from dos.broker import entities as ent
from dos.broker.errors import NgsiError
from dos.broker.store import EntityQuery, Store

T = TypeVar("T")
TYPE = "https://smartdatamodels.org/dataModel.Weather/WeatherObserved"
TEMP = "https://smartdatamodels.org/temperature"
NAME = "https://schema.org/name"
ID = "urn:ngsi-ld:WeatherObserved:1"


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def prop(value: Any, **extra: Any) -> dict[str, Any]:
    return {"type": "Property", "value": value, **extra}


def entity(**attrs: Any) -> dict[str, Any]:
    return {"id": ID, "type": [TYPE], "attrs": {k: [v] for k, v in attrs.items()}}


def get(store: Store, entity_id: str = ID) -> dict[str, Any]:
    return run(ent.entity_retrieve(store, "", entity_id))


def test_create_and_retrieve_with_system_timestamps(store: Store) -> None:
    run(ent.entity_create(store, "", entity(**{TEMP: prop(21.5, unitCode="CEL")})))
    doc = get(store)
    assert doc["type"] == [TYPE]
    instance = doc["attrs"][TEMP][0]
    assert instance["value"] == 21.5 and instance["unitCode"] == "CEL"
    assert doc["createdAt"].endswith("Z") and len(doc["createdAt"]) == 24
    assert instance["createdAt"] == doc["createdAt"]


def test_create_twice_is_already_exists(store: Store) -> None:
    run(ent.entity_create(store, "", entity()))
    with pytest.raises(NgsiError) as info:
        run(ent.entity_create(store, "", entity(**{TEMP: prop(1)})))
    assert info.value.status == 409
    assert TEMP not in get(store)["attrs"]


@pytest.mark.parametrize(
    ("attrs", "fragment"),
    [
        ({TEMP: {"type": "Property"}}, "needs a member 'value'"),
        ({TEMP: {"type": "Relationship", "object": "not a uri"}}, "'object' must be a URI"),
        ({TEMP: {"type": "Thing", "value": 1}}, "unknown attribute type"),
        ({TEMP: {"type": "GeoProperty", "value": {"type": "Point"}}}, "GeoJSON"),
        ({TEMP: {"type": "Property", "value": 1, "datasetId": "x y"}}, "datasetId"),
    ],
)
def test_wrong_attribute_shapes_are_rejected(
    store: Store, attrs: dict[str, Any], fragment: str
) -> None:
    doc = {"id": ID, "type": [TYPE], "attrs": {k: [v] for k, v in attrs.items()}}
    with pytest.raises(NgsiError) as info:
        run(ent.entity_create(store, "", doc))
    assert info.value.status == 400 and fragment in info.value.detail
    with pytest.raises(NgsiError):
        get(store)


def test_invalid_entity_id(store: Store) -> None:
    with pytest.raises(NgsiError, match="is not a URI"):
        run(ent.entity_create(store, "", {"id": "no uri", "type": [TYPE]}))


def test_append_with_and_without_no_overwrite(store: Store) -> None:
    run(ent.entity_create(store, "", entity(**{TEMP: prop(1)})))
    result = run(
        ent.attr_append(store, "", ID, {TEMP: [prop(2)], NAME: [prop("Markt")]}, no_overwrite=True)
    )
    assert result.updated == [NAME] and result.not_updated[0][0] == TEMP
    assert get(store)["attrs"][TEMP][0]["value"] == 1
    run(ent.attr_append(store, "", ID, {TEMP: [prop(3)]}, no_overwrite=False))
    assert get(store)["attrs"][TEMP][0]["value"] == 3
    assert get(store)["attrs"][NAME][0]["value"] == "Markt"


def test_multi_attributes_by_dataset_id(store: Store) -> None:
    run(ent.entity_create(store, "", entity(**{TEMP: prop(1)})))
    run(
        ent.attr_append(
            store, "", ID, {TEMP: [prop(5, datasetId="urn:ds:sensor2")]}, no_overwrite=False
        )
    )
    assert [i.get("datasetId") for i in get(store)["attrs"][TEMP]] == [None, "urn:ds:sensor2"]
    run(ent.attr_delete(store, "", ID, TEMP, dataset_id="urn:ds:sensor2"))
    assert [i["value"] for i in get(store)["attrs"][TEMP]] == [1]
    with pytest.raises(NgsiError, match="no datasetId urn:ds:other"):
        run(ent.attr_delete(store, "", ID, TEMP, dataset_id="urn:ds:other"))
    run(ent.attr_append(store, "", ID, {TEMP: [prop(6, datasetId="urn:ds:3")]}, no_overwrite=False))
    run(ent.attr_delete(store, "", ID, TEMP, delete_all=True))
    assert TEMP not in get(store)["attrs"]


def test_update_attrs_reports_missing(store: Store) -> None:
    run(ent.entity_create(store, "", entity(**{TEMP: prop(1)})))
    created = get(store)["attrs"][TEMP][0]["createdAt"]
    result = run(ent.attrs_update(store, "", ID, {TEMP: [prop(2)], NAME: [prop("x")]}))
    assert result.updated == [TEMP]
    assert result.not_updated[0][0] == NAME
    doc = get(store)
    assert doc["attrs"][TEMP][0]["value"] == 2 and NAME not in doc["attrs"]
    assert doc["attrs"][TEMP][0]["createdAt"] == created


def test_partial_attribute_update_keeps_other_members(store: Store) -> None:
    run(ent.entity_create(store, "", entity(**{TEMP: prop(1, unitCode="CEL")})))
    run(ent.attr_patch(store, "", ID, TEMP, {"value": 9}))
    instance = get(store)["attrs"][TEMP][0]
    assert instance["value"] == 9 and instance["unitCode"] == "CEL"
    with pytest.raises(NgsiError) as info:
        run(ent.attr_patch(store, "", ID, NAME, {"value": 9}))
    assert info.value.status == 404


def test_replace_attribute(store: Store) -> None:
    run(ent.entity_create(store, "", entity(**{TEMP: prop(1, unitCode="CEL")})))
    run(ent.attr_replace(store, "", ID, TEMP, prop(4)))
    instance = get(store)["attrs"][TEMP][0]
    assert instance["value"] == 4 and "unitCode" not in instance


def test_merge_adds_merges_and_deletes_with_null(store: Store) -> None:
    sub = "https://example.org/accuracy"
    run(
        ent.entity_create(store, "", entity(**{TEMP: prop(1, **{sub: prop(0.5)}), NAME: prop("a")}))
    )
    run(
        ent.entity_merge(
            store,
            "",
            {
                "id": ID,
                "type": ["https://example.org/Extra"],
                "attrs": {TEMP: [{"value": 2}], NAME: [prop("urn:ngsi-ld:null")]},
            },
        )
    )
    doc = get(store)
    assert doc["type"] == [TYPE, "https://example.org/Extra"]
    assert doc["attrs"][TEMP][0]["value"] == 2
    assert doc["attrs"][TEMP][0][sub]["value"] == 0.5
    assert NAME not in doc["attrs"]


def test_replace_entity_keeps_creation_time(store: Store) -> None:
    run(ent.entity_create(store, "", entity(**{TEMP: prop(1)})))
    created = get(store)["createdAt"]
    run(ent.entity_replace(store, "", {"id": ID, "type": ["urn:T2"], "attrs": {NAME: [prop("b")]}}))
    doc = get(store)
    assert doc["createdAt"] == created and doc["type"] == ["urn:T2"]
    assert list(doc["attrs"]) == [NAME]


def test_delete_entity(store: Store) -> None:
    run(ent.entity_create(store, "", entity()))
    run(ent.entity_delete(store, "", ID))
    with pytest.raises(NgsiError) as info:
        run(ent.entity_delete(store, "", ID))
    assert info.value.status == 404


def test_batch_one_bad_entity_does_not_affect_the_others(store: Store) -> None:
    items: list[Any] = [
        {"id": f"urn:ngsi-ld:T:{i}", "type": [TYPE], "attrs": {TEMP: [prop(i)]}} for i in range(5)
    ]
    items[2]["attrs"][TEMP] = [{"type": "Property"}]
    run(ent.entity_create(store, "", {"id": "urn:ngsi-ld:T:4", "type": [TYPE]}))
    result = run(ent.batch_create(store, "", items))
    assert result.success == ["urn:ngsi-ld:T:0", "urn:ngsi-ld:T:1", "urn:ngsi-ld:T:3"]
    assert {i for i, _ in result.errors} == {"urn:ngsi-ld:T:2", "urn:ngsi-ld:T:4"}
    _, count = run(ent.entity_query(store, "", EntityQuery(count=True)))
    assert count == 4


def test_batch_upsert_replace_and_update(store: Store) -> None:
    run(ent.entity_create(store, "", entity(**{TEMP: prop(1), NAME: prop("a")})))
    result = run(
        ent.batch_upsert(
            store, "", [entity(**{TEMP: prop(2)}), {"id": "urn:n:1", "type": [TYPE]}], mode="update"
        )
    )
    assert result.created == ["urn:n:1"] and not result.errors
    assert get(store)["attrs"][NAME][0]["value"] == "a"
    assert get(store)["attrs"][TEMP][0]["value"] == 2
    run(ent.batch_upsert(store, "", [entity(**{TEMP: prop(3)})], mode="replace"))
    assert NAME not in get(store)["attrs"]


def test_batch_delete_names_missing_ids(store: Store) -> None:
    run(ent.entity_create(store, "", entity()))
    result = run(ent.batch_delete(store, "", [ID, "urn:missing:1", 5]))
    assert result.success == [ID]
    assert [i for i, _ in result.errors] == ["5", "urn:missing:1"]


def test_unknown_tenant_on_read(store: Store) -> None:
    with pytest.raises(NgsiError) as info:
        run(ent.entity_retrieve(store, "nowhere", ID))
    assert info.value.error_type == "NonexistentTenant"


def test_batch_with_repeated_ids_is_written_one_by_one(store: Store) -> None:
    first = entity(**{TEMP: prop(1)})
    second = entity(**{TEMP: prop(2)})
    result = run(ent.batch_upsert(store, "", [first, second], mode="replace"))
    assert result.success == [ID, ID] and result.created == [ID]
    assert get(store)["attrs"][TEMP][0]["value"] == 2
    created = run(ent.batch_create(store, "", [{"id": "urn:r:1", "type": [TYPE]}] * 2))
    assert created.success == ["urn:r:1"] and created.errors[0][1].status == 409


def test_bulk_upsert_replaces_and_keeps_creation_time(store: Store) -> None:
    run(ent.entity_create(store, "", entity(**{TEMP: prop(1), NAME: prop("a")})))
    created = get(store)["createdAt"]
    items: list[Any] = [entity(**{TEMP: prop(5)}), {"id": "urn:n:2", "type": [TYPE]}]
    result = run(ent.batch_upsert(store, "", items, mode="replace"))
    assert result.created == ["urn:n:2"] and result.success == [ID, "urn:n:2"]
    doc = get(store)
    assert doc["createdAt"] == created and NAME not in doc["attrs"]
    assert doc["attrs"][TEMP][0]["value"] == 5
    _, count = run(ent.entity_query(store, "", EntityQuery(types=[[TYPE]], count=True)))
    assert count == 2
