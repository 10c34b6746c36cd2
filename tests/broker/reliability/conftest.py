"""Fixtures of the reliability tests: a real broker process on either engine.

The server runs ``dos serve --only broker`` on SQLite (a data folder of the test) or on a fresh
PostgreSQL database (dropped afterwards); the data stay across :meth:`Server.kill` and
:meth:`Server.start`. These tests take seconds each, so each engine runs in its own test leg
only: SQLite in the default leg, PostgreSQL in the leg with ``DOS_DATABASE_URL`` on PostgreSQL
(``tests/run_legs.py``; the PostgreSQL case also needs DOS_TEST_POSTGRES_URL).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.broker.reliability.server import Server, clean_env
from tests.services import postgres_url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """The DOS_* settings that select the engine of this run."""
    leg = (
        "postgresql" if os.environ.get("DOS_DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    if request.param != leg:
        pytest.skip(f"runs in the {request.param} test leg")
    if request.param == "sqlite":
        yield {}
        return
    base = postgres_url()
    name = f"dos_reliability_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {"DOS_DATABASE_URL": base.rsplit("/", 1)[0] + "/" + name}
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_for(tmp_path: Path, database: dict[str, str], **settings: str) -> Server:
    env = clean_env(
        DOS_DATA_DIR=str(tmp_path / "var"),
        DOS_BROKER_OPEN_WRITES="true",
        DOS_LOG_LEVEL="WARNING",
        **database,
        **settings,
    )
    return Server(env, tmp_path / "server.log")
