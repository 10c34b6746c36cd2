"""MQTT ingestion against the real Mosquitto: end to end, rejections, ack after commit."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from dos.broker.ingest import mqtt as ingest_mqtt
from dos.broker.ingest import mqttclient
from dos.broker.ingest.mqtt import MqttIngest, parse_url, split_topic
from dos.broker.store import Store
from dos.observability import METRICS
from tests.broker.conftest import TestClient, broker_client
from tests.broker.ingest.conftest import device, service
from tests.broker.subscriptions.receiver import free_port
from tests.services import mqtt_url
from tests.tls import self_signed


def test_topic_and_url_parsing() -> None:
    assert split_topic("/k/d-1/attrs") == ("k", "d-1")
    assert split_topic("k/d-1/attrs") == ("k", "d-1")
    assert split_topic("/k/attrs") is None
    assert split_topic("/k/d/cmd") is None
    assert parse_url("mqtt://u:p%40ss@host")["password"] == "p@ss"
    assert parse_url("mqtts://host")["port"] == 8883
    with pytest.raises(ValueError, match="mqtt://host"):
        parse_url("http://host")


def publish(url: str, topic: str, payload: bytes) -> None:
    settings = parse_url(url)
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.connect(settings["host"], settings["port"])
    client.loop_start()
    client.publish(topic, payload, qos=1).wait_for_publish(10)
    client.loop_stop()
    client.disconnect()


def wait_for(check: Any, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.fixture
def ctx(
    request: pytest.FixtureRequest, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    """The app with a provisioned device; its own MQTT consumer runs unless the test asks
    for none (``indirect`` parameter False): a test that starts a consumer of its own must be
    the only member of its share group, or the app's consumer takes part of its messages."""
    url = mqtt_url()
    # a share group and API key of this test only: other processes may use the same Mosquitto
    group = f"test{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(ingest_mqtt, "SHARE_GROUP", group)
    apikey = f"k{uuid.uuid4().hex[:10]}"
    # every share group gets its copy of a message: consumers subscribe to this test's key
    # only, or measures that tests in other processes publish reach (and are acked by) them
    monkeypatch.setattr(ingest_mqtt, "TOPICS", (f"/{apikey}/+/attrs", f"{apikey}/+/attrs"))
    consumer = {"DOS_MQTT_URL": url} if getattr(request, "param", True) else {}
    with broker_client(
        store, tmp_path, DOS_BROKER_OPEN_WRITES="true", DOS_MQTT_GROUP=group, **consumer
    ) as client:
        client.post("/iot/services", json={"services": [service(apikey=apikey)]})
        client.post("/iot/devices", json={"devices": [device(apikey=apikey)]})

        class Ctx:
            pass

        c: Any = Ctx()
        c.url, c.client, c.apikey, c.store = url, client, apikey, store
        yield c
        run(client, client.app.state.shutdown())


def run(client: TestClient, coro: Any) -> Any:
    return asyncio.run_coroutine_threadsafe(coro, client._loop).result(10)


def entity(client: TestClient) -> Any:
    response = client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:WeatherObserved:klima-001")
    return response.json() if response.status_code == 200 else None


def test_startup_hook_consumes_measures(ctx: Any) -> None:
    run(ctx.client, ctx.client.app.state.startup())
    consumer = ctx.client.app.state.mqtt
    assert consumer is not None
    wait_for(consumer.connected.is_set)
    time.sleep(0.2)  # the SUBACK
    publish(ctx.url, f"/{ctx.apikey}/klima-001/attrs", b'{"t": 23.5, "h": 40}')
    got = wait_for(lambda: entity(ctx.client))
    assert got["temperature"]["value"] == 23.5
    assert got["temperature"]["unitCode"] == "CEL"
    assert got["location"]["value"]["coordinates"] == [7.46, 51.51]


