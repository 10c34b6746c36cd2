"""Fixtures of the subscription tests: a receiver and a dispatcher on the client's loop."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from dos.broker.subscriptions.dispatcher import Dispatcher, Settings
from tests.broker.conftest import TestClient
from tests.broker.subscriptions.receiver import Receiver

FAST = Settings(poll=0.02, lease=5.0, backoff_base=0.05, backoff_cap=0.3, timeout=2.0)


class Running:
    """A dispatcher running on a TestClient's event loop."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.dispatcher = Dispatcher(client.app.state.store, client.app.state.resolver, FAST)
        self.future = asyncio.run_coroutine_threadsafe(self.dispatcher.run(), client._loop)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.dispatcher.stop(), self.client._loop).result(10)
        self.future.result(10)


def run_dispatcher(client: TestClient) -> Running:
    return Running(client)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def dispatcher(client: TestClient) -> Iterator[Running]:
    running = Running(client)
    yield running
    running.stop()


def subscription(uri: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "Subscription",
        "entities": [{"type": "WeatherObserved"}],
        "notification": {"endpoint": {"uri": uri, "accept": "application/json"}},
        **extra,
    }
