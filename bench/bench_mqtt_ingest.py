"""MQTT ingestion end to end against its raw ceiling, measured in the same run.

    .venv/bin/python bench/bench_mqtt_ingest.py [--measures 10000] [--devices 100] [--postgres URL]

Needs Mosquitto (``--mqtt``, default mqtt://127.0.0.1:1883). Every run uses its own API key,
share group (``DOS_MQTT_GROUP``) and client ids, so other consumers of the same Mosquitto
neither take nor see its messages.

1. Raw ceiling: a bare paho subscriber (MQTT 5, QoS 1, in its own process) receives the same
   publishes — Mosquitto publish → receive alone.
2. DOS: ``dos ingest`` (its own process, SQLite in a temporary data directory, or the given
   PostgreSQL) consumes ``N`` measures ``{"t": …, "h": …}`` published with QoS 1 round-robin
   to ``--devices`` provisioned devices; the clock stops when every measure is in the history
   (``attr_history``, read back by polling the database).

Both also report measures per CPU-second of the consuming process, a figure that depends less
on what else runs on the machine. Mosquitto keeps at most 1,000 queued messages per client
(``max_queued_messages``) beyond those in flight: a consumer slower than the publisher loses
the rest, which the benchmark reports.

Each device gets one warm-up measure first (entity created, consumer subscribed), so the timed
part is the steady state: attribute updates. Prints measures/s of each and the ratio (issue
target: ≥ 5,000 measures/s on SQLite with 2 cores).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
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
from dos.broker.ingest.mqtt import parse_url  # noqa: E402
from dos.broker.store import Store, open_store  # noqa: E402
from dos.config import load  # noqa: E402

CEILING = """
import sys, threading, time
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
properties.ReceiveMaximum = 2000  # as the DOS consumer
client.connect(host, port, properties=properties)
client.loop_start()
while count < total and (not last or time.time() - last < 5):
    time.sleep(0.01)
print(f"done {last!r} {count}", flush=True)
client.disconnect()
client.loop_stop()
"""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def publisher(url: str) -> mqtt.Client:
    settings = parse_url(url)
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect(settings["host"], settings["port"])
    client.loop_start()
    return client


def publish_all(client: mqtt.Client, topics: list[str], total: int, offset: int = 0) -> None:
    """Publish ``total`` QoS 1 measures round-robin over ``topics``; wait for every PUBACK."""
    infos = []
    for n in range(total):
        value = (offset + n) % 400 / 10
        payload = f'{{"t": {value}, "h": {n % 100 / 100}}}'.encode()
        infos.append(client.publish(topics[n % len(topics)], payload, qos=1))
    for info in infos:
        info.wait_for_publish(60)


def ceiling(url: str, apikey: str, devices: int, total: int) -> tuple[float, float]:
    """Measures/s a bare paho subscriber receives (Mosquitto publish → receive alone), and
    per CPU-second of the subscriber process."""
    settings = parse_url(url)
    topic = f"/{apikey}-raw/+/attrs"
    proc = subprocess.Popen(
        [sys.executable, "-c", CEILING, settings["host"], str(settings["port"]), topic, str(total)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != "ready":
            raise SystemExit("the ceiling subscriber did not subscribe")
        client = publisher(url)
        topics = [f"/{apikey}-raw/dev{d:04d}/attrs" for d in range(devices)]
        cpu = cpu_seconds(proc.pid)
        began = time.time()
        publish_all(client, topics, total)
        line = proc.stdout.readline().strip()
        client.loop_stop()
        client.disconnect()
        if not line.startswith("done "):
            raise SystemExit(f"the ceiling subscriber stopped early: {line!r}")
        _, last, count = line.split()
        cpu = cpu_seconds(proc.pid) - cpu
        if int(count) < total:
            print(f"ceiling: Mosquitto dropped {total - int(count)} of {total} messages")
        return int(count) / (float(last) - began), int(count) / cpu
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


def wait_count(store: Store, prefix: str, expected: int) -> tuple[float, int]:
    """Poll until ``expected`` history rows exist, or none came for 10 s: when the last
    arrived (time.time()) and how many there are."""
    got, last = history_count(store, prefix), time.time()
    while got < expected and time.time() - last < 10:
        time.sleep(0.02)
        now = history_count(store, prefix)
        if now > got:
            got, last = now, time.time()
    return last, got


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
) -> tuple[float, float]:
    """Measures/s that ``dos ingest`` stores in the history, and per CPU-second of it."""
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
    client_id = f"bench-ingest-{apikey}"
    command = [sys.executable, "-m", "dos", "ingest", "--client-id", client_id]
    # its log (rejections of other users' messages on the same Mosquitto) goes to a file
    log = (data_dir / "ingest.log").open("w")
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=log)
    prefix = f"urn:ngsi-ld:WeatherObserved:bench-{apikey}-"
    topics = [f"/{apikey}/dev{d:04d}/attrs" for d in range(devices)]
    client = publisher(url)
    try:
        # warm-up: the consumer subscribed (its first measures may still be lost before the
        # SUBACK, so publish until one arrives), then every entity exists
        deadline = time.monotonic() + 60
        while history_count(store, prefix) == 0:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit("dos ingest did not start consuming")
            publish_all(client, topics[:1], 1)
            time.sleep(0.3)
        publish_all(client, topics, devices)
        wait_count(store, prefix, devices)
        base = history_count(store, prefix)
        cpu = cpu_seconds(proc.pid)
        began = time.time()
        publish_all(client, topics, total, offset=1)
        ended, got = wait_count(store, prefix, base + total)
        cpu = cpu_seconds(proc.pid) - cpu
        if got < base + total:
            print(f"dos: {base + total - got} of {total} measures not stored (dropped?)")
        return (got - base) / (ended - began), (got - base) / cpu
    finally:
        client.loop_stop()
        client.disconnect()
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
        forget_session(url, client_id)
        store.close()
        if args.postgres:
            admin.execute(f"DROP DATABASE bench_{apikey} WITH (FORCE)")
            admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--measures", type=int, default=10000)
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--mqtt", default="mqtt://127.0.0.1:1883")
    parser.add_argument("--postgres", help="PostgreSQL URL instead of SQLite")
    args = parser.parse_args()
    apikey = f"b{uuid.uuid4().hex[:10]}"
    raw, raw_cpu = ceiling(args.mqtt, apikey, args.devices, args.measures)
    print(
        f"ceiling: bare paho subscriber    {raw:8.0f} measures/s "
        f"({raw_cpu:,.0f} per CPU-second of the subscriber)"
    )
    got, got_cpu = dos(args.mqtt, args, apikey, args.devices, args.measures)
    engine = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"dos ingest ({engine}) → history  {got:8.0f} measures/s "
        f"({got_cpu:,.0f} per CPU-second of dos ingest)"
    )
    print(f"ratio: {got / raw:.0%} of the ceiling (target: ≥ 5,000 measures/s)")


if __name__ == "__main__":
    main()
