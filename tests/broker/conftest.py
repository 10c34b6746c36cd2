"""Fixtures of the broker tests: every test that takes ``store`` runs on both engines.

PostgreSQL tests get a schema of their own (unique per test), so parallel xdist workers never
collide; it is dropped afterwards.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from dos.broker.store import Store
from dos.config import Config, load
from tests.services import postgres_url


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return load({"DOS_DATA_DIR": str(tmp_path)})


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str]:
    """One migrated PostgreSQL schema per test worker, dropped at the end."""
    from dos.broker.store.postgres import PostgresStore

    schema = f"broker_test_{uuid.uuid4().hex[:12]}"
    admin = PostgresStore(postgres_url(), schema=schema)
    admin.migrate()
    try:
        yield schema
    finally:
        admin.drop_schema()
        admin.close()


TABLES = (
    "tenants, entities, entity_types, entity_attrs, entity_geo, contexts, tokens, meta, "
    "temporal_entities, attr_history, subscriptions, outbox, iot_services, iot_devices, "
    "entity_values, retention_policies, attr_rollups, temporal_attrs, attr_hourly"
)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        from dos.broker.store.sqlite import SqliteStore

        sqlite_store = SqliteStore(tmp_path / "broker.sqlite3")
        sqlite_store.migrate()
        yield sqlite_store
        sqlite_store.close()
        return
    from dos.broker.store.postgres import PostgresStore

    schema = request.getfixturevalue("pg_schema")
    pg_store = PostgresStore(postgres_url(), schema=schema)
    conn = pg_store.connection()
    for table in TABLES.split(", "):
        conn.execute(f"DELETE FROM {table}")
    try:
        yield pg_store
    finally:
        pg_store.close()


class TestClient:
    """A synchronous client of an ASGI app (httpx over ASGITransport, loop in a thread).

    Starlette's own TestClient warns about httpx; this one needs nothing beyond httpx.
    """

    __test__ = False

    def __init__(self, app: Any, base_url: str = "http://testserver") -> None:
        self.app = app
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        future = asyncio.run_coroutine_threadsafe(
            self._client.request(method, url, **kwargs), self._loop
        )
        return future.result(timeout=60)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._client.aclose(), self._loop).result()
        resolver = getattr(self.app.state, "resolver", None)
        if resolver is not None:
            asyncio.run_coroutine_threadsafe(resolver.aclose(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def __enter__(self) -> TestClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def broker_client(store: Store, tmp_path: Path, **settings: str) -> TestClient:
    """A client of the broker app on ``store`` with the given DOS_* settings."""
    from dos.broker.app import create_app

    env = {"DOS_DATA_DIR": str(tmp_path), **settings}
    return TestClient(create_app(load(env), store=store))


@pytest.fixture
def client(store: Store, tmp_path: Path) -> Iterator[TestClient]:
    """The broker over HTTP with open writes (access control has its own tests)."""
    with broker_client(store, tmp_path, DOS_BROKER_OPEN_WRITES="true") as test_client:
        yield test_client
