"""Group commit: one writer thread per store commits queued writes together.

Each write is a function run against a :class:`~dos.broker.store.Session` inside a savepoint of
the group's transaction. A failing function rolls back to its savepoint and fails only its own
caller; the others commit together. Callers are answered only after ``COMMIT`` returned, so an
acknowledged write is durable. Functions may add callbacks to the session's ``after_commit``
list; they run once the group committed (the dispatcher's wake-up on new outbox rows).

Where the engine syncs a commit to disk after releasing its write lock
(:meth:`WriterBackend.writer_sync`), callers are answered only after that sync.

Writes queued from an event loop (:meth:`GroupCommitWriter.arun`) are answered with one
``call_soon_threadsafe`` per group and loop, not one wake-up of the loop per write.
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

    def writer_end(self, conn: Any) -> None:
        """After the group's COMMIT or ROLLBACK (the SQLite engine releases its write lock)."""
        ...

    def writer_sync(self, conn: Any) -> None:
        """After a committed group's :meth:`writer_end`, before its callers are answered: make
        the commit durable where COMMIT itself did not (SQLite syncs its log here, outside
        the write lock); raises OSError when that fails."""
        ...

    def writer_close(self, conn: Any) -> None: ...


#: a write and who waits for it: a thread (concurrent Future) or a task (asyncio Future)
_Waiter = Future[Any] | asyncio.Future[Any]
_Item = tuple[Callable[[Any], Any], _Waiter]
_Outcome = tuple[_Waiter, Any, BaseException | None]


def _start(waiter: _Waiter) -> bool:
    """Mark a write as running; False when its caller gave up (cancelled) before."""
    if isinstance(waiter, Future):
        return waiter.set_running_or_notify_cancel()
    return not waiter.done()


def _settle(answers: list[_Outcome]) -> None:
    """Answer the asyncio futures of one loop (runs in that loop)."""
    for waiter, result, error in answers:
        if waiter.done():  # cancelled meanwhile
            continue
        if error is not None:
            waiter.set_exception(error)
        else:
            waiter.set_result(result)


def _answer(outcomes: list[_Outcome]) -> None:
    """Answer the callers: threads directly, each event loop with one call for all its writes."""
    loops: dict[asyncio.AbstractEventLoop, list[_Outcome]] = {}
    for waiter, result, error in outcomes:
        if isinstance(waiter, Future):
            if waiter.done():
                continue
            if error is not None:
                waiter.set_exception(error)
            else:
                waiter.set_result(result)
        else:
            loops.setdefault(waiter.get_loop(), []).append((waiter, result, error))
    for loop, answers in loops.items():
        try:
            loop.call_soon_threadsafe(_settle, answers)
        except RuntimeError:  # the loop was closed: nobody waits any more
            log.debug("event loop closed before %d write(s) were answered", len(answers))


class GroupCommitWriter:
    """A thread that runs queued write functions in shared transactions."""

    def __init__(self, backend: WriterBackend, name: str) -> None:
        self._backend = backend
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._name = name
        self._stopping = False
        self.groups = 0  # committed transactions, for tests and metrics

    def _put(self, fn: Callable[[Any], Any], waiter: _Waiter) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._queue.put((fn, waiter))

    def submit(self, fn: Callable[[Any], T]) -> Future[T]:
        """Queue ``fn``; the future resolves after the transaction holding it committed."""
        future: Future[T] = Future()
        self._put(fn, future)
        return future

    def run(self, fn: Callable[[Any], T]) -> T:
        return self.submit(fn).result()

    async def arun(self, fn: Callable[[Any], T]) -> T:
        waiter: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._put(fn, waiter)
        return await waiter

    def stop(self) -> None:
        with self._lock:
            thread = self._thread
            if thread is None or not thread.is_alive():
                return
            self._queue.put(None)
        thread.join(timeout=30)
        self._thread = None

    def _drain(self, batch: list[_Item]) -> None:
        """Add the queued writes to ``batch`` (at most MAX_GROUP); a stop request ends the
        thread after this group."""
        while len(batch) < MAX_GROUP and not self._stopping:
            try:
                nxt = self._queue.get_nowait()
            except queue.Empty:
                return
            if nxt is None:
                self._stopping = True
                return
            batch.append(nxt)

    def _run(self) -> None:
        conn: Any = None
        self._stopping = False
        while not self._stopping:
            item = self._queue.get()
            if item is None:
                break
            batch = [item]
            self._drain(batch)
            try:
                if conn is None:
                    conn = self._backend.writer_connect()
            except Exception as exc:
                _answer([(waiter, None, exc) for _, waiter in batch if _start(waiter)])
                continue
            if not self._commit_group(conn, batch):
                self._backend.writer_close(conn)
                conn = None
        if conn is not None:
            self._backend.writer_close(conn)

    def _commit_group(self, conn: Any, batch: list[_Item]) -> bool:
        """Run and commit one group; False when the connection must be reopened."""
        outcomes: list[_Outcome] = []
        started: list[_Waiter] = []
        try:
            self._backend.writer_begin(conn)
            # the writes queued while this one waited for the write lock (another worker
            # process's group) join the group: larger groups under contention, no added wait
            self._drain(batch)
            session = self._backend.writer_session(conn)
            for fn, future in batch:
                if not _start(future):
                    continue
                started.append(future)
                conn.execute("SAVEPOINT w")
                forget = getattr(session, "forget", None)
                if forget is not None:
                    forget()
                try:
                    result = fn(session)
                except Exception as exc:
                    conn.execute("ROLLBACK TO SAVEPOINT w")
                    conn.execute("RELEASE SAVEPOINT w")
                    rolled_back = getattr(session, "rolled_back", None)
                    if rolled_back is not None:
                        rolled_back()
                    outcomes.append((future, None, exc))
                else:
                    conn.execute("RELEASE SAVEPOINT w")
                    outcomes.append((future, result, None))
            conn.execute("COMMIT")
            self._backend.writer_end(conn)
            hooks = list(getattr(session, "after_commit", ()))
        except Exception as exc:
            log.exception("group commit of %d write(s) failed", len(batch))
            try:
                conn.execute("ROLLBACK")
            except Exception:
                log.debug("rollback after a failed group failed too", exc_info=True)
            self._backend.writer_end(conn)
            # every write of the group fails, those not started yet too (unless cancelled)
            ran = {id(waiter) for waiter in started}
            failed = [waiter for _, waiter in batch if id(waiter) in ran or _start(waiter)]
            _answer([(waiter, None, exc) for waiter in failed])
            return False
        self.groups += 1
        try:
            self._backend.writer_sync(conn)
        except OSError as exc:
            # committed and visible, but perhaps not on disk: nobody is told it is stored
            log.exception("syncing a committed group of %d write(s) to disk failed", len(batch))
            error = OSError(f"the write was committed but could not be synced to disk: {exc}")
            outcomes = [(waiter, None, error) for waiter, _, _ in outcomes]
        for hook in dict.fromkeys(hooks):  # each once, in order
            try:
                hook()
            except Exception:
                log.exception("after-commit hook failed")
        _answer(outcomes)
        return True
