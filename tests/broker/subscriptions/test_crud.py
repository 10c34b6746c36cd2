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
    assert got["status"] == "active" and "isActive" not in got  # shown only when given
    assert got["notification"]["attributes"] == ["temperature"]
    assert got["notification"]["format"] == "keyValues"
    assert "timesSent" not in got["notification"]  # nothing sent yet
    assert got["notificationTrigger"] == ["attributeCreated", "attributeUpdated"]
    assert "jsonldContext" not in got  # not given: the @context of the request is used
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
            {"notification": {"endpoint": {"uri": "http://x/a b\r\nX: 1"}}},
            "notification.endpoint.uri",
        ),
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
        ({"id": ""}, "id"),
        ({"jsonldContext": "unknownContext"}, "jsonldContext"),
        ({"datasetId": ["not a uri"]}, "datasetId"),
        (
            {"notification": {"endpoint": {"uri": URI}, "pick": ["id"], "omit": ["id"]}},
            "notification.pick",
        ),
        (
            {"notification": {"endpoint": {"uri": URI}, "pick": ["id"], "attributes": ["a"]}},
            "notification.pick",
        ),
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


def test_ids_that_are_not_uris_are_refused(client: TestClient) -> None:
    for method in ("get", "delete"):
        response = getattr(client, method)(f"{BASE}/invalidId")
        assert response.status_code == 400, response.text
    assert client.patch(f"{BASE}/invalidId", json={"q": "a>1"}).status_code == 400


def test_update_refuses_an_expiry_in_the_past(client: TestClient) -> None:
    client.post(BASE, json=subscription(URI, id="urn:ngsi-ld:Subscription:old"))
    response = client.patch(
        f"{BASE}/urn:ngsi-ld:Subscription:old", json={"expiresAt": "2000-01-01T00:00:00Z"}
    )
    assert response.status_code == 400 and "expiresAt" in response.json()["detail"]
    assert "expiresAt" not in client.get(f"{BASE}/urn:ngsi-ld:Subscription:old").json()


def test_an_unreachable_jsonld_context_is_503_and_nothing_is_stored(client: TestClient) -> None:
    body = subscription(URI, jsonldContext="http://127.0.0.1:9/missing.jsonld")
    response = client.post(BASE, json=body)
    assert response.status_code == 503, response.text
    assert client.get(BASE).json() == []


def test_query_pages_have_prev_and_next_links(client: TestClient) -> None:
    for n in range(3):
        client.post(BASE, json=subscription(URI, id=f"urn:ngsi-ld:Subscription:p{n}"))
    middle = client.get(BASE, params={"limit": "1", "offset": "1"})
    assert [s["id"] for s in middle.json()] == ["urn:ngsi-ld:Subscription:p1"]
    links = middle.headers["Link"].split(",")
    assert (
        '</ngsi-ld/v1/subscriptions?limit=1&offset=0>;rel="prev";type="application/json"' in links
    )
    assert (
        '</ngsi-ld/v1/subscriptions?limit=1&offset=2>;rel="next";type="application/json"' in links
    )
    last = client.get(BASE, params={"limit": "1", "offset": "2"})
    assert "next" not in last.headers["Link"] and "prev" in last.headers["Link"]
