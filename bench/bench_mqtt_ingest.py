"""MQTT ingestion end to end against its raw ceilings, measured in the same run.

    .venv/bin/python bench/bench_mqtt_ingest.py [--measures 10000] [--devices 100]
        [--postgres URL] [--mqtt URL] [--port PORT]

By default the benchmark starts a private Mosquitto (``mosquitto`` on the PATH, on ``--port``
or a free port, stopped at the end) whose configuration keeps every queued message
(``max_queued_messages 1000000``): with Mosquitto's default of 1,000 queued QoS 1 messages per
client a consumer slower than the publisher loses the rest, and a benchmark would count fewer
measures than were sent. ``--mqtt URL`` uses a running Mosquitto instead; every run uses its own
API key, share group (``DOS_MQTT_GROUP``) and client ids, so other consumers of the same
Mosquitto neither take nor see its messages (a shared Mosquitto with default limits may drop
messages; the benchmark reports how many).

The publisher is cheap, so that the two cores go to the system under test: the QoS 1 PUBLISH
packets (MQTT 3.1.1) are encoded before the clock starts and written to one socket at once;
the clock stops when the last receiver is done. Its CPU time is reported.

1. Mosquitto ceiling: a bare subscriber on a raw socket (MQTT 5, a shared subscription, QoS 1,
   Receive Maximum as DOS, a PUBACK for every message, in its own process) receives the same
   publishes — Mosquitto publish → receive alone.
2. paho ceiling: a bare paho subscriber (MQTT 5, QoS 1, same Receive Maximum, own process) —
   what the MQTT client library DOS used before could receive.
3. DOS: ``dos ingest`` (its own process — ``--consumers N`` processes in one share group —,
   SQLite in a temporary data directory, or the given PostgreSQL) consumes ``N`` measures ``{"t": …, "h": …}`` round-robin to ``--devices``
   provisioned devices; the clock stops when every measure is in the history (``attr_history``,
   read back by polling the database).

Each also reports measures per CPU-second of the consuming process (and of Mosquitto when it
is private), figures that depend less on what else runs on the machine. Each device gets one
warm-up measure first (entity created, consumer subscribed), so the timed part is the steady
state: attribute updates. Issue target: ≥ 5,000 measures/s on SQLite with 2 cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import psycopg
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from dos.broker.ingest import registry  # noqa: E402
from dos.broker.ingest.mqtt import RECEIVE_MAXIMUM, parse_url  # noqa: E402
from dos.broker.ingest.mqttclient import encode_string, encode_varint  # noqa: E402
from dos.broker.store import Store, open_store  # noqa: E402
from dos.config import load  # noqa: E402

#: a bare MQTT 5 subscriber on a raw socket: sys.argv = host port topic total receive_maximum
RAW_CEILING = r"""
import socket, struct, sys, time
host, port, topic, total, rmax = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
def s(text): b = text.encode(); return struct.pack("!H", len(b)) + b
def vlen(n):
    out = bytearray()
    while True:
        n, byte = divmod(n, 128); out.append(byte | (128 if n else 0))
        if not n: return bytes(out)
def packet(head, body): return bytes([head]) + vlen(len(body)) + body
sock = socket.create_connection((host, port))
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
props = b"\x21" + struct.pack("!H", rmax)
sock.sendall(packet(0x10, s("MQTT") + b"\x05\x02" + struct.pack("!H", 60) + vlen(len(props)) + props + s("")))
sock.sendall(packet(0x82, b"\x00\x01\x00" + s(topic) + b"\x01"))
buf, count, last, ready = b"", 0, 0.0, False
sock.settimeout(0.5)
while count < total and (not last or time.time() - last < 5):
    try:
        chunk = sock.recv(1 << 20)
    except socket.timeout:
        continue
    if not chunk: break
    buf += chunk
    acks, pos = [], 0
    while True:
        if len(buf) - pos < 2: break
        mult, size, i = 1, 0, pos + 1
        while i < len(buf):
            byte = buf[i]; size += (byte & 127) * mult; mult *= 128; i += 1
            if not byte & 128: break
        else: break
        if byte & 128 or len(buf) < i + size: break
        kind = buf[pos] >> 4
        if kind == 3:
            count += 1
            if (buf[pos] >> 1) & 3:
                tlen = struct.unpack_from("!H", buf, i)[0]
                acks.append(b"\x40\x02" + buf[i + 2 + tlen:i + 4 + tlen])
        elif kind == 9 and not ready:
            ready = True; print("ready", flush=True)
        pos = i + size
    buf = buf[pos:]
    if acks:
        sock.sendall(b"".join(acks)); last = time.time()
