"""SIGKILL of the broker during concurrent HTTP writes and MQTT ingestion, then a restart.

Every write that was acknowledged — a 2xx answer, or for MQTT a PUBACK from the MQTT broker
to the publishing sensor — is in the entity state and in the temporal history after the
restart, and the subscriber receives a notification for each of them (at least once).
The MQTT part runs when DOS_TEST_MQTT_URL is set (required in CI).
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from dos.broker.ingest.mqtt import client_id_for
from dos.config import load
from tests.broker.ingest.conftest import device, service
from tests.broker.reliability.conftest import server_for
from tests.broker.reliability.server import BASE, Server
from tests.broker.subscriptions.receiver import Receiver
from tests.services import REQUIRED, mqtt_url

WRITERS = 3
DEVICES = 2
HISTORY_LIMIT = "100000"  # instances in one temporal answer of the test's server
Change = tuple[str, int]  # (entity id, temperature)


class HttpWriter(threading.Thread):
    """Updates one entity over and over; remembers every value answered with 2xx."""

    def __init__(self, server: Server, entity_id: str, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.server, self.entity_id, self.stop = server, entity_id, stop
        self.acked: list[int] = []
        self.errors: list[str] = []

    def run(self) -> None:
        value = 0
        answered = True
        # after ``stop``, until one more write is answered: its value is the final state
        while not (self.stop.is_set() and answered):
            value += 1
            try:
                response = self.server.request(
                    "PATCH",
                    f"{BASE}/entities/{self.entity_id}/attrs",
                    json={"temperature": {"type": "Property", "value": value}},
                )
            except httpx.HTTPError:  # the server is down: no answer, no promise
                answered = False
                time.sleep(0.1)
                continue
            answered = True
            if response.status_code == 204:
                self.acked.append(value)
            elif response.status_code < 500:
                self.errors.append(f"{response.status_code} {response.text}")
                return


class MqttPublisher(threading.Thread):
    """A QoS 1 sensor: publishes measures of every device, remembers what got a PUBACK."""

    def __init__(self, url: str, apikey: str, devices: list[str], stop: threading.Event) -> None:
        super().__init__(daemon=True)
        parts = urlsplit(url)
        self.host, self.port = str(parts.hostname), parts.port or 1883
        self.apikey, self.devices, self.stop = apikey, devices, stop
        self.acked: dict[str, list[int]] = {device: [] for device in devices}
        self.refused: list[str] = []
        self._reasons: dict[int, Any] = {}
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.client.on_publish = self._on_publish
        self.client.connect(self.host, self.port)
        self.client.loop_start()

    def _on_publish(self, client: Any, userdata: Any, mid: int, reason: Any, props: Any) -> None:
        self._reasons[mid] = reason

    def publish(self, device: str, value: int) -> None:
        """Publish one measure and wait for its PUBACK."""
        info = self.client.publish(
            f"/{self.apikey}/{device}/attrs", f'{{"t": {value}}}'.encode(), qos=1
        )
        info.wait_for_publish(10)
        reason = self._reasons.pop(info.mid, None)
        if reason is None:  # no PUBACK in time: no promise
            return
        if reason.is_failure or reason.value != 0:  # 16: no matching subscribers
            self.refused.append(f"{device}={value}: {reason}")
        else:
            self.acked[device].append(value)

    def run(self) -> None:
        value = 0
        while not self.stop.is_set():
            value += 1
            for name in self.devices:
                self.publish(name, value)
            time.sleep(0.1)

    def close(self) -> None:
        if self.client.is_connected():
            self.client.disconnect()
        self.client.loop_stop()


def entity_of(device: str) -> str:
    return f"urn:ngsi-ld:WeatherObserved:{device}"


def provision(server: Server, apikey: str, devices: list[str]) -> None:
    response = server.request("POST", "/iot/services", json={"services": [service(apikey=apikey)]})
    assert response.status_code == 201, response.text
    response = server.request(
        "POST",
        "/iot/devices",
        json={"devices": [device(device_id, apikey=apikey) for device_id in devices]},
    )
    assert response.status_code == 201, response.text


def mqtt_client_id(server: Server) -> str:
    """The stable client id of the server's MQTT consumer (its persistent session)."""
    settings = {k: v for k, v in server.env.items() if k.startswith("DOS_")}
    return client_id_for(
        load({k: v for k, v in settings.items() if not k.startswith("DOS_TEST_")}), "serve"
    )


def forget_session(url: str, client_id: str) -> None:
    """End the broker's persistent MQTT session, so Mosquitto queues nothing more for it."""
    parts = urlsplit(url)
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    properties.SessionExpiryInterval = 0
    client.connect(str(parts.hostname), parts.port or 1883, clean_start=True, properties=properties)
    client.disconnect()


def first_measure(server: Server, publisher: MqttPublisher, device: str) -> None:
    """Publish a device's first measure (it creates the entity) until it is stored.

    Until the server's consumer has subscribed, Mosquitto answers "no matching subscribers"
    and drops the measure (the caller forgets those refusals afterwards).
    """
    deadline = time.monotonic() + 15
    while True:
        publisher.publish(device, 0)
        for _poll in range(5):
            if current(server, entity_of(device)) is not None:
                return
            time.sleep(0.2)
        assert time.monotonic() < deadline, f"the first measure of {device} was never stored"


