"""The group-commit writer: writes queued while the writer waited for its write lock join the
group it then commits (larger groups when worker processes take turns on the lock)."""

from __future__ import annotations

import threading
from typing import Any

from dos.broker.store.writer import GroupCommitWriter


class _Conn:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def execute(self, sql: str) -> None:
        self.statements.append(sql)


class _Backend:
    """A lock that is taken by 'another process' until released by the test."""

    def __init__(self) -> None:
        self.lock_free = threading.Event()
        self.waiting = threading.Event()
        self.conn = _Conn()
        self.syncs = 0

    def writer_connect(self) -> _Conn:
        return self.conn

    def writer_session(self, conn: _Conn) -> Any:
        return conn

    def writer_begin(self, conn: _Conn) -> None:
        self.waiting.set()
        assert self.lock_free.wait(10)
        conn.execute("BEGIN")

    def writer_end(self, conn: _Conn) -> None:
        pass

    def writer_sync(self, conn: _Conn) -> None:
        self.syncs += 1

    def writer_close(self, conn: _Conn) -> None:
        pass


def test_writes_queued_during_the_lock_wait_join_the_group() -> None:
    backend = _Backend()
    writer = GroupCommitWriter(backend, "test-writer")
    try:
        first = writer.submit(lambda s: "first")
        assert backend.waiting.wait(10)  # the writer waits for the lock with one write
        later = [writer.submit(lambda s, n=n: n) for n in range(5)]
        backend.lock_free.set()
        assert first.result(10) == "first"
        assert [f.result(10) for f in later] == list(range(5))
        assert writer.groups == 1  # one transaction for all six
        assert backend.conn.statements.count("COMMIT") == 1
        assert backend.syncs == 1
    finally:
        writer.stop()


def test_a_stop_request_queued_during_the_lock_wait_ends_after_the_group() -> None:
    backend = _Backend()
    writer = GroupCommitWriter(backend, "test-writer")
    first = writer.submit(lambda s: 1)
    assert backend.waiting.wait(10)
    second = writer.submit(lambda s: 2)
    stopper = threading.Thread(target=writer.stop)
    stopper.start()
    backend.lock_free.set()
    stopper.join(10)
    assert not stopper.is_alive()
    assert (first.result(10), second.result(10)) == (1, 2)
