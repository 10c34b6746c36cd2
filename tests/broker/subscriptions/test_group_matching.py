"""Subscription matching inside one group commit, on both engines: the writer's session keeps
the tenant's subscriptions for the group, and forgets them when a write of the group changes
them or is rolled back."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import pytest

from dos.broker.entities import operations as ops
from dos.broker.jsonld.resolver import ContextResolver
from dos.broker.store import Session, Store
from dos.broker.subscriptions.model import parse_subscription
from dos.broker.subscriptions.registry import subscription_insert
from tests.broker.subscriptions.conftest import subscription

ENTITY = "urn:ngsi-ld:WeatherObserved:g1"
TYPE = "https://uri.etsi.org/ngsi-ld/default-context/WeatherObserved"
TEMPERATURE = "https://uri.etsi.org/ngsi-ld/default-context/temperature"


def record(sub_id: str) -> dict[str, Any]:
    ctx = asyncio.run(ContextResolver().resolve_request(content_type="application/json"))
    body = subscription("http://127.0.0.1:9/notify", id=sub_id)
    return parse_subscription(body, ctx, moment=ops.now())


def update(session: Session, value: float) -> None:
    attrs = {TEMPERATURE: [{"type": "Property", "value": value}]}
    result = ops.update_attrs(session, "", ENTITY, attrs)
    assert result.updated == [TEMPERATURE]


def outbox(store: Store) -> list[str]:
    rows = store.read(lambda s: s.x("SELECT subscription_id FROM outbox ORDER BY pk").fetchall())
    return [row[0] for row in rows]


def one_group(store: Store, writes: list[Callable[[Session], Any]]) -> list[Future[Any]]:
    """Run ``writes`` in one group: queued while the writer is held by a first write."""
    held, release = threading.Event(), threading.Event()

    def hold(session: Session) -> None:
        held.set()
        release.wait(10)

    first = store.writer.submit(hold)
    assert held.wait(10)
    futures = [store.writer.submit(write) for write in writes]
    groups = store.writer.groups
    release.set()
    first.result(10)
    for future in futures:
        future.exception(10)
    assert store.writer.groups == groups + 2  # the holder's group, then all of ``writes``
    return futures


@pytest.fixture
def entity(store: Store) -> None:
    doc = {
        "id": ENTITY,
        "type": [TYPE],
        "attrs": {TEMPERATURE: [{"type": "Property", "value": 1.0}]},
    }
    store.write(lambda s: ops.create(s, "", doc))


@pytest.mark.usefixtures("entity")
def test_a_subscription_created_in_the_group_matches_the_later_writes(store: Store) -> None:
    sub = record("urn:ngsi-ld:Subscription:g1")
    futures = one_group(
        store,
        [
            lambda s: update(s, 2.0),  # no subscription yet: none matched (and remembered)
            lambda s: subscription_insert(s, "", sub),
            lambda s: update(s, 3.0),
        ],
    )
    assert all(f.exception() is None for f in futures)
    assert outbox(store) == ["urn:ngsi-ld:Subscription:g1"]


@pytest.mark.usefixtures("entity")
def test_a_rolled_back_subscription_matches_nothing(store: Store) -> None:
    sub = record("urn:ngsi-ld:Subscription:g2")

    def create_then_fail(session: Session) -> None:
        subscription_insert(session, "", sub)
        update(session, 2.0)  # matches the new subscription, then all of it is rolled back
        raise RuntimeError("this write fails")

    futures = one_group(store, [create_then_fail, lambda s: update(s, 3.0)])
    assert isinstance(futures[0].exception(), RuntimeError)
    assert futures[1].exception() is None
    assert outbox(store) == []
    assert store.read(lambda s: s.get("", ENTITY))["attrs"][TEMPERATURE][0]["value"] == 3.0
