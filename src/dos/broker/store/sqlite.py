"""The SQLite engine: one file, WAL journal, one writer thread, one reader per thread."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool

from dos.broker.query.sql import register_sqlite_functions
from dos.broker.store.migrations import BACKFILLS, MIGRATIONS, MigrationsPending, pending
from dos.broker.store.session import SqlSession
from dos.broker.store.writer import GroupCommitWriter

T = TypeVar("T")
#: ``FULL``: an acknowledged commit survives power loss. ``NORMAL`` (WAL): no fsync per commit,
#: only at checkpoints; survives a process crash, may lose the last commits on power loss.
#: (``FULL`` is not SQLite's own: see :meth:`SqliteStore.writer_sync`.)
SYNCHRONOUS_MODES = ("FULL", "NORMAL")
#: page cache of the writer connection (KiB; readers keep the default 2 MiB each)
WRITER_CACHE_KIB = 32 * 1024
#: seconds between two checkpoints of the WAL by the checkpointer thread
CHECKPOINT_SECONDS = 0.25
#: WAL frames (pages) after which the checkpointer restarts the log from its beginning
RESTART_FRAMES = 8192


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _regexp(value: str | None, pattern: str) -> bool:
    return value is not None and _compiled(pattern).search(value) is not None


def _set_wal(conn: sqlite3.Connection, timeout: float = 10.0) -> None:
    """WAL mode. Switching a new file to it needs an exclusive lock: when another process
    opens the same file at that moment, SQLite answers "locked" at once, without its busy
    handler (to avoid a deadlock), so this waits and tries again."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class SqliteStore:
    """Broker storage in an SQLite file of its own."""

    engine = "sqlite"

    def __init__(self, path: Path, *, synchronous: str = "FULL") -> None:
        if synchronous not in SYNCHRONOUS_MODES:
            raise ValueError(f"SQLite synchronous mode must be one of {SYNCHRONOUS_MODES}")
        self.path = path
        self.synchronous = synchronous
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self.writer = GroupCommitWriter(self, f"broker-writer-{path.name}")
        self._write_lock: int | None = None  # fd of the lock file, opened by the writer
        self._checkpointer: threading.Thread | None = None
        self._checkpointer_stop = threading.Event()
        self._wal = path.with_name(path.name + "-wal")
        self._wal_fd: int | None = None  # the log file the writer syncs (FULL)
        self._wal_file: tuple[int, int] | None = None  # its (device, inode)

    def _connect(self, synchronous: str | None = None) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA busy_timeout=10000")
        _set_wal(conn)
        conn.execute(f"PRAGMA synchronous={synchronous or self.synchronous}")
        conn.create_function("ngsi_regexp", 2, _regexp, deterministic=True)
        register_sqlite_functions(conn)  # REGEXP for the q / scopeQ SQL
        with self._lock:
            self._all.append(conn)
        return conn

    def connection(self) -> sqlite3.Connection:
        """This thread's reading connection."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    # -- writer backend -----------------------------------------------------------------
    def writer_connect(self) -> sqlite3.Connection:
        # FULL durability without SQLite's fsync inside COMMIT: see writer_sync
        conn = self._connect("NORMAL")
        # the writer's page cache holds the index pages that writes land on (history rows of
        # every measured attribute go to a few hundred places of their indexes); with
        # SQLite's default of 2 MiB it re-reads them from the OS and a history row costs
        # 1.7× as much (bench_mqtt_ingest); the pages are allocated as used
        conn.execute(f"PRAGMA cache_size=-{WRITER_CACHE_KIB}")
        # WAL checkpoints (copying the log into the database file, with an fsync) run on a
        # thread of their own instead of inside the COMMIT that crosses SQLite's threshold of
        # 1,000 pages: that COMMIT holds the write lock, so every writer of every worker
        # process waited for the checkpoint (about every 125 PATCHes)
        conn.execute("PRAGMA wal_autocheckpoint=0")
        self._start_checkpointer()
        return conn

    def _start_checkpointer(self) -> None:
        if self._checkpointer is not None and self._checkpointer.is_alive():
            return
        self._checkpointer_stop.clear()
        self._checkpointer = threading.Thread(
            target=self._checkpoint_loop, name=f"broker-checkpoint-{self.path.name}", daemon=True
        )
        self._checkpointer.start()

    def _checkpoint_loop(self) -> None:
        """PASSIVE checkpoints copy the log into the database without blocking writers. Under
        a steady stream of writes the log never runs empty, so it would only grow: once it
        holds RESTART_FRAMES pages, a RESTART checkpoint — with the writers' lock file held,
        so writers wait on the lock, not in SQLite's busy handler — copies the little that
        is left and lets the next write start the log from its beginning again."""
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        lock = os.open(
            self.path.with_name(self.path.name + "-writelock"), os.O_RDWR | os.O_CREAT, 0o600
        )
        try:
            conn.execute("PRAGMA busy_timeout=5000")
            while True:
                stopping = self._checkpointer_stop.wait(CHECKPOINT_SECONDS)
                # busy, or the file went away: the next turn tries again
                with contextlib.suppress(sqlite3.Error):
                    row = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    if stopping or (row is not None and row[1] >= RESTART_FRAMES):
                        fcntl.flock(lock, fcntl.LOCK_EX)
                        try:
                            conn.execute("PRAGMA wal_checkpoint(RESTART)").fetchall()
                        finally:
                            fcntl.flock(lock, fcntl.LOCK_UN)
                if stopping:
                    break
        finally:
            os.close(lock)
            conn.close()

    def writer_session(self, conn: sqlite3.Connection) -> SqlSession:
        return SqlSession(conn)

    def writer_begin(self, conn: sqlite3.Connection) -> None:
        # The writers of several processes on one file (``dos serve --workers 2``) take turns
        # on a lock file first: a blocked writer wakes as soon as the other committed, where
        # SQLite's busy handler would poll in sleeps of 1 to 100 ms (and starve one of them).
        if self._write_lock is None:
            self._write_lock = os.open(
                self.path.with_name(self.path.name + "-writelock"), os.O_RDWR | os.O_CREAT, 0o600
            )
        fcntl.flock(self._write_lock, fcntl.LOCK_EX)
        conn.execute("BEGIN IMMEDIATE")

    def writer_end(self, conn: sqlite3.Connection) -> None:
        if self._write_lock is not None:
            fcntl.flock(self._write_lock, fcntl.LOCK_UN)

    def writer_sync(self, conn: sqlite3.Connection) -> None:
        """``FULL``: sync the log after the lock file was released, before the callers are
        answered.

        SQLite's ``synchronous=FULL`` fsyncs the WAL inside COMMIT, while the write lock is
        held, so the writers of the other worker processes wait for the disk too. The writer
        connection runs with ``NORMAL`` instead (SQLite keeps the log consistent: a commit
        is complete or absent after a crash, and the log header is synced when the log is
        reused after a checkpoint) and syncs the log itself here: the answer still waits
        for the disk, the other writers do not, and one sync may cover several groups. A
        log file that is not the one synced before (its inode changed) is opened again; no
        log file means every commit is in the database file, synced by the checkpoint."""
        if self.synchronous != "FULL":
            return
        try:
            found = os.stat(self._wal)
        except FileNotFoundError:
            self._close_wal()
            return
        if self._wal_fd is None or self._wal_file != (found.st_dev, found.st_ino):
            self._close_wal()
            fd = os.open(self._wal, os.O_RDONLY)
            opened = os.fstat(fd)
            self._wal_fd, self._wal_file = fd, (opened.st_dev, opened.st_ino)
        os.fdatasync(self._wal_fd)

    def _close_wal(self) -> None:
        if self._wal_fd is not None:
            os.close(self._wal_fd)
            self._wal_fd = self._wal_file = None

    def writer_close(self, conn: sqlite3.Connection) -> None:
        self._close_wal()
        with self._lock:
            if conn in self._all:
                self._all.remove(conn)
        conn.close()
        if self._write_lock is not None:
            os.close(self._write_lock)
            self._write_lock = None
        if self._checkpointer is not None:  # a last checkpoint, then the thread ends
            self._checkpointer_stop.set()
            self._checkpointer.join(timeout=30)
            self._checkpointer = None

    # -- Store --------------------------------------------------------------------------
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
            try:
                if conn.execute(
                    "SELECT 1 FROM schema_migrations WHERE name = ?", (name,)
                ).fetchone():
                    conn.execute("ROLLBACK")
                    continue
                for statement in filter(str.strip, ddl.split(";\n")):
                    conn.execute(statement)
                if name in BACKFILLS:
                    BACKFILLS[name](SqlSession(conn))
                conn.execute("INSERT INTO schema_migrations (name) VALUES (?)", (name,))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            applied.append(name)
        return applied

    def ping(self) -> None:
        if not self.path.exists():
            raise RuntimeError(f"broker database {self.path} does not exist (run `dos migrate`)")
        conn = self.connection()
        try:
            applied = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
        except sqlite3.OperationalError:
            applied = set()
        missing = pending(applied)
        if missing:
            raise MigrationsPending(missing)

    def read(self, fn: Callable[[Any], T]) -> T:
        conn = self.connection()
        conn.execute("BEGIN")
        try:
            return fn(SqlSession(conn))
        finally:
            conn.execute("COMMIT")

    def write(self, fn: Callable[[Any], T]) -> T:
        return self.writer.run(fn)

    async def awrite(self, fn: Callable[[Any], T]) -> T:
        return await self.writer.arun(fn)

    async def aread(self, fn: Callable[[Any], T]) -> T:
        return await run_in_threadpool(self.read, fn)

    def close(self) -> None:
        self.writer.stop()
        with self._lock:
            connections, self._all = self._all, []
        for conn in connections:
            conn.close()
        self._local = threading.local()
