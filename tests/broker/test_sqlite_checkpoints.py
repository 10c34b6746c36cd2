"""SQLite: WAL checkpoints run on a thread of their own, outside the writers' transactions,
and keep the log bounded under a steady stream of writes; nothing written is lost."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from dos.broker.store import EntityQuery
from dos.broker.store import sqlite as sqlite_engine
from dos.broker.store.sqlite import SqliteStore

T = "https://example.org/T"


def doc(n: int, value: int) -> dict[str, Any]:
    return {
        "id": f"urn:ngsi-ld:T:{n}",
        "type": [T],
        "createdAt": "2026-11-27T10:00:00.000Z",
        "modifiedAt": "2026-11-27T10:00:00.000Z",
        "attrs": {
            "https://example.org/v": [{"type": "Property", "value": value, "padding": "x" * 500}]
        },
    }


def test_checkpoints_keep_the_log_bounded_and_lose_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_engine, "CHECKPOINT_SECONDS", 0.02)
    monkeypatch.setattr(sqlite_engine, "RESTART_FRAMES", 64)
    path = tmp_path / "broker.sqlite3"
    store = SqliteStore(path, synchronous="NORMAL")
    store.migrate()
    wal = path.with_name(path.name + "-wal")
    largest = 0
    stop = threading.Event()

    def watch() -> None:
        nonlocal largest
        while not stop.is_set():
            if wal.exists():
                largest = max(largest, wal.stat().st_size)
            time.sleep(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        store.write(lambda s: [s.insert("", doc(n, 0)) for n in range(200)])
        # the writer's own connection never checkpoints inside a commit
        autocheckpoint = store.write(lambda s: s.x("PRAGMA wal_autocheckpoint").fetchone()[0])
        assert autocheckpoint == 0
        deadline = time.monotonic() + 1.5
        value = 0
        while time.monotonic() < deadline:  # a steady stream of groups of updates
            value += 1
            futures = [
                store.writer.submit(lambda s, n=n, v=value: s.update("", doc(n, v)))
                for n in range(0, 200, 7)
            ]
            for future in futures:
                future.result()
        checkpointer = store._checkpointer
        assert checkpointer is not None and checkpointer.is_alive()
    finally:
        stop.set()
        watcher.join()
        store.close()
    # without checkpoints the log grows by every group (≈ 30 documents of 500+ bytes each);
    # with them it is restarted whenever it reached 64 pages
    page = 4096
    assert largest < 2_000 * page, f"the WAL grew to {largest} bytes"
    assert checkpointer is not None and not checkpointer.is_alive()  # ended with the store
    reopened = SqliteStore(path)
    try:
        docs, total = reopened.read(lambda s: s.query("", EntityQuery(limit=1000, count=True)))
        assert total == 200
        values = {
            d["attrs"]["https://example.org/v"][0]["value"] for d in docs if d["id"].endswith(":0")
        }
        assert values == {value}  # the last update of every document is there
    finally:
        reopened.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_new_connection_waits_for_the_switch_to_wal(tmp_path: Path) -> None:
    """Another process holding the file exclusively (as while it switches a new file to WAL)
    delays a new connection; it does not fail it."""
    path = tmp_path / "broker.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(0.3, lambda: holder.execute("COMMIT"))
    release.start()
    store = SqliteStore(path)
    try:
        began = time.monotonic()
        conn = store.connection()
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert time.monotonic() - began >= 0.2
    finally:
        release.join()
        holder.close()
        store.close()


class _SyncLog:
    """Records what ``os.fdatasync`` was called on: (device, inode) of the file."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, fail: bool = False) -> None:
        self.files: list[tuple[int, int]] = []
        real = sqlite_engine.os.fdatasync

        def fdatasync(fd: int) -> None:
            found = sqlite_engine.os.fstat(fd)
            self.files.append((found.st_dev, found.st_ino))
            if fail:
                raise OSError(5, "Input/output error")
            real(fd)

        monkeypatch.setattr(sqlite_engine.os, "fdatasync", fdatasync)


def _file(path: Path) -> tuple[int, int]:
    found = path.stat()
    return found.st_dev, found.st_ino


def test_full_syncs_the_log_after_the_lock_before_the_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FULL: SQLite itself runs with NORMAL on the writer connection (no fsync while the write
    lock is held); the writer syncs the WAL after releasing the lock file and answers after."""
    synced = _SyncLog(monkeypatch)
    path = tmp_path / "broker.sqlite3"
    wal = path.with_name(path.name + "-wal")
    store = SqliteStore(path, synchronous="FULL")
    store.migrate()
    lock = path.with_name(path.name + "-writelock")
    try:
        level = store.write(lambda s: s.x("PRAGMA synchronous").fetchone()[0])
        assert level == 1  # NORMAL inside SQLite
        synced.files.clear()

        def insert_and_check(s: Any) -> None:
            s.insert("", doc(1, 1))
            assert not synced.files  # not synced inside the transaction

        store.write(insert_and_check)
        # answered only after the sync of the log file
        assert synced.files == [_file(wal)]
        # the lock file was free while syncing: another process could take it meanwhile
        import fcntl
        import os

        fd = os.open(lock, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
        # a log file replaced under the same name (another inode) is opened again
        store._wal_file = (0, 0)
        store.write(lambda s: s.update("", doc(1, 2)))
        assert synced.files[-1] == _file(wal)
        # readers of another connection see the committed value
        reopened = SqliteStore(path)
        try:
            stored = reopened.read(lambda s: s.get("", "urn:ngsi-ld:T:1"))
            assert stored is not None
            assert stored["attrs"]["https://example.org/v"][0]["value"] == 2
        finally:
            reopened.close()
    finally:
        store.close()


def test_normal_does_not_sync_after_each_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced = _SyncLog(monkeypatch)
    store = SqliteStore(tmp_path / "broker.sqlite3", synchronous="NORMAL")
    store.migrate()
    try:
        store.write(lambda s: s.insert("", doc(1, 1)))
        assert synced.files == []
    finally:
        store.close()


def test_a_failed_sync_is_an_error_for_every_write_of_the_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Committed but perhaps not on disk: no caller is told the write is stored."""
    store = SqliteStore(tmp_path / "broker.sqlite3", synchronous="FULL")
    store.migrate()
    try:
        _SyncLog(monkeypatch, fail=True)
        with pytest.raises(OSError, match="could not be synced to disk"):
            store.write(lambda s: s.insert("", doc(1, 1)))
        monkeypatch.undo()
        # the writer goes on: the next write succeeds and both are readable
        store.write(lambda s: s.insert("", doc(2, 1)))
        _, total = store.read(lambda s: s.query("", EntityQuery(limit=10, count=True)))
        assert total == 2
    finally:
        store.close()
