"""Group commit: one writer thread per store commits queued writes together.

Each write is a function run against a :class:`~dos.broker.store.Session` inside a savepoint of
the group's transaction. A failing function rolls back to its savepoint and fails only its own
caller; the others commit together. Callers are answered only after ``COMMIT`` returned, so an
acknowledged write is durable. Functions may add callbacks to the session's ``after_commit``
list; they run once the group committed (the dispatcher's wake-up on new outbox rows).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Protocol, TypeVar

log = logging.getLogger("dos.broker.store")
T = TypeVar("T")
MAX_GROUP = 256


class WriterBackend(Protocol):
    """What the writer thread needs from an engine."""

    def writer_connect(self) -> Any: ...

    def writer_session(self, conn: Any) -> Any: ...

    def writer_begin(self, conn: Any) -> None: ...

    def writer_close(self, conn: Any) -> None: ...


_Item = tuple[Callable[[Any], Any], "Future[Any]"]


class GroupCommitWriter:
    """A thread that runs queued write functions in shared transactions."""

    def __init__(self, backend: WriterBackend, name: str) -> None:
        self._backend = backend
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._name = name
        self.groups = 0  # committed transactions, for tests and metrics

    def submit(self, fn: Callable[[Any], T]) -> Future[T]:
        """Queue ``fn``; the future resolves after the transaction holding it committed."""
        future: Future[T] = Future()
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._queue.put((fn, future))
        return future

    def run(self, fn: Callable[[Any], T]) -> T:
        return self.submit(fn).result()

    async def arun(self, fn: Callable[[Any], T]) -> T:
        return await asyncio.wrap_future(self.submit(fn))

    def stop(self) -> None:
        with self._lock:
            thread = self._thread
            if thread is None or not thread.is_alive():
                return
            self._queue.put(None)
        thread.join(timeout=30)
        self._thread = None

    def _run(self) -> None:
        conn: Any = None
        stop = False
        while not stop:
            item = self._queue.get()
            if item is None:
                break
            batch = [item]
            while len(batch) < MAX_GROUP:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                batch.append(nxt)
            try:
                if conn is None:
                    conn = self._backend.writer_connect()
            except Exception as exc:
                for _, future in batch:
                    if future.set_running_or_notify_cancel():
                        future.set_exception(exc)
                continue
            if not self._commit_group(conn, batch):
                self._backend.writer_close(conn)
                conn = None
        if conn is not None:
            self._backend.writer_close(conn)

    def _commit_group(self, conn: Any, batch: list[_Item]) -> bool:
        """Run and commit one group; False when the connection must be reopened."""
        outcomes: list[tuple[Future[Any], Any, BaseException | None]] = []
        try:
            self._backend.writer_begin(conn)
            session = self._backend.writer_session(conn)
            for fn, future in batch:
                if not future.set_running_or_notify_cancel():
                    continue
                conn.execute("SAVEPOINT w")
                forget = getattr(session, "forget", None)
                if forget is not None:
                    forget()
                try:
                    result = fn(session)
                except Exception as exc:
                    conn.execute("ROLLBACK TO SAVEPOINT w")
                    conn.execute("RELEASE SAVEPOINT w")
                    outcomes.append((future, None, exc))
                else:
                    conn.execute("RELEASE SAVEPOINT w")
                    outcomes.append((future, result, None))
            conn.execute("COMMIT")
            hooks = list(getattr(session, "after_commit", ()))
        except Exception as exc:
            log.exception("group commit of %d write(s) failed", len(batch))
            try:
                conn.execute("ROLLBACK")
            except Exception:
                log.debug("rollback after a failed group failed too", exc_info=True)
            for _, future in batch:
                if future.done():
                    continue
                if future.running() or future.set_running_or_notify_cancel():
                    future.set_exception(exc)
            return False
        self.groups += 1
        for hook in dict.fromkeys(hooks):  # each once, in order
            try:
                hook()
            except Exception:
                log.exception("after-commit hook failed")
        for future, result, error in outcomes:
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)
        return True