print(f"done {last!r} {count}", flush=True)
sock.sendall(b"\xe0\x00")
"""

#: a bare paho subscriber: sys.argv = host port topic total receive_maximum
PAHO_CEILING = """
import sys, time
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
host, port, topic, total = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
count, last = 0, 0.0
def on_connect(client, userdata, flags, reason, props):
    client.subscribe(topic, qos=1)
def on_subscribe(client, userdata, mid, reasons, props):
    print("ready", flush=True)
def on_message(client, userdata, message):
    global count, last
    count += 1
    last = time.time()
client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
client.on_connect, client.on_subscribe, client.on_message = on_connect, on_subscribe, on_message
properties = Properties(PacketTypes.CONNECT)
properties.ReceiveMaximum = int(sys.argv[5])
client.connect(host, port, properties=properties)
client.loop_start()
while count < total and (not last or time.time() - last < 5):
    time.sleep(0.01)
print(f"done {last!r} {count}", flush=True)
client.disconnect()
client.loop_stop()
"""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Publisher:
    """A QoS 1 publisher on a raw socket (MQTT 3.1.1): packets encoded before the clock
    starts, written at once; :meth:`publish` returns when Mosquitto acknowledged them all."""

    WINDOW = 60000  # packet ids in flight at most (they are 16-bit)

    def __init__(self, url: str) -> None:
        settings = parse_url(url)
        self.sock = socket.create_connection((settings["host"], settings["port"]))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        body = encode_string("MQTT") + b"\x04\x02" + struct.pack("!H", 300)
        body += encode_string(f"bench-pub-{uuid.uuid4().hex[:10]}")
        self.sock.sendall(b"\x10" + encode_varint(len(body)) + body)
        connack = self.sock.recv(4)
        if connack[:2] != b"\x20\x02" or connack[3] != 0:
            raise SystemExit(f"Mosquitto refused the publisher: {connack!r}")
        self.cpu = 0.0  # CPU seconds spent publishing (this process)

    @staticmethod
    def encode(items: list[tuple[str, bytes]]) -> list[bytes]:
        """QoS 1 PUBLISH packets, in windows of distinct packet ids."""
        windows: list[bytes] = []
        for start in range(0, len(items), Publisher.WINDOW):
            out = bytearray()
            for n, (topic, payload) in enumerate(items[start : start + Publisher.WINDOW]):
                body = encode_string(topic) + struct.pack("!H", n + 1) + payload
                out += b"\x32" + encode_varint(len(body)) + body
            windows.append(bytes(out))
        return windows

    def publish(self, windows: list[bytes], count: int) -> None:
        began = resource.getrusage(resource.RUSAGE_SELF)
        for n, window in enumerate(windows):
            expected = min(self.WINDOW, count - n * self.WINDOW)
            reader = threading.Thread(target=self._pubacks, args=(expected,))
            reader.start()
            self.sock.sendall(window)
            reader.join()
        ended = resource.getrusage(resource.RUSAGE_SELF)
        self.cpu += ended.ru_utime - began.ru_utime + ended.ru_stime - began.ru_stime

    def _pubacks(self, expected: int) -> None:
        pending = expected * 4  # a PUBACK of MQTT 3.1.1 is 4 bytes
        while pending:
            chunk = self.sock.recv(min(pending, 1 << 20))
            if not chunk:
                raise SystemExit("Mosquitto closed the publisher's connection")
            pending -= len(chunk)

    def close(self) -> None:
        self.sock.sendall(b"\xe0\x00")
        self.sock.close()


def measures(topics: list[str], total: int, offset: int = 0) -> list[tuple[str, bytes]]:
    """``total`` measures round-robin over ``topics``."""
    return [
        (
            topics[n % len(topics)],
            f'{{"t": {(offset + n) % 400 / 10}, "h": {n % 100 / 100}}}'.encode(),
        )
        for n in range(total)
    ]


def ceiling(
    url: str, script: str, apikey: str, devices: int, total: int
) -> tuple[float, float, float]:
    """Measures/s a bare subscriber (``script``) receives, per CPU-second of the subscriber
    process and per CPU-second of the publisher."""
    settings = parse_url(url)
    share = f"$share/c{uuid.uuid4().hex[:10]}/"
    topic = f"/{apikey}-raw/+/attrs"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            script,
            settings["host"],
            str(settings["port"]),
            share + topic,
            str(total),
            str(RECEIVE_MAXIMUM),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != "ready":
            raise SystemExit("the ceiling subscriber did not subscribe")
        client = Publisher(url)
        topics = [f"/{apikey}-raw/dev{d:04d}/attrs" for d in range(devices)]
        windows = Publisher.encode(measures(topics, total))
        cpu = cpu_seconds(proc.pid)
        began = time.time()
        client.publish(windows, total)
        line = proc.stdout.readline().strip()
        client.close()
        if not line.startswith("done "):
            raise SystemExit(f"the ceiling subscriber stopped early: {line!r}")
        _, last, count = line.split()
        cpu = cpu_seconds(proc.pid) - cpu
        if int(count) < total:
            print(f"ceiling: Mosquitto dropped {total - int(count)} of {total} messages")
        return int(count) / (float(last) - began), int(count) / cpu, int(count) / client.cpu
    except BaseException:
        proc.kill()  # it would wait for measures that never come
        raise
    finally:
        proc.wait(timeout=30)


def provision(store: Store, apikey: str, devices: int) -> None:
    def write(session: Any) -> None:
        group = {"apikey": apikey, "entity_type": "WeatherObserved", "attributes": []}
        registry.service_put(session, "", registry.service_from(group), create=True)
        for d in range(devices):
            raw = {
                "device_id": f"dev{d:04d}",
                "apikey": apikey,
                "entity_name": f"urn:ngsi-ld:WeatherObserved:bench-{apikey}-{d:04d}",
                "entity_type": "WeatherObserved",
                "attributes": [
                    {"object_id": "t", "name": "temperature", "type": "Number", "unitCode": "CEL"},
                    {"object_id": "h", "name": "relativeHumidity", "type": "Number"},
                ],
                "static_attributes": [
                    {"name": "location", "type": "geo:point", "value": f"51.5, 7.{d:04d}"}
                ],
            }
            registry.device_put(session, "", registry.device_from(raw), create=True)

    store.write(write)


def history_count(store: Store, prefix: str) -> int:
    def count(session: Any) -> int:
        row = session.x(
            "SELECT COUNT(*) FROM attr_history WHERE entity_id LIKE ? AND attr LIKE ?",
            (prefix + "%", "%temperature"),
        ).fetchone()
        return int(row[0])

    return store.read(count)


def last_pk(store: Store) -> int:
    """The newest history row's pk: a cheap progress probe (no scan) while polling."""
    return int(store.read(lambda s: s.x("SELECT MAX(pk) FROM attr_history").fetchone()[0] or 0))


