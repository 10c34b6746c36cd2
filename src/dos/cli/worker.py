"""``dos worker``: background work without serving HTTP — delivers notifications.

Any number of workers (and ``dos serve`` processes, which deliver too) can share one
PostgreSQL database: outbox rows are claimed with ``FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from typing import Any

from dos.cli import CommandError, setup

log = logging.getLogger("dos.worker")


def register(sub: Any) -> None:
    p = sub.add_parser(
        "worker",
        help="deliver NGSI-LD notifications (the outbox) until stopped",
        description="Run the notification dispatcher of the broker database until SIGINT/SIGTERM.",
    )
    p.add_argument(
        "--once",
        action="store_true",
        help="deliver what is due now, wait for it, and exit",
    )
    p.set_defaults(handler=run)


async def _work(once: bool) -> int:
    from dos.broker.jsonld.resolver import ContextResolver
    from dos.broker.store import open_store
    from dos.broker.subscriptions.dispatcher import Dispatcher

    cfg = setup.config()
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
    try:
        if once:
            while await dispatcher.tick():
                await dispatcher.drain()
            await dispatcher.drain()
            return 0
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, lambda: asyncio.ensure_future(dispatcher.stop()))
        log.info("worker started: delivering notifications")
        await dispatcher.run()
        return 0
    finally:
        await dispatcher.stop()
        await resolver.aclose()
        store.close()


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_work(args.once))
