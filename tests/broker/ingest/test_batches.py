"""Batches of measures in one transaction: outcomes per message, history, cached bindings."""

from __future__ import annotations

import asyncio
from typing import Any

from dos.broker.ingest import registry
from dos.broker.ingest.measures import Rejected, ingest_many
from dos.broker.store import Store
from tests.broker.ingest.conftest import APIKEY, ENTITY, device, service

SECOND = "urn:ngsi-ld:WeatherObserved:klima-002"


def provision(store: Store) -> None:
    def write(session: Any) -> None:
        registry.service_put(session, "", registry.service_from(service()), create=True)
        for device_id in ("klima-001", "klima-002"):
            registry.device_put(session, "", registry.device_from(device(device_id)), create=True)

    store.write(write)


def history(store: Store, entity_id: str) -> list[Any]:
    def read(session: Any) -> list[Any]:
        rows = session.x(
            "SELECT num FROM attr_history WHERE entity_id = ? AND attr LIKE ? ORDER BY pk",
            (entity_id, "%temperature"),
        ).fetchall()
        return [row[0] for row in rows]

    return store.read(read)


def test_a_batch_stores_every_measure_in_order_and_rejects_only_the_bad_ones(
    store: Store,
) -> None:
    provision(store)
    messages: list[Any] = [
        (APIKEY, "klima-001", {"t": 1.0}),  # creates the entity
        (APIKEY, "klima-002", {"t": 5.0}),
        (APIKEY, "klima-001", {"t": 2.0}),
        (APIKEY, "nobody", {"t": 3.0}),
        (APIKEY, "klima-001", {"h": 250}),  # out of range
        ("no-such-key", "klima-001", {"t": 3.0}),
        (APIKEY, "klima-001", [{"t": 3.0}, {"t": 4.0}]),
        (APIKEY, "klima-002", {"t": 6.0}),
    ]
    outcomes = asyncio.run(ingest_many(store, messages))
    reasons = [o.reason if isinstance(o, Rejected) else o for o in outcomes]
    assert reasons == [
        ENTITY,
        SECOND,
        ENTITY,
        "unknown_device",
        "out_of_range",
        "unknown_apikey",
        ENTITY,
        SECOND,
    ]
    assert history(store, ENTITY) == [1.0, 2.0, 3.0, 4.0]
    assert history(store, SECOND) == [5.0, 6.0]
    doc = store.read(lambda s: s.get("", ENTITY))
    temperature = next(v for k, v in doc["attrs"].items() if k.endswith("temperature"))
    assert temperature[0]["value"] == 4.0
    assert not any(k.endswith("relativeHumidity") for k in doc["attrs"])


def test_a_provisioning_change_of_another_process_reaches_the_cached_bindings(
    store: Store,
) -> None:
    provision(store)
    asyncio.run(ingest_many(store, [(APIKEY, "klima-001", {"t": 1.0})]))
    # another process remaps object_id "t" (its registry.changed() does not reach us)
    changed = device(attributes=[{"object_id": "t", "name": "airTemperature", "type": "Number"}])
    store.write(lambda s: registry.device_put(s, "", registry.device_from(changed), create=False))
    asyncio.run(ingest_many(store, [(APIKEY, "klima-001", {"t": 7.5})]))
    doc = store.read(lambda s: s.get("", ENTITY))
    remapped = next(v for k, v in doc["attrs"].items() if k.endswith("airTemperature"))
    assert remapped[0]["value"] == 7.5