def wait_rows(store: Store, expected: int) -> float:
    """Poll until the newest history pk reaches ``expected``, or none came for 10 s: when the
    last row arrived (time.time())."""
    got, last = last_pk(store), time.time()
    while got < expected and time.time() - last < 10:
        time.sleep(0.02)
        now = last_pk(store)
        if now > got:
            got, last = now, time.time()
    return last


def forget_session(url: str, client_id: str) -> None:
    """Remove the consumer's persistent MQTT session (no messages queued for it afterwards)."""
    settings = parse_url(url)
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    properties.SessionExpiryInterval = 0
    client.connect(settings["host"], settings["port"], clean_start=True, properties=properties)
    client.loop_start()
    time.sleep(0.3)
    client.disconnect()
    client.loop_stop()


def dos(
    url: str, args: argparse.Namespace, apikey: str, devices: int, total: int
) -> tuple[float, float, int]:
    """Measures/s that ``dos ingest`` stores in the history, per CPU-second of it, and how
    many measures were stored."""
    data_dir = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "DOS_DATA_DIR": str(data_dir),
        "DOS_MQTT_URL": url,
        "DOS_MQTT_GROUP": f"bench{uuid.uuid4().hex[:10]}",
        "DOS_LOG_LEVEL": "WARNING",
    }
    if args.postgres:  # a database of this run, dropped at the end
        admin = psycopg.connect(args.postgres, autocommit=True)
        admin.execute(f"CREATE DATABASE bench_{apikey}")
        env["DOS_DATABASE_URL"] = args.postgres.rsplit("/", 1)[0] + f"/bench_{apikey}"
    store = open_store(load(env))
    store.migrate()
    provision(store, apikey, devices)
    # --consumers processes in one share group: Mosquitto hands each message to one of them
    client_ids = [f"bench-ingest-{apikey}-{n}" for n in range(args.consumers)]
    # their log (rejections of other users' messages on the same Mosquitto) goes to a file
    log = (data_dir / "ingest.log").open("w")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "dos", "ingest", "--client-id", client_id],
            env=env,
            stdout=log,
            stderr=log,
        )
        for client_id in client_ids
    ]
    prefix = f"urn:ngsi-ld:WeatherObserved:bench-{apikey}-"
    topics = [f"/{apikey}/dev{d:04d}/attrs" for d in range(devices)]
    client = Publisher(url)
    try:
        # warm-up: the consumer subscribed (its first measures may still be lost before the
        # SUBACK, so publish until one arrives), then every entity exists
        deadline = time.monotonic() + 60
        while history_count(store, prefix) == 0:
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                raise SystemExit("dos ingest did not start consuming")
            client.publish(Publisher.encode(measures(topics[:1], 1)), 1)
            time.sleep(0.3)
        client.publish(Publisher.encode(measures(topics, devices)), devices)
        while history_count(store, prefix) < devices:
            if time.monotonic() > deadline:
                raise SystemExit("the warm-up measures were not stored")
            time.sleep(0.05)
        base, base_pk = history_count(store, prefix), last_pk(store)
        windows = Publisher.encode(measures(topics, total, offset=1))
        client.cpu = 0.0
        cpu = sum(cpu_seconds(p.pid) for p in procs)
        began = time.time()
        client.publish(windows, total)
        # every timed measure adds two history rows (t and h)
        ended = wait_rows(store, base_pk + 2 * total)
        cpu = sum(cpu_seconds(p.pid) for p in procs) - cpu
        stored = history_count(store, prefix) - base
        if stored < total:
            print(f"dos: {total - stored} of {total} measures not stored (dropped?)")
        return stored / (ended - began), stored / cpu, stored
    finally:
        client.close()
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)
        log.close()
        for client_id in client_ids:
            forget_session(url, client_id)
        store.close()
        if args.postgres:
            admin.execute(f"DROP DATABASE bench_{apikey} WITH (FORCE)")
            admin.close()


