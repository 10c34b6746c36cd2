"""MQTT southbound: measures on ``/<apikey>/<device_id>/attrs`` (JSON), QoS 1.

The consumer subscribes with MQTT 5 shared subscriptions (``$share/dos//+/+/attrs`` and
``$share/dos/+/+/attrs``), so several DOS nodes share the load. Messages are stored in
batches: all that arrived while the previous batch was being written go into one transaction
(:func:`ingest_many`), one batch after the other, so the messages of a device are stored in
the order they arrived (its entity ends with its latest measure, also when a backlog is
delivered at once after a restart). The MQTT broker may have up to :data:`RECEIVE_MAXIMUM`
unacknowledged messages in flight to us. A message is acknowledged only after its batch is
committed, on the connection it arrived on; a rejected message (unknown key or device, bad
JSON, values out of range) is acknowledged and dropped — it is counted and logged, and the
consumer goes on. A batch whose write fails for another reason (database unreachable) is not
acknowledged and is tried again (0.5 s, doubling up to 30 s; later messages wait behind it); a
consumer that stops meanwhile leaves it to the MQTT broker, which delivers it again at the
next connection (persistent session, ``clean_start`` false). The MQTT client is the lean asyncio one of
:mod:`dos.broker.ingest.mqttclient` (on the event loop, no thread); it reconnects with
exponential backoff (1 s … 60 s).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import socket
import ssl
from typing import Any
from urllib.parse import unquote, urlsplit

import orjson

from dos.broker.ingest.measures import Message, ingest_many, reject
from dos.broker.ingest.mqttclient import MqttClient, Received, Settings
from dos.broker.store import Store
from dos.config import Config

log = logging.getLogger("dos.broker.ingest")
SHARE_GROUP = "dos"
#: FIWARE topics start with "/" (an empty first level); without it is accepted as well
TOPICS = ("/+/+/attrs", "+/+/attrs")
SESSION_EXPIRY = 24 * 3600
KEEPALIVE = 30
#: first and longest pause before a failed write is tried again (seconds)
RETRY = (0.5, 30.0)
#: unacknowledged messages the MQTT broker may send us (MQTT 5 Receive Maximum; without it
#: Mosquitto allows 20, which caps a batch at 20 messages). Several batches' worth: messages
#: keep arriving while a batch is written, so the next one is ready when it commits (with
#: one batch's worth, 2,000, the MQTT broker waited for every commit's acknowledgements)
RECEIVE_MAXIMUM = 10000
#: messages stored in one transaction at most
MAX_BATCH = 2000


def parse_url(url: str) -> dict[str, Any]:
    """``mqtt://user:password@host:1883`` (``mqtts://`` for TLS) as connection settings."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
        raise ValueError(f"DOS_MQTT_URL must look like mqtt://host:1883, not {url!r}")
    tls = parts.scheme == "mqtts"
    return {
        "host": parts.hostname,
        "port": parts.port or (8883 if tls else 1883),
        "username": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "tls": tls,
    }


def client_id_for(config: Config, role: str) -> str:
    """A client id that stays the same across restarts of one installation.

    Stable ids let a restarted consumer resume its MQTT session (unacknowledged messages are
    delivered again); the database in the id keeps two installations on one host apart.
    """
    database = (
        str(config.DATABASE_URL) if config.uses_postgres else str(config.sqlite_path("broker"))
    )
    identity = hashlib.sha256(database.encode()).hexdigest()[:8]
    return f"dos-ingest-{socket.gethostname()}-{identity}-{role}"


def split_topic(topic: str) -> tuple[str, str] | None:
    """(apikey, device_id) of ``/<apikey>/<device_id>/attrs`` (leading slash optional)."""
    parts = topic.lstrip("/").split("/")
    if len(parts) != 3 or parts[2] != "attrs" or not parts[0] or not parts[1]:
        return None
    return parts[0], parts[1]


