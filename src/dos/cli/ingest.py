"""``dos ingest``: the MQTT ingestion consumer alone (without the HTTP server).

``dos serve`` already consumes measures when DOS_MQTT_URL is set; ``dos ingest`` runs more
consumers (on other hosts too): they share the load through the MQTT 5 shared subscription.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from typing import Any

from dos.cli import CommandError, setup


def register(sub: Any) -> None:
    p = sub.add_parser(
        "ingest",
        help="consume sensor measures from MQTT (DOS_MQTT_URL)",
        description="Subscribe to /<apikey>/<device_id>/attrs on DOS_MQTT_URL and store each "
        "measure as an attribute update. Stops on Ctrl+C or SIGTERM.",
    )
    p.add_argument(
        "--client-id",
        help="MQTT client id (default: dos-ingest-<host>-<database hash>-cli); keep it stable "
        "across restarts so that unacknowledged messages are delivered again",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    cfg = setup.config()
    if not cfg.MQTT_URL:
        raise CommandError("DOS_MQTT_URL is not set: there is no MQTT broker to consume from")
    from dos.broker.store import open_store

    store = open_store(cfg)
    try:
        store.migrate()
    except Exception as exc:
        store.close()
        raise CommandError(setup.describe_db_error(cfg, exc, "broker")) from None
    from dos.broker.ingest.mqtt import client_id_for

    client_id = args.client_id or client_id_for(cfg, "cli")
    from dos.asgi import tune_gc

    tune_gc(cfg.GC_GEN0_THRESHOLD)  # as the servers: a batch builds many short-lived objects
    try:
        asyncio.run(_consume(str(cfg.MQTT_URL), store, client_id, str(cfg.MQTT_GROUP)))
    finally:
        store.close()
    return 0


async def _consume(url: str, store: Any, client_id: str, group: str) -> None:
    from dos.broker.ingest.mqtt import MqttIngest

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        consumer = MqttIngest(url, store, loop, client_id=client_id, group=group)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    consumer.start()
    print(f"dos ingest: consuming {', '.join(consumer.topics)} (Ctrl+C stops)", flush=True)
    try:
        await stop.wait()
    finally:
        consumer.stop()
