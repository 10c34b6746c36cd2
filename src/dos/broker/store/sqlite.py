"""The SQLite engine: one file, WAL journal, one writer connection."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from dos.broker.store.migrations import MIGRATIONS


class SqliteStore:
    """Broker storage in an SQLite file of its own."""

    engine = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None

    def connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=5000")
            self._conn = conn
        return self._conn

    def migrate(self) -> list[str]:
        conn = self.connection()
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(name TEXT PRIMARY KEY, applied_at TEXT DEFAULT CURRENT_TIMESTAMP)"
        )
        done = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
        applied = []
        for name, ddl, _ in MIGRATIONS:
            if name in done:
                continue
            conn.execute("BEGIN IMMEDIATE")
            for statement in filter(str.strip, ddl.split(";\n")):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations (name) VALUES (?)", (name,))
            conn.execute("COMMIT")
            applied.append(name)
        return applied

    def ping(self) -> None:
        if not self.path.exists():
            raise RuntimeError(f"broker database {self.path} does not exist (run `dos migrate`)")
        self.connection().execute("SELECT 1").fetchone()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
