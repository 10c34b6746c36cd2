"""The PostgreSQL engine: the broker's tables live in their own schema (default ``broker``).

Reads use a connection pool; writes go through one writer connection (group commit).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import psycopg
from psycopg_pool import ConnectionPool
from starlette.concurrency import run_in_threadpool

from dos.broker.store.migrations import BACKFILLS, MIGRATIONS, MigrationsPending, pending
from dos.broker.store.session import SqlSession
from dos.broker.store.writer import GroupCommitWriter

T = TypeVar("T")
SCHEMA = "broker"
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class PgSession(SqlSession):
    """:class:`SqlSession` with PostgreSQL placeholders, jsonb and POSIX regular expressions."""

    dialect = "postgresql"
    doc_param = "?::jsonb"
    doc_select = "e.doc::text"

    def sql(self, text: str) -> str:
        return text.replace("?", "%s")

    def many(self, text: str, rows: list[tuple[Any, ...]]) -> None:
        self._written(text)
        if len(rows) == 1:  # one row (a PATCH): no pipeline to enter and leave
            self.conn.execute(self.sql(text), rows[0])
        elif rows:
            with self.conn.cursor() as cursor:
                cursor.executemany(self.sql(text), rows)

    def regex_sql(self, column: str) -> str:
        return f"{column} ~ ?"

    def in_pks(self, column: str, pks: list[int]) -> tuple[str, list[Any]]:
        # one array parameter: the same statement text for any number of pks
        return f"{column} = ANY(?)", [pks]

    def geo_candidates(self, tenant: str, attr: str, box: Any) -> tuple[str, list[Any]]:
        """SELECT of the pks whose bounding box of ``attr`` meets ``box`` (GiST index)."""
        return (
            "SELECT g.pk FROM entity_geo g WHERE box(point(g.minx, g.miny), point(g.maxx, g.maxy))"
            " && box(point(?, ?), point(?, ?)) AND g.tenant = ? AND g.attr = ?",
            [box[0], box[1], box[2], box[3], tenant, attr],
        )


class PostgresStore:
    """Broker storage in one schema of a PostgreSQL database."""

    engine = "postgresql"

    def __init__(self, url: str, *, schema: str = SCHEMA, pool_size: int = 8) -> None:
        if not _SCHEMA_NAME.match(schema):
            raise ValueError(f"invalid PostgreSQL schema name {schema!r}")
        self.url = url.replace("postgres://", "postgresql://", 1)
        self.schema = schema
        self._options = f"-c search_path={schema}"
        self._pool_size = pool_size
        self._pool: ConnectionPool | None = None
        self._admin: psycopg.Connection[Any] | None = None
        self.writer = GroupCommitWriter(self, f"broker-writer-{schema}")

    def _connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.url, autocommit=True, connect_timeout=5, options=self._options)

    def connection(self) -> psycopg.Connection[Any]:
        """A connection for administrative statements (migrations, ping)."""
        if self._admin is None or self._admin.closed:
            self._admin = self._connect()
        return self._admin

    def pool(self) -> ConnectionPool:
        if self._pool is None:
            self._pool = ConnectionPool(
                self.url,
                min_size=1,
                max_size=self._pool_size,
                kwargs={"autocommit": True, "connect_timeout": 5, "options": self._options},
                open=True,
                name=f"broker-{self.schema}",
            )
        return self._pool

    # -- writer backend -----------------------------------------------------------------
    def writer_connect(self) -> psycopg.Connection[Any]:
        return self._connect()

    def writer_session(self, conn: psycopg.Connection[Any]) -> PgSession:
        return PgSession(conn)

    def writer_begin(self, conn: psycopg.Connection[Any]) -> None:
        conn.execute("BEGIN")

    def writer_end(self, conn: psycopg.Connection[Any]) -> None:
        pass  # row locks end with the transaction

    def writer_sync(self, conn: psycopg.Connection[Any]) -> None:
        pass  # COMMIT returned after PostgreSQL flushed its WAL (synchronous_commit)

    def writer_close(self, conn: psycopg.Connection[Any]) -> None:
        conn.close()

    # -- Store --------------------------------------------------------------------------
    def migrate(self) -> list[str]:
        conn = self.connection()
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {self.schema}")
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
                for statement in filter(str.strip, ddl.split(";\n")):
                    conn.execute(statement.encode())
                if name in BACKFILLS:
                    BACKFILLS[name](PgSession(conn))
                conn.execute("INSERT INTO schema_migrations (name) VALUES (%s)", (name,))
            applied.append(name)
        return applied

    def ping(self) -> None:
        conn = self.connection()
        exists = conn.execute(
            "SELECT 1 FROM information_schema.tables "
            "WHERE table_schema = %s AND table_name = 'schema_migrations'",
            (self.schema,),
        ).fetchone()
        applied = (
            {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
            if exists
            else set()
        )
        missing = pending(applied)
        if missing:
            raise MigrationsPending(missing)

    def read(self, fn: Callable[[Any], T]) -> T:
        with self.pool().connection() as conn:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                return fn(PgSession(conn))
            finally:
                conn.execute("ROLLBACK")

    def write(self, fn: Callable[[Any], T]) -> T:
        return self.writer.run(fn)

    async def awrite(self, fn: Callable[[Any], T]) -> T:
        return await self.writer.arun(fn)

    async def aread(self, fn: Callable[[Any], T]) -> T:
        return await run_in_threadpool(self.read, fn)

    def drop_schema(self) -> None:
        """Remove the schema and everything in it (tests give every run its own schema)."""
        self.connection().execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")

    def close(self) -> None:
        self.writer.stop()
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        if self._admin is not None:
            self._admin.close()
            self._admin = None