@pytest.mark.parametrize("ctx", [False], indirect=True, ids=["own-consumer"])
def test_rejected_messages_are_dropped_and_the_consumer_goes_on(ctx: Any) -> None:
    loop = ctx.client._loop
    consumer = MqttIngest(ctx.url, ctx.store, loop, client_id=f"t-{uuid.uuid4().hex[:8]}")
    consumer.start()
    try:
        wait_for(consumer.connected.is_set)
        time.sleep(0.2)
        key = ("ingest_rejected", (("reason", "malformed"),))
        before = METRICS.counters[key]
        range_key = ("ingest_rejected", (("reason", "out_of_range"),))
        before_range = METRICS.counters[range_key]
        publish(ctx.url, f"/{ctx.apikey}/klima-001/attrs", b"{broken")
        publish(ctx.url, f"/{ctx.apikey}/klima-001/attrs", b'{"h": 250}')
        publish(ctx.url, f"/{ctx.apikey}/klima-001/attrs", b'{"t": 18.0}')
        got = wait_for(lambda: entity(ctx.client))
        assert got["temperature"]["value"] == 18.0
        assert "relativeHumidity" not in got
        assert METRICS.counters[key] == before + 1
        assert METRICS.counters[range_key] == before_range + 1
    finally:
        consumer.stop()


class FailingStore:
    """A store whose first ``failures`` writes fail (the database is down), then work."""

    def __init__(self, store: Store, failures: int = 1_000_000) -> None:
        self.store = store
        self.failures = failures
        self.attempts = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    async def awrite(self, fn: Any) -> Any:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise OSError("database unreachable")
        return await self.store.awrite(fn)


@pytest.mark.parametrize("ctx", [False], indirect=True, ids=["own-consumer"])
def test_message_is_acknowledged_only_after_commit(ctx: Any) -> None:
    """A message whose write failed is not acked: the next session gets it again."""
    loop = ctx.client._loop
    client_id = f"t-{uuid.uuid4().hex[:8]}"
    failing = FailingStore(ctx.store)
    first = MqttIngest(ctx.url, failing, loop, client_id=client_id)  # type: ignore[arg-type]
    acks: list[int] = []
    real_ack = first.client.ack
    first.client.ack = lambda ids, conn: (acks.extend(ids), real_ack(ids, conn))  # type: ignore[method-assign]
    first.start()
    wait_for(first.connected.is_set)
    time.sleep(0.2)
    publish(ctx.url, f"/{ctx.apikey}/klima-001/attrs", b'{"t": 12.5}')
    wait_for(lambda: failing.attempts >= 1)
    time.sleep(0.3)
    assert acks == []
    first.stop()
    assert entity(ctx.client) is None
    # the same session again, with a working store: Mosquitto redelivers the unacked message
    second = MqttIngest(ctx.url, ctx.store, loop, client_id=client_id)
    second.start()
    try:
        got = wait_for(lambda: entity(ctx.client))
        assert got["temperature"]["value"] == 12.5
    finally:
        second.stop()


