"""MQTT southbound: measures on ``/<apikey>/<device_id>/attrs`` (JSON), QoS 1.

The consumer subscribes with MQTT 5 shared subscriptions (``$share/dos//+/+/attrs`` and
``$share/dos/+/+/attrs``), so several DOS nodes share the load. A message is acknowledged only
after its update is committed (``manual_ack``), and the messages of one device are stored one
after the other in the order they arrived (so its entity ends with its latest measure, also
when a backlog is delivered at once after a restart); a rejected message (unknown key or
device, bad JSON, values out of range) is acknowledged and dropped — it is counted and logged,
and the consumer goes on. A message whose write fails for another reason (database
unreachable) is not acknowledged and is tried again (0.5 s, doubling up to 30 s; the device's
later messages wait behind it); a consumer that stops meanwhile leaves it to the MQTT broker,
which delivers it again at the next connection (persistent session, ``clean_start`` false).
paho reconnects with exponential backoff (1 s … 60 s).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import socket
import ssl
from concurrent.futures import Future
from typing import Any
from urllib.parse import unquote, urlsplit

import orjson
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from dos.broker.ingest.measures import Rejected, ingest, reject
from dos.broker.store import Store
from dos.config import Config

log = logging.getLogger("dos.broker.ingest")
SHARE_GROUP = "dos"
#: FIWARE topics start with "/" (an empty first level); without it is accepted as well
TOPICS = ("/+/+/attrs", "+/+/attrs")
SESSION_EXPIRY = 24 * 3600
#: first and longest pause before a failed write is tried again (seconds)
RETRY = (0.5, 30.0)


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
        #: the newest message task of each device topic; the next one of that device waits for it
        self._last: dict[str, asyncio.Task[bool]] = {}
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
        future = asyncio.run_coroutine_threadsafe(
            self._in_order(message.topic, bytes(message.payload)), self.loop
        )
        mid, qos = message.mid, message.qos

        def done(result: Future[bool]) -> None:
            if result.cancelled() or result.exception() is not None or not result.result():
                return  # not acknowledged: the next session gets it again
            client.ack(mid, qos)

        future.add_done_callback(done)

    async def _in_order(self, topic: str, payload: bytes) -> bool:
        """:meth:`handle` after the previous message of the same device is done, until stored.

        Tasks start in the order paho received the messages, so each one finds its predecessor
        here before its first ``await`` (concurrent lookups could otherwise reorder the writes).
        A failed write is tried again here: the MQTT broker resends an unacknowledged message
        only at the next connection, which a healthy connection never has.
        """
        key = topic.lstrip("/")
        current = asyncio.current_task()
        assert current is not None
        previous = self._last.get(key)
        self._last[key] = current
        try:
            if previous is not None:
                await asyncio.wait([previous])  # its outcome is its own
            pause = RETRY[0]
            while not (stored := await self.handle(topic, payload)) and not self.stopped:
                await asyncio.sleep(pause)
                pause = min(pause * 2, RETRY[1])
            return stored
        finally:
            if self._last.get(key) is current:
                del self._last[key]

    async def handle(self, topic: str, payload: bytes) -> bool:
        """Store one message; True when it may be acknowledged (stored or rejected)."""
        key = split_topic(topic)
        if key is None:
            reject("malformed", f"topic {topic} is not /<apikey>/<device_id>/attrs", "")
            return True
        apikey, device_id = key
        try:
            try:
                measure = orjson.loads(payload)
            except orjson.JSONDecodeError as exc:
                raise reject("malformed", f"the payload is not JSON: {exc}", device_id) from None
            await ingest(self.store, apikey, device_id, measure)
        except Rejected:
            return True
        except Exception:
            log.exception("measure of device %s could not be stored; not acknowledged", device_id)
            return False
        return True
