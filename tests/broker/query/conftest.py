from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.broker.query.backends import PostgresBackend, SqliteBackend, postgres_backend
from tests.services import postgres_url


@pytest.fixture(scope="module")
def sqlite_backend() -> SqliteBackend:
    return SqliteBackend()


@pytest.fixture(scope="module")
def pg_backend() -> Iterator[PostgresBackend]:
    with postgres_backend(postgres_url()) as backend:
        yield backend


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> Any:
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_backend")
    return request.getfixturevalue("pg_backend")
