"""The lean MQTT 5 subscriber against a scripted broker: framing, acks, reconnects, pings."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator
from typing import Any

import pytest

from dos.broker.ingest import mqttclient
from dos.broker.ingest.mqttclient import MqttClient, Received, Settings


def packet(head: int, body: bytes) -> bytes:
    return bytes([head]) + mqttclient.encode_varint(len(body)) + body


def publish(topic: str, payload: bytes, packet_id: int = 0, props: bytes = b"") -> bytes:
    head = 0x32 if packet_id else 0x30
    pid = struct.pack("!H", packet_id) if packet_id else b""
    body = (
        mqttclient.encode_string(topic)
        + pid
        + mqttclient.encode_varint(len(props))
        + props
        + payload
    )
    return packet(head, body)


CONNACK = packet(0x20, b"\x00\x00\x00")
SUBACK = packet(0x90, b"\x00\x01\x00\x01\x01")


class Broker:
    """A scripted MQTT broker on 127.0.0.1: each connection runs ``script(reader, writer)``;
    every packet it reads is recorded as (connection number, type, body)."""

    def __init__(self, *scripts: Any) -> None:
        self.scripts = list(scripts)
        self.packets: list[tuple[int, int, bytes]] = []
        self.connections = 0
        self.port = 0

    async def read(self, reader: asyncio.StreamReader) -> tuple[int, bytes]:
        head, body = await MqttClient._read_packet(reader)
        self.packets.append((self.connections, head >> 4, body))
        return head >> 4, body

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        script = self.scripts[min(self.connections, len(self.scripts)) - 1]
        try:
            await script(self, reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def of(self, kind: int) -> list[tuple[int, bytes]]:
        return [(conn, body) for conn, k, body in self.packets if k == kind]


@pytest.fixture
async def serve() -> AsyncIterator[Any]:
    servers: list[asyncio.Server] = []

    async def start(broker: Broker) -> Broker:
        server = await asyncio.start_server(broker.handle, "127.0.0.1", 0)
        servers.append(server)
        broker.port = server.sockets[0].getsockname()[1]
        return broker

    yield start
    for server in servers:
        server.close()


async def handshake(broker: Broker, reader: Any, writer: Any, connack: bytes = CONNACK) -> None:
    assert (await broker.read(reader))[0] == 1  # CONNECT
    writer.write(connack)
    if connack[3] >= 0x80:
        return
    assert (await broker.read(reader))[0] == 8  # SUBSCRIBE
    writer.write(SUBACK)


async def until(check: Any, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


def client_for(broker: Broker, got: list[tuple[Received, int]], **extra: Any) -> MqttClient:
    settings = Settings("127.0.0.1", broker.port, "dos-test", ["$share/g/+/+/attrs"], **extra)
    return MqttClient(settings, lambda received, conn: got.append((received, conn)))


def test_publishes_split_anywhere_are_parsed_once_complete() -> None:
    got: list[tuple[Received, int]] = []
    client = MqttClient(Settings("h", 1, "c", []), lambda r, c: got.append((r, c)))
    data = (
        publish("/k/d1/attrs", b'{"t": 1}', 7, props=b"\x01\x01")  # payload format indicator
        + publish("/k/d2/attrs", b'{"t": 2}')  # QoS 0
        + packet(0xD0, b"")  # PINGRESP
        + publish("/k/d3/attrs", b"x" * 300, 65535)  # two-byte remaining length
    )
    for cut in range(1, len(data)):
        got.clear()
        rest = client._publishes(data[:cut])
        rest = client._publishes(rest + data[cut:])
        assert rest == b""
        messages = [m for received, _ in got for m in received]
        assert messages == [
            ("/k/d1/attrs", b'{"t": 1}', 7),
            ("/k/d2/attrs", b'{"t": 2}', 0),
            ("/k/d3/attrs", b"x" * 300, 65535),
        ]


def test_connect_packet_asks_for_a_kept_session() -> None:
    settings = Settings("h", 1, "dos-1", [], username="u", password="p@ss", receive_maximum=500)
    data = mqttclient.connect_packet(settings)
    assert data[0] == 0x10
    body = data[2:]
    assert body[:7] == b"\x00\x04MQTT\x05"
    assert body[7] == 0xC0  # user name and password, clean_start false
    assert b"\x11\x00\x01\x51\x80" in body  # session expiry one day
    assert b"\x21\x01\xf4" in body  # receive maximum 500
    assert b"\x27\x01\x00\x00\x00" in body  # maximum packet size 16 MiB
    assert body.endswith(b"\x00\x05dos-1\x00\x01u\x00\x04p@ss")


async def test_acks_go_only_to_the_connection_the_message_came_on(
    serve: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mqttclient, "BACKOFF", (0.01, 0.05))

    async def first(broker: Broker, reader: Any, writer: Any) -> None:
        await handshake(broker, reader, writer)
        writer.write(publish("/k/d/attrs", b'{"t": 1}', 7))
        await writer.drain()  # then the connection is lost

    async def second(broker: Broker, reader: Any, writer: Any) -> None:
        await handshake(broker, reader, writer)
        writer.write(publish("/k/d/attrs", b'{"t": 1}', 7))  # the same message again
        while True:
            await broker.read(reader)

    broker = await serve(Broker(first, second))
    got: list[tuple[Received, int]] = []
    client = client_for(broker, got)
    client.start()
    try:
        await until(lambda: len(got) == 2)
        assert [conn for _, conn in got] == [1, 2]
        client.ack([7], 1)  # the lost connection's: dropped
        client.ack([7, 0], 2)  # 0: a QoS 0 message, nothing to acknowledge
        await until(lambda: broker.of(4))
        await asyncio.sleep(0.05)
        assert broker.of(4) == [(2, b"\x00\x07")]
        assert [conn for conn, _ in broker.of(1)] == [1, 2]
    finally:
        client.close()


async def test_refused_connection_is_tried_again(
    serve: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(mqttclient, "BACKOFF", (0.01, 0.05))
    connected: list[bool] = []

    async def refuse(broker: Broker, reader: Any, writer: Any) -> None:
        await handshake(broker, reader, writer, packet(0x20, b"\x00\x87\x00"))  # not authorized

    async def accept(broker: Broker, reader: Any, writer: Any) -> None:
        await handshake(broker, reader, writer)
        while True:
            await broker.read(reader)

    broker = await serve(Broker(refuse, accept))
    client = client_for(broker, [], username="u", password="wrong")
    client.on_connected = lambda: connected.append(True)
    client.start()
    try:
        await until(lambda: connected)
        assert broker.connections == 2
        assert "reason code 0x87" in caplog.text
    finally:
        client.close()
    await until(lambda: broker.of(14))  # DISCONNECT on close


async def test_pings_and_reconnects_when_the_broker_stops_answering(
    serve: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mqttclient, "BACKOFF", (0.01, 0.05))
    keepalive_1s = packet(0x20, b"\x00\x00\x03\x13\x00\x01")  # Server Keep Alive: 1 s

    async def silent(broker: Broker, reader: Any, writer: Any) -> None:
        await handshake(broker, reader, writer, keepalive_1s)
        while True:
            await broker.read(reader)  # PINGREQs stay unanswered

    async def answering(broker: Broker, reader: Any, writer: Any) -> None:
        await handshake(broker, reader, writer, keepalive_1s)
        while True:
            if (await broker.read(reader))[0] == 12:
                writer.write(packet(0xD0, b""))

    broker = await serve(Broker(silent, answering))
    lost: list[bool] = []
    client = client_for(broker, [])
    client.on_disconnected = lambda: lost.append(True)
    client.start()
    try:
        await until(lambda: broker.connections == 2, timeout=5)
        assert lost == [True]
        await until(lambda: len([c for c, _ in broker.of(12) if c == 2]) >= 3, timeout=5)
        assert broker.connections == 2  # answered pings keep the connection
    finally:
        client.close()
