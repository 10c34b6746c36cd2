"""The PostgreSQL engine: the broker's tables live in the schema ``broker``."""

from __future__ import annotations

import psycopg

from dos.broker.store.migrations import MIGRATIONS

SCHEMA = "broker"


class PostgresStore:
    """Broker storage in the ``broker`` schema of a PostgreSQL database."""

    engine = "postgresql"

    def __init__(self, url: str) -> None:
        self.url = url.replace("postgres://", "postgresql://", 1)
        self._conn: psycopg.Connection | None = None

    def connection(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(
                self.url, autocommit=True, connect_timeout=5, options=f"-c search_path={SCHEMA}"
            )
        return self._conn

    def migrate(self) -> list[str]:
        conn = self.connection()
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ DEFAULT now())"
        )
        done = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
        applied = []
        for name, _, ddl in MIGRATIONS:
            if name in done:
                continue
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(4242)")
                if conn.execute(
                    "SELECT 1 FROM schema_migrations WHERE name = %s", (name,)
                ).fetchone():
                    continue
                conn.execute(ddl)
                conn.execute("INSERT INTO schema_migrations (name) VALUES (%s)", (name,))
            applied.append(name)
        return applied

    def ping(self) -> None:
        self.connection().execute("SELECT 1")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