@pytest.mark.parametrize("ctx", [False], indirect=True, ids=["own-consumer"])
def test_failed_write_is_tried_again_and_the_device_order_kept(
    ctx: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database is down for two attempts: no reconnect is needed, nothing is reordered
    (the failed batch is tried again before the next one is stored)."""
    monkeypatch.setattr(ingest_mqtt, "RETRY", (0.05, 0.1))
    loop = ctx.client._loop
    flaky = FailingStore(ctx.store, failures=2)
    consumer = MqttIngest(ctx.url, flaky, loop, client_id=f"t-{uuid.uuid4().hex[:8]}")  # type: ignore[arg-type]
    acks: list[int] = []
    real_ack = consumer.client.ack
    consumer.client.ack = lambda ids, conn: (acks.extend(ids), real_ack(ids, conn))  # type: ignore[method-assign]
    consumer.start()
    try:
        wait_for(consumer.connected.is_set)
        time.sleep(0.2)
        publish(ctx.url, f"/{ctx.apikey}/klima-001/attrs", b'{"t": 1.5}')
        publish(ctx.url, f"/{ctx.apikey}/klima-001/attrs", b'{"t": 2.5}')
        wait_for(lambda: len(acks) == 2)
        # two failed attempts, then the one batch or the two batches the messages made
        assert flaky.attempts in (3, 4)
        assert entity(ctx.client)["temperature"]["value"] == 2.5
        history = ctx.client.get(
            "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:WeatherObserved:klima-001",
            params={"attrs": "temperature", "options": "temporalValues"},
        ).json()
        assert [v for v, _at in history["temperature"]["values"]] == [1.5, 2.5]
    finally:
        consumer.stop()


@pytest.mark.parametrize("ctx", [False], indirect=True, ids=["own-consumer"])
def test_consumer_reconnects_after_the_broker_dropped_it(
    ctx: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mosquitto drops the consumer (another client takes its session over); the consumer
    connects again after its backoff and goes on storing measures."""
    monkeypatch.setattr(mqttclient, "BACKOFF", (0.1, 0.2))
    client_id = f"t-{uuid.uuid4().hex[:8]}"
    consumer = MqttIngest(ctx.url, ctx.store, ctx.client._loop, client_id=client_id)
    consumer.start()
    try:
        wait_for(consumer.connected.is_set)
        generation = consumer.client.generation
        settings = parse_url(ctx.url)
        intruder = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5
        )
        intruder.connect(settings["host"], settings["port"])  # takes the session over
        intruder.disconnect()
        wait_for(lambda: consumer.client.generation > generation and consumer.connected.is_set())
        time.sleep(0.2)  # the SUBACK
        publish(ctx.url, f"/{ctx.apikey}/klima-001/attrs", b'{"t": 7.5}')
        got = wait_for(lambda: entity(ctx.client))
        assert got["temperature"]["value"] == 7.5
    finally:
        consumer.stop()


def _tls_mosquitto(folder: Path, cert: Path, key: Path) -> tuple[subprocess.Popen[bytes], int]:
    """A private Mosquitto with one TLS listener (the certificate's key stays in ``folder``)."""
    if shutil.which("mosquitto") is None:
        pytest.fail("mosquitto is not on the PATH (the MQTT test leg needs it)")
    port = free_port()
    conf = folder / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\ncertfile {cert}\nkeyfile {key}\n"
        "allow_anonymous true\npersistence false\n"
        + ("user root\n" if os.geteuid() == 0 else "")  # root: keep reading the tmp files
    )
    log = folder / "mosquitto.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(["mosquitto", "-c", str(conf)], stdout=out, stderr=out)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise AssertionError(f"the TLS Mosquitto did not start: {log.read_text()}")


@pytest.mark.parametrize("ctx", [False], indirect=True, ids=["own-consumer"])
def test_consumer_over_tls_checks_the_certificate_and_stores_measures(
    ctx: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``mqtts://``: a consumer that does not trust the broker's certificate never connects;
    one that trusts it (a private CA named by SSL_CERT_FILE) stores what is published."""
    cert, key = self_signed(tmp_path)
    proc, port = _tls_mosquitto(tmp_path, cert, key)
    url = f"mqtts://127.0.0.1:{port}"
    trusted = None
    try:
        stranger = MqttIngest(url, ctx.store, ctx.client._loop, client_id=f"s-{uuid.uuid4().hex}")
        stranger.start()
        time.sleep(1.0)
        assert not stranger.connected.is_set()
        stranger.stop()

        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        trusted = MqttIngest(url, ctx.store, ctx.client._loop, client_id=f"t-{uuid.uuid4().hex}")
        trusted.start()
        wait_for(trusted.connected.is_set)
        time.sleep(0.2)  # the SUBACK
        publisher = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        publisher.tls_set(ca_certs=str(cert))
        publisher.connect("127.0.0.1", port)
        publisher.loop_start()
        topic = f"/{ctx.apikey}/klima-001/attrs"
        publisher.publish(topic, b'{"t": 19.25}', qos=1).wait_for_publish(10)
        publisher.loop_stop()
        publisher.disconnect()
        got = wait_for(lambda: entity(ctx.client))
        assert got["temperature"]["value"] == 19.25
    finally:
        if trusted is not None:
            trusted.stop()
        proc.terminate()
        proc.wait(timeout=10)
