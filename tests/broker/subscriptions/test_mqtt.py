"""Notifications published to a real MQTT broker (Mosquitto of the MQTT test leg)."""

from __future__ import annotations

import json
import queue
import uuid
from typing import Any
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt

from tests.broker.conftest import TestClient
from tests.broker.subscriptions.conftest import Running
from tests.services import mqtt_url

BASE = "/ngsi-ld/v1"


def test_notification_published_to_mqtt(client: TestClient, dispatcher: Running) -> None:
    url = urlsplit(mqtt_url())
    topic = f"dos-test/{uuid.uuid4().hex}/notify"
    received: queue.Queue[dict[str, Any]] = queue.Queue()
    subscribed: queue.Queue[bool] = queue.Queue()
    listener = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    listener.on_message = lambda c, u, message: received.put(json.loads(message.payload))
    listener.on_subscribe = lambda *args: subscribed.put(True)
    listener.connect(url.hostname or "127.0.0.1", url.port or 1883)
    listener.subscribe(topic, qos=1)
    listener.loop_start()
    try:
        subscribed.get(timeout=5)
        endpoint = f"mqtt://{url.hostname}:{url.port or 1883}/{topic}"
        body = {
            "type": "Subscription",
            "entities": [{"type": "Sensor"}],
            "notification": {
                "format": "keyValues",
                "endpoint": {
                    "uri": endpoint,
                    "notifierInfo": [{"key": "MQTT-QoS", "value": "1"}],
                },
            },
        }
        assert client.post(f"{BASE}/subscriptions", json=body).status_code == 201
        entity = {
            "id": "urn:ngsi-ld:Sensor:m1",
            "type": "Sensor",
            "level": {"type": "Property", "value": 4},
        }
        assert client.post(f"{BASE}/entities", json=entity).status_code == 201
        message = received.get(timeout=10)
        assert message["body"]["type"] == "Notification"
        assert message["body"]["data"] == [
            {"id": "urn:ngsi-ld:Sensor:m1", "type": "Sensor", "level": 4}
        ]
        assert message["metadata"]["Content-Type"] == "application/json"
    finally:
        listener.loop_stop()
        listener.disconnect()
