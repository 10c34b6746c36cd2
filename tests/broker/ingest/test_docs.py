"""The "connect a real sensor" example of docs/ingestion.md, run as written.

A real ``dos serve --only broker`` with DOS_MQTT_URL, the example's shell block (``dos``,
curl, mosquitto_pub), then the entity read back.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from tests.services import mqtt_url

DOC = Path(__file__).resolve().parents[3] / "docs" / "ingestion.md"
ENTITY = "urn:ngsi-ld:WeatherObserved:balcony-01"


def example() -> str:
    match = re.search(r"```sh example\n(.*?)\n```", DOC.read_text(), re.S)
    assert match, "docs/ingestion.md has no ```sh example block"
    return match.group(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_connect_a_real_sensor_example(tmp_path: Path) -> None:
    url = mqtt_url()
    mqtt = urlsplit(url)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOS_")}
    env.update(
        DOS_DATA_DIR=str(tmp_path / "var"),
        DOS_MQTT_URL=url,
        DOS_MQTT_GROUP=f"docs{uuid.uuid4().hex[:8]}",  # no other consumer takes the measure
        PYTHONPATH=os.environ.get("PYTHONPATH", str(Path(__file__).resolve().parents[3] / "src")),
    )
    dos = [sys.executable, "-m", "dos"]
    subprocess.run(
        [*dos, "migrate", "--only", "broker"], env=env, check=True, timeout=60, capture_output=True
    )
    server = subprocess.Popen(
        [*dos, "serve", "--only", "broker", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        time.sleep(1.0)  # the MQTT subscription
        script = example().replace(
            "-h 127.0.0.1 -p 1883", f"-h {mqtt.hostname} -p {mqtt.port or 1883}"
        )
        shell = f'dos() {{ "{sys.executable}" -m dos "$@"; }}\nexport DOS={base}\nset -e\n'
        publish = script.splitlines()[-1]
        assert publish.startswith("mosquitto_pub ")
        done = subprocess.run(
            ["bash", "-c", shell + script], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        entity = None
        for _attempt in range(10):  # another consumer of the share group may take a message
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline:
                response = httpx.get(
                    f"{base}/ngsi-ld/v1/entities/{ENTITY}", headers={"NGSILD-Tenant": "dortmund"}
                )
                if response.status_code == 200:
                    entity = response.json()
                    break
                time.sleep(0.1)
            if entity:
                break
            subprocess.run(["bash", "-c", publish], env=env, check=True, timeout=10)
        assert entity is not None, "the measure never arrived"
        assert entity["temperature"]["value"] == 21.4
        assert entity["temperature"]["unitCode"] == "CEL"
        assert entity["relativeHumidity"]["value"] == 52
        assert entity["location"]["value"]["coordinates"] == [7.4653, 51.5136]
    finally:
        server.terminate()
        server.wait(timeout=20)
