"""The CLI against the real PostgreSQL and MQTT services of the test legs."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from dos.broker.store.migrations import MIGRATIONS
from tests import services
from tests.cli.conftest import Run


@pytest.fixture
def fresh_database() -> Iterator[str]:
    base = services.postgres_url()
    name = f"dos_cli_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield base.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_migrate_and_check_on_postgresql_use_two_schemas(dos: Run, fresh_database: str) -> None:
    env = {"DOS_DATABASE_URL": fresh_database}
    result = dos("migrate", env=env)
    assert result.returncode == 0, result.stderr
    assert f"broker (postgresql): {len(MIGRATIONS)} migration(s) applied" in result.stdout
    demo = dos("demo", "--days", "0", env=env)
    assert demo.returncode == 0, demo.stderr
    with psycopg.connect(fresh_database) as conn:
        tables = dict(
            conn.execute(
                "SELECT table_name, table_schema FROM information_schema.tables "
                "WHERE table_schema IN ('portal', 'broker')"
            ).fetchall()
        )
        cities = conn.execute("SELECT slug FROM portal.tenancy_city ORDER BY slug").fetchall()
    assert tables["tenancy_city"] == "portal"
    assert tables["schema_migrations"] == "broker"
    assert cities == [("dortmund",), ("schwerte",)]
    check = dos("check", env=env)
    assert check.returncode == 0, check.stdout
    assert re.search(r"^portal database\s+ok\s+postgresql://", check.stdout, re.M)


@pytest.mark.mqtt
def test_check_reaches_the_mqtt_broker(dos: Run) -> None:
    url = services.mqtt_url()
    dos("migrate", "--only", "broker")
    result = dos("check", env={"DOS_MQTT_URL": url})
    assert re.search(r"^mqtt\s+ok\s+mqtt://", result.stdout, re.M), result.stdout
