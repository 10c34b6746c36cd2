"""``dos broker service|device``, ``dos ingest`` and ``dos simulate`` from the shell."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from dos.broker.store.sqlite import SqliteStore
from tests.cli.conftest import Run
from tests.services import mqtt_url


def test_service_and_device_commands(dos: Run) -> None:
    assert dos("migrate", "--only", "broker").returncode == 0
    added = dos(
        "broker",
        "service",
        "add",
        "--apikey",
        "k1",
        "--entity-type",
        "WeatherObserved",
        "--tenant",
        "dortmund",
    )
    assert added.returncode == 0, added.stderr
    device = dos(
        "broker",
        "device",
        "add",
        "d-1",
        "--attr",
        "t=temperature:CEL",
        "--location",
        "51.5,7.4",
        "--static",
        "height=3.3",
        "--tenant",
        "dortmund",
    )
    assert device.returncode == 0, device.stderr
    assert "urn:ngsi-ld:WeatherObserved:d-1" in device.stdout
    listed = dos("broker", "device", "list", "--tenant", "dortmund")
    assert "d-1" in listed.stdout and "t=temperature" in listed.stdout
    assert "1 devices" in listed.stdout
    assert "k1" in dos("broker", "service", "list", "--tenant", "dortmund").stdout
    again = dos("broker", "device", "add", "d-1", "--tenant", "dortmund")
    assert again.returncode == 2 and "device d-1 already exists" in again.stderr
    bad = dos("broker", "device", "add", "d-2", "--attr", "nonsense", "--tenant", "dortmund")
    assert bad.returncode == 2 and "OBJECT_ID=NAME" in bad.stderr
    assert dos("broker", "device", "remove", "d-1", "--tenant", "dortmund").returncode == 0
    assert "0 devices" in dos("broker", "device", "list", "--tenant", "dortmund").stdout
    gone = dos("broker", "service", "remove", "--apikey", "k1")  # another tenant: not found
    assert gone.returncode == 2 and "no service group with apikey k1" in gone.stderr


def test_ingest_needs_an_mqtt_url(dos: Run) -> None:
    result = dos("ingest")
    assert result.returncode == 2
    assert "DOS_MQTT_URL is not set" in result.stderr


def test_simulate_rejects_bad_options(dos: Run) -> None:
    result = dos("simulate", "--interval", "0")
    assert result.returncode == 2 and "--interval" in result.stderr
    assert "--speed" in dos("simulate", "--help").stdout


def test_ingest_consumes_measures_alone(dos: Run, tmp_path: Any) -> None:
    """``dos ingest`` (no HTTP server) stores a measure published on MQTT."""
    url = mqtt_url()
    assert dos("migrate", "--only", "broker").returncode == 0
    apikey = f"k{uuid.uuid4().hex[:10]}"
    dos("broker", "service", "add", "--apikey", apikey, "--entity-type", "WeatherObserved")
    dos("broker", "device", "add", "cli-1", "--attr", "t=temperature:CEL")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOS_")}
    # a share group of this test only: other consumers of the same Mosquitto (and their
    # persistent sessions) must not take the measure
    env.update(DOS_DATA_DIR=str(tmp_path / "var"), DOS_MQTT_URL=url, DOS_MQTT_GROUP=f"t{apikey}")
    consumer = subprocess.Popen(
        [sys.executable, "-m", "dos", "ingest", "--client-id", f"t-{apikey}"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert consumer.stdout is not None
        assert "consuming" in consumer.stdout.readline()
        time.sleep(1.0)  # connected and subscribed
        parts = urlsplit(url)
        for _attempt in range(10):  # the share group "dos" may have other members here
            subprocess.run(
                [
                    "mosquitto_pub",
                    "-h",
                    str(parts.hostname),
                    "-p",
                    str(parts.port or 1883),
                    "-q",
                    "1",
                    "-t",
                    f"/{apikey}/cli-1/attrs",
                    "-m",
                    '{"t": 17.5}',
                ],
                check=True,
                timeout=10,
            )
            time.sleep(1.0)
            store = SqliteStore(tmp_path / "var" / "broker.sqlite3")
            try:
                doc = store.read(lambda s: s.get("", "urn:ngsi-ld:WeatherObserved:cli-1"))
            finally:
                store.close()
            if doc:
                break
        assert doc is not None, "the measure was not stored"
        temperature = doc["attrs"]["https://uri.etsi.org/ngsi-ld/default-context/temperature"]
        assert temperature[0]["value"] == 17.5
    finally:
        consumer.send_signal(signal.SIGTERM)
        consumer.wait(timeout=20)
    assert consumer.returncode == 0