def private_mosquitto(port: int) -> tuple[subprocess.Popen[bytes], str]:
    """A Mosquitto of this run on 127.0.0.1:``port`` that keeps every queued message."""
    if shutil.which("mosquitto") is None:
        raise SystemExit("mosquitto is not on the PATH: install it or pass --mqtt URL")
    if not port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    folder = Path(tempfile.mkdtemp(prefix="bench-mosquitto-"))
    conf = folder / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        "max_queued_messages 1000000\nmax_inflight_messages 0\n"
    )
    proc = subprocess.Popen(
        ["mosquitto", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the private Mosquitto did not start on port {port}") from None
            time.sleep(0.05)
    return proc, f"mqtt://127.0.0.1:{port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--measures", type=int, default=10000)
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--mqtt", help="a running Mosquitto (default: a private one)")
    parser.add_argument("--port", type=int, default=0, help="port of the private Mosquitto")
    parser.add_argument("--postgres", help="PostgreSQL URL instead of SQLite")
    parser.add_argument(
        "--consumers", type=int, default=1, help="dos ingest processes sharing the load"
    )
    args = parser.parse_args()
    mosquitto, url = private_mosquitto(args.port) if not args.mqtt else (None, args.mqtt)
    apikey = f"b{uuid.uuid4().hex[:10]}"
    total = args.measures

    def broker_cpu() -> float:
        return cpu_seconds(mosquitto.pid) if mosquitto else 0.0

    def mosquitto_note(cpu: float, count: int) -> str:
        return f", {count / cpu:,.0f} per CPU-second of Mosquitto" if mosquitto and cpu else ""

    try:
        results = []
        for name, script in (
            ("raw-socket subscriber", RAW_CEILING),
            ("paho subscriber", PAHO_CEILING),
        ):
            before = broker_cpu()
            rate, per_cpu, pub = ceiling(url, script, apikey, args.devices, total)
            note = mosquitto_note(broker_cpu() - before, total)
            results.append(rate)
            print(
                f"ceiling: bare {name:21} {rate:8,.0f} measures/s ({per_cpu:,.0f} per "
                f"CPU-second of the subscriber{note}; publisher {pub:,.0f} per CPU-second)"
            )
        before = broker_cpu()
        got, got_cpu, stored = dos(url, args, apikey, args.devices, total)
        note = mosquitto_note(broker_cpu() - before, stored)
        engine = "PostgreSQL" if args.postgres else "SQLite"
        print(
            f"dos ingest ({engine:10}) → history {got:8,.0f} measures/s "
            f"({got_cpu:,.0f} per CPU-second of dos ingest{note})"
            + (f", {args.consumers} processes" if args.consumers > 1 else "")
        )
        print(
            f"ratio: {got / results[0]:.0%} of the Mosquitto ceiling, {got / results[1]:.0%} of "
            "the paho one (target: ≥ 5,000 measures/s)"
        )
    finally:
        if mosquitto is not None:
            mosquitto.terminate()
            mosquitto.wait(timeout=10)


if __name__ == "__main__":
    main()
