"""Claiming outbox rows keeps the order per subscription across processes: while one process
has claimed a subscription's first rows in a transaction that has not committed yet, another
process claims none of its later rows (they would overtake the first ones)."""

from __future__ import annotations

import threading
from typing import Any

import orjson
import pytest

from dos.broker.jsonld.resolver import ContextResolver
from dos.broker.store import Store
from dos.broker.subscriptions import outbox
from dos.broker.subscriptions.dispatcher import Dispatcher, Settings
from dos.broker.temporal.times import now_ms
from tests.broker.subscriptions.test_notifications import reopen

SUB = "urn:ngsi-ld:Subscription:claim"


def queue_rows(store: Store, count: int) -> None:
    moment = now_ms()

    def write(session: Any) -> None:
        for n in range(count):
            payload = {"id": f"urn:ngsi-ld:Notification:{n}", "entities": [{"id": f"urn:x:{n}"}]}
            session.x(
                outbox.INSERT,
                ("", SUB, "http://127.0.0.1:9/", orjson.dumps(payload).decode(), moment, moment),
            )

    store.write(write)


def claimed_ids(rows: list[Any]) -> list[str]:
    return [row.payload["id"].rsplit(":", 1)[1] for row in rows]


def test_a_claim_in_flight_elsewhere_holds_back_the_later_rows(store: Store) -> None:
    if store.engine != "postgresql":
        pytest.skip("one writer per SQLite database: claims never overlap")
    queue_rows(store, 4)
    settings = Settings(batch=2)
    first = Dispatcher(store, ContextResolver(), settings)
    other_store = reopen(store)
    second = Dispatcher(other_store, ContextResolver(), settings)
    holding, release = threading.Event(), threading.Event()
    got: dict[str, list[str]] = {}

    def claim_and_hold(session: Any) -> None:
        got["first"] = claimed_ids(first._claim(session)[0])
        holding.set()
        release.wait(10)  # the transaction stays open meanwhile

    future = store.writer.submit(claim_and_hold)
    try:
        assert holding.wait(10)
        got["second"] = claimed_ids(other_store.write(second._claim)[0])
    finally:
        release.set()
        future.result(10)
    try:
        assert got["first"] == ["0", "1"]
        assert got["second"] == []  # rows 2 and 3 wait for 0 and 1
        # committed: the leased rows hold the later ones back as usual
        assert claimed_ids(other_store.write(second._claim)[0]) == []
    finally:
        other_store.close()
