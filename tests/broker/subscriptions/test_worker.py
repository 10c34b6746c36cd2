"""``dos worker --once`` (a real subprocess) delivers what a broker process left pending."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dos.broker.store import open_store
from dos.config import load
from tests.broker.conftest import broker_client
from tests.broker.subscriptions.conftest import subscription
from tests.broker.subscriptions.receiver import Receiver

BASE = "/ngsi-ld/v1"


def test_worker_delivers_pending_notifications(tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("DOS_") or k.startswith("DOS_TEST_")
    }
    env["DOS_DATA_DIR"] = str(tmp_path / "var")
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    store = open_store(load({"DOS_DATA_DIR": env["DOS_DATA_DIR"]}))
    store.migrate()
    receiver = Receiver().start()
    try:
        with broker_client(store, tmp_path, DOS_BROKER_OPEN_WRITES="true") as client:
            client.post(f"{BASE}/subscriptions", json=subscription(receiver.url))
            entity = {
                "id": "urn:ngsi-ld:WeatherObserved:w1",
                "type": "WeatherObserved",
                "temperature": {"type": "Property", "value": 3},
            }
            assert client.post(f"{BASE}/entities", json=entity).status_code == 201
        done = subprocess.run(
            [sys.executable, "-m", "dos", "worker", "--once"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        got = receiver.wait_for(1, timeout=5)
        assert got[0]["data"][0]["temperature"]["value"] == 3
    finally:
        receiver.stop()
