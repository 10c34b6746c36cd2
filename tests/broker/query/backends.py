"""Run generated ``WHERE`` clauses against real SQLite and PostgreSQL on the same entities."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dos.broker.query import register_sqlite_functions

NS = "https://example.org/ns/"


def expand(term: str) -> str:
    """The test @context: every term lives in one vocabulary."""
    return term if "://" in term or term.startswith("urn:") else NS + term


class SqliteBackend:
    """An in-memory SQLite table ``entities(id, doc)``."""

    dialect = "sqlite"

    def __init__(self) -> None:
        self.conn = sqlite3.connect(":memory:")
        register_sqlite_functions(self.conn)
        self.conn.execute("CREATE TABLE entities (id TEXT PRIMARY KEY, doc TEXT NOT NULL)")

    def load(self, entities: list[dict[str, Any]]) -> None:
        self.conn.execute("DELETE FROM entities")
        self.conn.executemany(
            "INSERT INTO entities (id, doc) VALUES (?, ?)",
            [(e["id"], json.dumps(e)) for e in entities],
        )

    def ids(self, where: str, params: list[Any]) -> set[str]:
        rows = self.conn.execute(f"SELECT id FROM entities WHERE {where}", params)
        return {row[0] for row in rows}


class PostgresBackend:
    """A table ``entities(id, doc jsonb)`` in a throw-away schema."""

    dialect = "postgresql"

    def __init__(self, conn: Any, schema: str) -> None:
        self.conn = conn
        self.schema = schema

    def load(self, entities: list[dict[str, Any]]) -> None:
        from psycopg.types.json import Jsonb

        with self.conn.cursor() as cur:
            cur.execute("DELETE FROM entities")
            cur.executemany(
                "INSERT INTO entities (id, doc) VALUES (%s, %s)",
                [(e["id"], Jsonb(e)) for e in entities],
            )

    def ids(self, where: str, params: list[Any]) -> set[str]:
        with self.conn.cursor() as cur:
            cur.execute(f"SELECT id FROM entities WHERE {where}", params)
            return {row[0] for row in cur.fetchall()}


@contextmanager
def postgres_backend(url: str) -> Iterator[PostgresBackend]:
    import psycopg

    schema = "query_test_" + uuid.uuid4().hex[:12]
    conn = psycopg.connect(url, autocommit=True, connect_timeout=5)
    try:
        conn.execute(f"CREATE SCHEMA {schema}")
        conn.execute(f"SET search_path TO {schema}")
        conn.execute("CREATE TABLE entities (id TEXT PRIMARY KEY, doc JSONB NOT NULL)")
        yield PostgresBackend(conn, schema)
    finally:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.close()