class MqttIngest:
    """A running MQTT consumer that hands measures to :func:`ingest_many` on ``loop``.

    :meth:`start` and :meth:`stop` may be called from any thread; everything else runs on
    ``loop``.
    """

    def __init__(
        self,
        url: str,
        store: Store,
        loop: asyncio.AbstractEventLoop,
        *,
        client_id: str | None = None,
        group: str | None = None,
    ) -> None:
        self.settings = parse_url(url)
        self.store = store
        self.loop = loop
        self.topics = [f"$share/{group or SHARE_GROUP}/{topic}" for topic in TOPICS]
        self.client_id = client_id or f"dos-ingest-{socket.gethostname()}"
        self.connected = asyncio.Event()
        self.stopped = False
        # (topic, payload, packet id, connection) received and not yet handed to a batch
        self._pending: list[tuple[str, bytes, int, int]] = []
        self._batch: asyncio.Task[None] | None = None
        self.client = MqttClient(
            Settings(
                host=self.settings["host"],
                port=self.settings["port"],
                client_id=self.client_id,
                topics=self.topics,
                username=self.settings["username"],
                password=self.settings["password"],
                tls=ssl.create_default_context() if self.settings["tls"] else None,
                keepalive=KEEPALIVE,
                session_expiry=SESSION_EXPIRY,
                receive_maximum=RECEIVE_MAXIMUM,
            ),
            self._on_messages,
            on_connected=self.connected.set,
            on_disconnected=self.connected.clear,
        )

    def _in_loop(self) -> bool:
        try:
            return asyncio.get_running_loop() is self.loop
        except RuntimeError:
            return False

    def start(self) -> None:
        """Connect in the background (retrying with backoff until the broker answers)."""
        if self._in_loop():
            self.client.start()
        else:
            self.loop.call_soon_threadsafe(self.client.start)
        log.info(
            "MQTT ingestion: %s:%s, topics %s",
            self.settings["host"],
            self.settings["port"],
            ", ".join(self.topics),
        )

    def stop(self) -> None:
        """Disconnect; a batch being written is not acknowledged (nor tried again): the next
        session gets its messages again."""
        self.stopped = True
        if self._in_loop():
            self.client.close()
        elif not self.loop.is_closed():
            done = asyncio.run_coroutine_threadsafe(self._close(), self.loop)
            done.result(10)

    async def _close(self) -> None:
        self.client.close()

    # -- batches (event loop) -----------------------------------------------------------
    def _on_messages(self, received: Received, generation: int) -> None:
        self._pending.extend(
            (topic, payload, packet_id, generation) for topic, payload, packet_id in received
        )
        self._next_batch()

    def _next_batch(self) -> None:
        """Start storing what is pending, unless a batch is being stored (it calls again)."""
        if self._batch is not None or not self._pending or self.stopped:
            return
        batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
        self._batch = asyncio.ensure_future(self._store(batch))
        self._batch.add_done_callback(self._batch_done)

    def _batch_done(self, task: asyncio.Task[None]) -> None:
        self._batch = None
        if not task.cancelled() and task.exception() is not None:
            log.error("an MQTT batch failed", exc_info=task.exception())
        self._next_batch()

    async def _store(self, batch: list[tuple[str, bytes, int, int]]) -> None:
        """Store a batch; acknowledge its messages after the commit (rejected ones too)."""
        messages = [(topic, payload) for topic, payload, _, _ in batch]
        pause = RETRY[0]
        # tried again here: the MQTT broker resends an unacknowledged message only at the
        # next connection, which a healthy connection never has
        while not await self.handle_many(messages):
            if self.stopped:
                return  # not acknowledged: the next session gets them again
            await asyncio.sleep(pause)
            pause = min(pause * 2, RETRY[1])
        by_connection: dict[int, list[int]] = {}
        for _, _, packet_id, generation in batch:
            by_connection.setdefault(generation, []).append(packet_id)
        for generation, packet_ids in by_connection.items():
            self.client.ack(packet_ids, generation)

    async def handle_many(self, messages: list[tuple[str, bytes]]) -> bool:
        """Store messages (topic, payload) in one transaction; True when they may be
        acknowledged (each stored or rejected), False when the transaction failed."""
        valid: list[Message] = []
        for topic, payload in messages:
            key = split_topic(topic)
            if key is None:
                reject("malformed", f"topic {topic} is not /<apikey>/<device_id>/attrs", "")
                continue
            try:
                valid.append((*key, orjson.loads(payload)))
            except orjson.JSONDecodeError as exc:
                reject("malformed", f"the payload is not JSON: {exc}", key[1])
        if not valid:
            return True
        try:
            await ingest_many(self.store, valid)
        except Exception:
            log.exception("%d measure(s) could not be stored; not acknowledged", len(valid))
            return False
        return True

    async def handle(self, topic: str, payload: bytes) -> bool:
        """Store one message; True when it may be acknowledged (stored or rejected)."""
        return await self.handle_many([(topic, payload)])
