"""Fixtures of the broker tests: every test that takes ``store`` runs on both engines.

PostgreSQL tests get a schema of their own (unique per test), so parallel xdist workers never
collide; it is dropped afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from dos.broker.store import Store
from dos.config import Config, load
from tests.services import postgres_url


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return load({"DOS_DATA_DIR": str(tmp_path)})


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

    pg_store = PostgresStore(postgres_url(), schema=f"broker_test_{uuid.uuid4().hex[:12]}")
    pg_store.migrate()
    try:
        yield pg_store
    finally:
        pg_store.drop_schema()
        pg_store.close()
