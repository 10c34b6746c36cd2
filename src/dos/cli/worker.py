"""``dos worker``: background work without serving HTTP — delivers notifications and applies
the retention of the temporal history.

Any number of workers (and ``dos serve`` processes, which deliver too) can share one
PostgreSQL database: outbox rows are claimed with ``FOR UPDATE SKIP LOCKED``. Retention runs
every ``DOS_BROKER_RETENTION_HOURS``; the last run is recorded in the broker database and
claimed in a transaction, so a restarted worker does not run it again early and of several
workers only one runs it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import threading
from typing import Any

from dos.cli import CommandError, setup

log = logging.getLogger("dos.worker")


def register(sub: Any) -> None:
    p = sub.add_parser(
        "worker",
        help="deliver NGSI-LD notifications and apply history retention until stopped",
        description="Run the notification dispatcher of the broker database and apply the "
        "retention policies of the temporal history when due, until SIGINT/SIGTERM.",
    )
    p.add_argument(
        "--once",
        action="store_true",
        help="deliver what is due now (and apply retention if due), wait for it, and exit",
    )
    p.set_defaults(handler=run)


async def _work(once: bool) -> int:
    from dos.broker.jsonld.resolver import ContextResolver
    from dos.broker.store import open_store
    from dos.broker.subscriptions.dispatcher import Dispatcher
    from dos.observability import configure_logging

    cfg = setup.config()
    configure_logging(cfg.LOG_FORMAT, cfg.LOG_LEVEL)  # the worker's lines go to stderr
    store = open_store(cfg)
    try:
        store.ping()
    except Exception as exc:
        store.close()
        raise CommandError(setup.describe_db_error(cfg, exc, "broker")) from None
    resolver = ContextResolver(
        timeout=cfg.BROKER_CONTEXT_TIMEOUT, max_bytes=cfg.BROKER_CONTEXT_MAX_BYTES
    )
    dispatcher = Dispatcher(store, resolver)
    interval_ms = cfg.BROKER_RETENTION_HOURS * 3_600_000
    retention: asyncio.Task[None] | None = None
    stopping = threading.Event()  # ends a retention run between two entities
    woken = asyncio.Event()
    try:
        if once:
            if interval_ms > 0:
                await _retention_if_due(store, interval_ms)
            while await dispatcher.tick():
                await dispatcher.drain()
            await dispatcher.drain()
            return 0
        if interval_ms > 0:
            retention = asyncio.create_task(_retention_loop(store, interval_ms, stopping, woken))
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, lambda: asyncio.ensure_future(dispatcher.stop()))
        log.info("worker started: delivering notifications")
        await dispatcher.run()
        return 0
    finally:
        if retention is not None:  # let a run in progress finish its entity before closing
            stopping.set()
            woken.set()
            await retention
        await dispatcher.stop()
        await resolver.aclose()
        store.close()


async def _retention_if_due(
    store: Any, interval_ms: int, stop: threading.Event | None = None
) -> None:
    """Apply the retention policies if the last run is ``interval_ms`` old (or none)."""
    from dos.broker.temporal.rollup import retention_apply, retention_claim

    if not await asyncio.to_thread(retention_claim, store, interval_ms):
        return
    try:
        outcomes = await asyncio.to_thread(retention_apply, store, stop=stop)
    except Exception:  # a failed run is retried at the next one; delivery goes on
        log.exception("retention: the run failed")
        return
    for o in outcomes:
        log.info(
            "retention: %s %s: rolled up %d, deleted %d instances, %d expired rollups",
            o.tenant or "(default)",
            o.entity_type,
            o.rolled_up,
            o.deleted,
            o.expired,
        )


async def _retention_loop(
    store: Any, interval_ms: int, stop: threading.Event, wake: asyncio.Event
) -> None:
    """Check every few minutes whether retention is due (a run is claimed in the database)
    until ``stop`` is set; ``wake`` ends the wait early."""
    check_s = min(300.0, interval_ms / 1000)
    while not stop.is_set():
        await _retention_if_due(store, interval_ms, stop)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), check_s)


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_work(args.once))
