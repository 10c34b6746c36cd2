"""MQTT southbound: measures on ``/<apikey>/<device_id>/attrs`` (JSON), QoS 1.

The consumer subscribes with MQTT 5 shared subscriptions (``$share/dos//+/+/attrs`` and
``$share/dos/+/+/attrs``), so several DOS nodes share the load. Messages are stored in
batches: all that arrived while the previous batch was being written go into one transaction
(:func:`ingest_many`), one batch after the other, so the messages of a device are stored in
the order they arrived (its entity ends with its latest measure, also when a backlog is
delivered at once after a restart). The MQTT broker may have up to :data:`RECEIVE_MAXIMUM`
unacknowledged messages in flight to us. A message is acknowledged only after its batch is
committed (``manual_ack``); a rejected message (unknown key or device, bad JSON, values out of
range) is acknowledged and dropped — it is counted and logged, and the consumer goes on. A
batch whose write fails for another reason (database unreachable) is not acknowledged and is
tried again (0.5 s, doubling up to 30 s; later messages wait behind it); a consumer that stops
meanwhile leaves it to the MQTT broker, which delivers it again at the next connection
(persistent session, ``clean_start`` false). paho reconnects with exponential backoff
(1 s … 60 s).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import socket
import ssl
import threading
from typing import Any
from urllib.parse import unquote, urlsplit

import orjson
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from dos.broker.ingest.measures import Message, ingest_many, reject
from dos.broker.store import Store
from dos.config import Config

log = logging.getLogger("dos.broker.ingest")
SHARE_GROUP = "dos"
#: FIWARE topics start with "/" (an empty first level); without it is accepted as well
TOPICS = ("/+/+/attrs", "+/+/attrs")
SESSION_EXPIRY = 24 * 3600
#: first and longest pause before a failed write is tried again (seconds)
RETRY = (0.5, 30.0)
#: unacknowledged messages the MQTT broker may send us (MQTT 5 Receive Maximum); without it
#: Mosquitto allows 20, which caps a batch at 20 messages
RECEIVE_MAXIMUM = 2000
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
    """A running MQTT consumer that hands measures to :func:`ingest` on ``loop``."""

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
        # (topic, payload, mid, qos) received and not yet handed to a batch (paho's thread
        # appends, the event loop takes)
        self._pending: list[tuple[str, bytes, int, int]] = []
        self._lock = threading.Lock()
        self._scheduled = False
        self._batch: asyncio.Task[None] | None = None
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        if self.settings["username"]:
            self.client.username_pw_set(self.settings["username"], self.settings["password"])
        if self.settings["tls"]:
            self.client.tls_set_context(ssl.create_default_context())
        self.client.reconnect_delay_set(min_delay=1, max_delay=60)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message

    def start(self) -> None:
        """Connect in the background (retrying with backoff until the broker answers)."""
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = SESSION_EXPIRY
        properties.ReceiveMaximum = RECEIVE_MAXIMUM
        self.client.connect_async(
            self.settings["host"],
            self.settings["port"],
            keepalive=30,
            clean_start=False,
            properties=properties,
        )
        self.client.loop_start()
        log.info(
            "MQTT ingestion: %s:%s, topics %s",
            self.settings["host"],
            self.settings["port"],
            ", ".join(self.topics),
        )

    def stop(self) -> None:
        self.stopped = True  # failed writes are not tried again: the next session gets them
        self.client.disconnect()
        self.client.loop_stop()

    # -- paho callbacks (paho's network thread) -----------------------------------------
    def _on_connect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any
    ) -> None:
        if reason.is_failure:
            log.warning("MQTT connection refused: %s", reason)
            return
        client.subscribe([(topic, 1) for topic in self.topics])
        self.loop.call_soon_threadsafe(self.connected.set)

    def _on_disconnect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any
    ) -> None:
        self.loop.call_soon_threadsafe(self.connected.clear)
        if reason.is_failure:
            log.warning("MQTT connection lost (%s); reconnecting", reason)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        item = (message.topic, bytes(message.payload), message.mid, message.qos)
        with self._lock:
            self._pending.append(item)
            if self._scheduled:
                return
            self._scheduled = True
        self.loop.call_soon_threadsafe(self._next_batch)

    # -- batches (event loop) -----------------------------------------------------------
    def _next_batch(self) -> None:
        """Start storing what is pending, unless a batch is being stored (it calls again)."""
        if self._batch is not None:
            return
        with self._lock:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            self._scheduled = bool(self._pending)
        if batch:
            self._batch = asyncio.ensure_future(self._store(batch))
            self._batch.add_done_callback(self._batch_done)

    def _batch_done(self, task: asyncio.Task[None]) -> None:
        self._batch = None
        with self._lock:
            more = bool(self._pending)
            self._scheduled = more
        if more:
            self._next_batch()

    async def _store(self, batch: list[tuple[str, bytes, int, int]]) -> None:
        """Store a batch; acknowledge its messages after the commit (rejected ones too)."""
        acks = [(mid, qos) for _, _, mid, qos in batch]
        messages = [(topic, payload) for topic, payload, _, _ in batch]
        pause = RETRY[0]
        # tried again here: the MQTT broker resends an unacknowledged message only at the
        # next connection, which a healthy connection never has
        while not await self.handle_many(messages):
            if self.stopped:
                return  # not acknowledged: the next session gets them again
            await asyncio.sleep(pause)
            pause = min(pause * 2, RETRY[1])
        for mid, qos in acks:
            self.client.ack(mid, qos)

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