@pytest.fixture
def mqtt_settings() -> Iterator[dict[str, str]]:
    """DOS_MQTT_URL and a share group of this test only, when an MQTT broker is configured."""
    if not os.environ.get("DOS_TEST_MQTT_URL") and not REQUIRED:
        yield {}  # the HTTP part still runs
        return
    yield {"DOS_MQTT_URL": mqtt_url(), "DOS_MQTT_GROUP": f"crash{uuid.uuid4().hex[:8]}"}


def history(server: Server, entity_id: str) -> list[int]:
    """The recorded temperatures of an entity, oldest first (all of them: the test's server
    answers up to HISTORY_LIMIT instances, more than the writers manage in the test)."""
    response = server.request(
        "GET",
        f"{BASE}/temporal/entities/{entity_id}",
        params={"attrs": "temperature", "options": "temporalValues", "lastN": HISTORY_LIMIT},
    )
    assert response.status_code == 200, response.text
    assert response.headers.get("Content-Range") is None, "history cut: raise HISTORY_LIMIT"
    return [int(value) for value, _at in response.json()["temperature"]["values"]]


def current(server: Server, entity_id: str) -> int | None:
    response = server.request(
        "GET", f"{BASE}/entities/{entity_id}", params={"attrs": "temperature"}
    )
    if response.status_code != 200:
        return None
    return int(response.json()["temperature"]["value"])


def notified(receiver: Receiver) -> set[Change]:
    return {
        (item["id"], int(item["temperature"]))
        for body in list(receiver.received)
        for item in body["data"]
        if "temperature" in item
    }


def test_acknowledged_writes_and_their_notifications_survive_sigkill(
    tmp_path: Path, database: dict[str, str], mqtt_settings: dict[str, str]
) -> None:
    server = server_for(
        tmp_path, database, DOS_BROKER_TEMPORAL_LIMIT=HISTORY_LIMIT, **mqtt_settings
    )
    receiver = Receiver().start()
    stop = threading.Event()
    publisher: MqttPublisher | None = None
    server.start()
    try:
        response = server.request(
            "POST",
            f"{BASE}/subscriptions",
            json={
                "type": "Subscription",
                "entities": [{"type": "WeatherObserved"}],
                "watchedAttributes": ["temperature"],
                "notification": {
                    "attributes": ["temperature"],
                    "format": "keyValues",
                    "endpoint": {"uri": receiver.url, "accept": "application/json"},
                },
            },
        )
        assert response.status_code == 201, response.text
        acked: dict[str, list[int]] = {}
        writers = []
        for n in range(WRITERS):
            entity_id = f"urn:ngsi-ld:WeatherObserved:http-{n}"
            entity = {
                "id": entity_id,
                "type": "WeatherObserved",
                "temperature": {"type": "Property", "value": 0},
            }
            assert server.request("POST", f"{BASE}/entities", json=entity).status_code == 201
            acked[entity_id] = [0]
            writers.append(HttpWriter(server, entity_id, stop))
        if mqtt_settings:
            apikey = f"k{uuid.uuid4().hex[:10]}"
            devices = [f"crash-{n}" for n in range(DEVICES)]
            provision(server, apikey, devices)
            publisher = MqttPublisher(mqtt_settings["DOS_MQTT_URL"], apikey, devices, stop)
            for name in devices:
                first_measure(server, publisher, name)
            publisher.refused.clear()
        for thread in [*writers, *([publisher] if publisher else [])]:
            thread.start()
        time.sleep(1.5)
        server.kill()  # mid-stream: writes and measures in flight
        time.sleep(0.5)  # the sensor goes on publishing while the broker is down
        server.start()
        time.sleep(1.0)  # writes after the restart too
        stop.set()
        for thread in [*writers, *([publisher] if publisher else [])]:
            thread.join(15)
        for writer in writers:
            assert not writer.errors, writer.errors
            acked[writer.entity_id] += writer.acked
        if publisher is not None:
            publisher.close()
            assert not publisher.refused, publisher.refused
            for device, values in publisher.acked.items():
                acked[entity_of(device)] = values  # the first measure (0) included
        assert all(len(values) > 5 for values in acked.values()), acked

        # the state: the last acknowledged value (MQTT: once the queued measures are consumed)
        for entity_id, values in acked.items():
            deadline = time.monotonic() + 20
            while (state := current(server, entity_id)) != values[-1]:
                if time.monotonic() > deadline:
                    raise AssertionError(f"{entity_id} is {state}, acknowledged last {values[-1]}")
                time.sleep(0.2)
        # the history: every acknowledged value, in the order written (a measure stored again
        # after the restart, its acknowledgement lost in the kill, may repeat the latest ones)
        for entity_id, values in acked.items():
            recorded = history(server, entity_id)
            missing = set(values) - set(recorded)
            assert not missing, f"{entity_id}: acknowledged but not in the history: {missing}"
            first = list(dict.fromkeys(recorded))
            assert first == sorted(first), f"{entity_id}: history out of order: {recorded}"
        # the notifications: one for every acknowledged change, at least once
        expected = {(entity_id, value) for entity_id, values in acked.items() for value in values}
        deadline = time.monotonic() + 25
        while (missing := expected - notified(receiver)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not missing, (
            f"{len(missing)} acknowledged changes never notified: {sorted(missing)[:5]}…"
        )
    finally:
        stop.set()
        if publisher is not None:
            publisher.close()
        receiver.stop()
        server.stop()
        if mqtt_settings:
            forget_session(mqtt_settings["DOS_MQTT_URL"], mqtt_client_id(server))
