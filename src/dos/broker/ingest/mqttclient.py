"""A lean MQTT 5 subscriber on asyncio streams, for the ingestion consumer.

It does what the consumer needs and nothing else: CONNECT (persistent session: ``clean_start``
false, a session expiry, a Receive Maximum, user name and password, TLS for ``mqtts``),
SUBSCRIBE to its topic filters (shared subscriptions ``$share/<group>/…``), receives PUBLISH
packets of QoS 0 and 1 and acknowledges QoS 1 messages only when told to (:meth:`ack`, after
the commit), keeps the connection alive (PINGREQ) and reconnects with exponential backoff.
A general client (paho) spends most of its time per message in layers this does not need
(a thread, properties objects, topic matching, per-message callbacks): here a read of the
socket is parsed at once and handed on as one list.

Packet ids belong to the connection a message arrived on: an acknowledgement for a message of
an earlier connection is dropped (the MQTT broker delivers that message again on the new
connection, where the packet id may meanwhile name another message). The client never
publishes; it does not announce topic aliases, so the broker sends full topic names.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import struct
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("dos.broker.ingest")

#: PUBLISH packets read from one connection: (topic, payload, packet id; 0 for QoS 0)
Received = list[tuple[str, bytes, int]]
#: a CONNECT/SUBSCRIBE refusal: waits like a lost connection before the next try
BACKOFF = (1.0, 60.0)
#: seconds for the TCP/TLS connection and for each answer of the handshake (CONNACK, SUBACK)
HANDSHAKE_TIMEOUT = 30.0
#: the largest packet the broker may send us (MQTT 5 Maximum Packet Size, announced in CONNECT:
#: the broker drops a larger message instead of sending it); a larger one is a protocol error
MAX_PACKET = 16 * 1024 * 1024


class ProtocolError(Exception):
    """The MQTT broker sent something this client cannot follow, or refused it."""


@dataclass
class Settings:
    host: str
    port: int
    client_id: str
    topics: list[str]
    username: str | None = None
    password: str | None = None
    tls: ssl.SSLContext | None = None
    keepalive: int = 30
    session_expiry: int = 24 * 3600
    receive_maximum: int = 2000


def encode_string(text: str) -> bytes:
    data = text.encode()
    return struct.pack("!H", len(data)) + data


def encode_varint(n: int) -> bytes:
    out = bytearray()
    while True:
        n, byte = divmod(n, 128)
        out.append(byte | (128 if n else 0))
        if not n:
            return bytes(out)


def _packet(head: int, body: bytes) -> bytes:
    return bytes([head]) + encode_varint(len(body)) + body


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    """(value, position after it); raises IndexError when the data ends inside it."""
    value, shift = 0, 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 127) << shift
        if not byte & 128:
            return value, pos
        shift += 7
        if shift > 21:
            raise ProtocolError("malformed remaining length")


def connect_packet(settings: Settings) -> bytes:
    flags = 0  # clean_start false: the session (and its unacknowledged messages) is kept
    payload = encode_string(settings.client_id)
    if settings.username is not None:
        flags |= 0x80
        payload += encode_string(settings.username)
        if settings.password is not None:
            flags |= 0x40
            payload += encode_string(settings.password)
    props = b"\x11" + struct.pack("!I", settings.session_expiry)
    props += b"\x21" + struct.pack("!H", settings.receive_maximum)
    props += b"\x27" + struct.pack("!I", MAX_PACKET)
    body = encode_string("MQTT") + bytes([5, flags]) + struct.pack("!H", settings.keepalive)
    return _packet(0x10, body + encode_varint(len(props)) + props + payload)


def subscribe_packet(topics: list[str], packet_id: int = 1) -> bytes:
    body = struct.pack("!H", packet_id) + b"\x00"  # no properties
    for topic in topics:
        body += encode_string(topic) + b"\x01"  # maximum QoS 1
    return _packet(0x82, body)


class MqttClient:
    """Connects, subscribes and hands received messages to ``on_messages`` (on the event loop).

    ``on_connected`` runs after the SUBACK, ``on_disconnected`` when a connection is lost.
    """

    def __init__(
        self,
        settings: Settings,
        on_messages: Callable[[Received, int], None],
        on_connected: Callable[[], None] = lambda: None,
        on_disconnected: Callable[[], None] = lambda: None,
    ) -> None:
        self.settings = settings
        self.on_messages = on_messages
        self.on_connected = on_connected
        self.on_disconnected = on_disconnected
        #: number of the current connection; acknowledgements carry the one they belong to
        self.generation = 0
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._ping_sent = 0.0  # loop time of the oldest unanswered PINGREQ

    def start(self) -> None:
        """Connect in the background (on the running event loop), retrying with backoff."""
        if self._closing:  # closed before it started
            return
        self._task = asyncio.get_running_loop().create_task(self._run())

    def ack(self, packet_ids: list[int], generation: int) -> None:
        """PUBACK the QoS 1 messages ``packet_ids`` (0: QoS 0, nothing to send) received on
        connection ``generation``; dropped when that connection is gone."""
        writer = self._writer
        if writer is None or generation != self.generation or writer.is_closing():
            return
        acks = [b"\x40\x02" + struct.pack("!H", pid) for pid in packet_ids if pid]
        if acks:
            writer.write(b"".join(acks))

    def close(self) -> None:
        """Disconnect (the session stays with the MQTT broker) and stop reconnecting."""
        self._closing = True
        writer, self._writer = self._writer, None
        if writer is not None and not writer.is_closing():
            writer.write(b"\xe0\x00")  # DISCONNECT, normal: the session is kept
            writer.close()
        if self._task is not None:
            self._task.cancel()

    async def _run(self) -> None:
        pause = BACKOFF[0]
        while not self._closing:
            connected = False
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(
                        self.settings.host,
                        self.settings.port,
                        ssl=self.settings.tls,
                        server_hostname=self.settings.host if self.settings.tls else None,
                    ),
                    HANDSHAKE_TIMEOUT,
                )
                # messages of the resumed session may arrive before the SUBACK: they belong
                # to this connection already
                self.generation += 1
                self._writer = writer
                pinger: asyncio.Task[None] | None = None
                try:
                    keepalive = await self._handshake(reader, writer)
                    connected = True
                    pause = BACKOFF[0]
                    self.on_connected()
                    if keepalive:
                        pinger = asyncio.create_task(self._ping(writer, keepalive))
                    await self._receive(reader)
                finally:
                    self._writer = None
                    if pinger is not None:
                        pinger.cancel()
                    if not writer.is_closing():
                        writer.close()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # refused, lost, or a packet this client cannot read
                if self._closing:
                    return
                log.warning(
                    "MQTT connection to %s:%s %s (%s); reconnecting in %.0f s",
                    self.settings.host,
                    self.settings.port,
                    "lost" if connected else "failed",
                    exc or type(exc).__name__,
                    pause,
                )
            if connected:
                self.on_disconnected()
            if self._closing:
                return
            await asyncio.sleep(pause)
            pause = min(pause * 2, BACKOFF[1])

    async def _handshake(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> int:
        """CONNECT and SUBSCRIBE; the keep-alive interval the broker wants (seconds)."""
        writer.write(connect_packet(self.settings))
        head, body = await asyncio.wait_for(self._read_packet(reader), HANDSHAKE_TIMEOUT)
        if head >> 4 != 2 or len(body) < 2:
            raise ProtocolError(f"expected CONNACK, got packet type {head >> 4}")
        if body[1] >= 0x80:
            raise ProtocolError(f"connection refused, reason code 0x{body[1]:02x}")
        keepalive = self.settings.keepalive
        props_len, pos = _read_varint(body, 2)
        end = pos + props_len
        while pos < end:  # only Server Keep Alive matters here; skip the others
            ident = body[pos]
            pos += 1
            if ident == 0x13:
                keepalive = body[pos] << 8 | body[pos + 1]
            pos = _skip_property(body, ident, pos)
        writer.write(subscribe_packet(self.settings.topics))
        while True:  # a PUBLISH of the resumed session may come before the SUBACK
            head, body = await asyncio.wait_for(self._read_packet(reader), HANDSHAKE_TIMEOUT)
            if head >> 4 == 9:
                break
            if head >> 4 == 3:
                self._publishes(bytes([head]) + encode_varint(len(body)) + body)
        props_len, pos = _read_varint(body, 2)
        refused = [code for code in body[pos + props_len :] if code >= 0x80]
        if refused:
            raise ProtocolError(f"subscription refused, reason code 0x{refused[0]:02x}")
        return keepalive

    @staticmethod
    async def _read_packet(reader: asyncio.StreamReader) -> tuple[int, bytes]:
        head = (await reader.readexactly(1))[0]
        size, shift = 0, 0
        while True:
            byte = (await reader.readexactly(1))[0]
            size |= (byte & 127) << shift
            if not byte & 128:
                break
            shift += 7
            if shift > 21:
                raise ProtocolError("malformed remaining length")
        return head, await reader.readexactly(size)

    async def _ping(self, writer: asyncio.StreamWriter, keepalive: int) -> None:
        """PINGREQ every half keep-alive interval (the broker drops a client it hears nothing
        from for 1.5 intervals); close the connection when a PINGRESP is overdue."""
        loop = asyncio.get_running_loop()
        while not writer.is_closing():
            await asyncio.sleep(keepalive / 2)
            if self._ping_sent and loop.time() - self._ping_sent > keepalive:
                log.warning("MQTT broker did not answer PINGREQ; reconnecting")
                writer.close()
                return
            writer.write(b"\xc0\x00")
            self._ping_sent = self._ping_sent or loop.time()

    async def _receive(self, reader: asyncio.StreamReader) -> None:
        """Read packets until the connection ends."""
        data = b""
        self._ping_sent = 0.0
        while True:
            chunk = await reader.read(1 << 18)
            if not chunk:
                raise ProtocolError("connection closed")
            data = self._publishes(data + chunk) if data else self._publishes(chunk)

    def _publishes(self, data: bytes) -> bytes:
        """Hand the PUBLISH packets in ``data`` on; what remains of an incomplete packet."""
        received: Received = []
        pos, length = 0, len(data)
        while pos + 1 < length:
            head = data[pos]
            try:
                size, start = _read_varint(data, pos + 1)
            except IndexError:
                break
            end = start + size
            if size > MAX_PACKET:
                raise ProtocolError(f"packet of {size} bytes")
            if end > length:
                break
            kind = head >> 4
            if kind == 3:  # PUBLISH
                qos = (head >> 1) & 3
                if qos > 1:
                    raise ProtocolError("QoS 2 PUBLISH on a QoS 1 subscription")
                tlen = data[start] << 8 | data[start + 1]
                at = start + 2 + tlen
                topic = data[start + 2 : at].decode("utf-8", "replace")
                packet_id = 0
                if qos:
                    packet_id = data[at] << 8 | data[at + 1]
                    at += 2
                props_len, at = _read_varint(data, at)
                received.append((topic, data[at + props_len : end], packet_id))
            elif kind == 14:  # DISCONNECT from the broker
                reason = data[start] if size else 0
                raise ProtocolError(f"disconnected by the MQTT broker, reason code 0x{reason:02x}")
            elif kind == 13:  # PINGRESP
                self._ping_sent = 0.0
            # anything else needs no answer
            pos = end
        if received:
            self.on_messages(received, self.generation)
        return data[pos:]


def _skip_property(body: bytes, ident: int, pos: int) -> int:
    """Position after the value of property ``ident`` (MQTT 5 §2.2.2.2)."""
    if ident in (0x01, 0x17, 0x19, 0x24, 0x25, 0x28, 0x29, 0x2A):
        return pos + 1  # byte
    if ident in (0x13, 0x21, 0x22, 0x23):
        return pos + 2  # two-byte integer
    if ident in (0x02, 0x11, 0x18, 0x27):
        return pos + 4  # four-byte integer
    if ident == 0x0B:
        return _read_varint(body, pos)[1]
    if ident == 0x26:  # user property: two strings
        pos += 2 + (body[pos] << 8 | body[pos + 1])
    return pos + 2 + (body[pos] << 8 | body[pos + 1])  # string or binary data
