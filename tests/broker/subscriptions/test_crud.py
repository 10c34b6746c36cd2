"""Subscriptions over HTTP on both engines: create, retrieve, query, update, delete, errors."""

from __future__ import annotations

import pytest

from tests.broker.conftest import TestClient
from tests.broker.subscriptions.conftest import subscription

BASE = "/ngsi-ld/v1/subscriptions"
URI = "http://127.0.0.1:9/notify"


def test_create_retrieve_query_update_delete(client: TestClient) -> None:
    body = subscription(
        URI,
        id="urn:ngsi-ld:Subscription:s1",
        subscriptionName="weather",
        watchedAttributes=["temperature"],
        q="temperature>20",
        throttling=5,
        expiresAt="2099-01-01T00:00:00Z",
        notification={
            "attributes": ["temperature"],
            "format": "keyValues",
            "showChanges": True,
            "endpoint": {
                "uri": URI,
                "accept": "application/json",
                "receiverInfo": [{"key": "X-Token", "value": "t"}],
            },
        },
    )
    created = client.post(BASE, json=body)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"{BASE}/urn:ngsi-ld:Subscription:s1"
    got = client.get(f"{BASE}/urn:ngsi-ld:Subscription:s1").json()
    assert got["entities"] == [{"type": "WeatherObserved"}]
    assert got["watchedAttributes"] == ["temperature"]
    assert got["q"] == "temperature>20" and got["throttling"] == 5
    assert got["status"] == "active" and got["isActive"] is True
    assert got["notification"]["attributes"] == ["temperature"]
    assert got["notification"]["format"] == "keyValues"
    assert got["notification"]["timesSent"] == 0
    assert got["notification"]["endpoint"]["receiverInfo"] == [{"key": "X-Token", "value": "t"}]
    assert client.post(BASE, json=body).status_code == 409
    client.post(BASE, json=subscription(URI))
    listed = client.get(BASE, params={"count": "true"})
    assert listed.headers["NGSILD-Results-Count"] == "2" and len(listed.json()) == 2
    patched = client.patch(
        f"{BASE}/urn:ngsi-ld:Subscription:s1",
        json={"isActive": False, "notification": {"format": "concise", "endpoint": {"uri": URI}}},
    )
    assert patched.status_code == 204, patched.text
    got = client.get(f"{BASE}/urn:ngsi-ld:Subscription:s1").json()
    assert got["status"] == "paused" and got["notification"]["format"] == "concise"
    assert got["notification"]["attributes"] == ["temperature"]
    assert client.delete(f"{BASE}/urn:ngsi-ld:Subscription:s1").status_code == 204
    assert client.get(f"{BASE}/urn:ngsi-ld:Subscription:s1").status_code == 404
    assert client.delete(f"{BASE}/urn:ngsi-ld:Subscription:s1").status_code == 404


@pytest.mark.parametrize(
    ("change", "member"),
    [
        ({"notification": None}, "notification"),
        ({"notification": {"endpoint": {"uri": "ftp://x/y"}}}, "notification.endpoint.uri"),
        ({"notification": {"endpoint": {"uri": "nope"}}}, "notification.endpoint.uri"),
        (
            {"notification": {"endpoint": {"uri": URI, "accept": "text/csv"}}},
            "notification.endpoint.accept",
        ),
        ({"notification": {"format": "xml", "endpoint": {"uri": URI}}}, "notification.format"),
        ({"entities": [{"id": "urn:x:1"}]}, "entities[0]"),
        ({"entities": None, "watchedAttributes": None}, "entities"),
        ({"watchedAttributes": []}, "watchedAttributes"),
        ({"notificationTrigger": ["whenever"]}, "notificationTrigger"),
        ({"timeInterval": -5}, "timeInterval"),
        ({"timeInterval": 5, "watchedAttributes": ["a"]}, "timeInterval"),
        ({"throttling": "fast"}, "throttling"),
        ({"q": "temperature>>"}, "q"),
        ({"expiresAt": "tomorrow"}, "expiresAt"),
        ({"isActive": "yes"}, "isActive"),
        ({"type": "Subscriptions"}, "type"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_validation_errors_name_the_member(
    client: TestClient, change: dict[str, object], member: str
) -> None:
    body = {**subscription(URI), **change}
    body = {k: v for k, v in body.items() if v is not None}
    response = client.post(BASE, json=body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"].startswith(member) or member in response.json()["detail"]
    assert client.get(BASE).json() == []
