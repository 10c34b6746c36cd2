"""A notification receiver that is down for a while gets every notification afterwards.

The real broker process delivers; the receiver (an HTTP server in this process) refuses
connections while the changes are made. The subscription status records the failures; once the
receiver is back, every notification arrives, in the order of the changes, per subscription.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.broker.reliability.conftest import server_for
from tests.broker.reliability.server import BASE, Server, free_port
from tests.broker.subscriptions.receiver import Receiver

ENTITIES = [f"urn:ngsi-ld:WeatherObserved:down-{n}" for n in range(3)]
UPDATES = 10


def subscribe(server: Server, uri: str, entities: list[dict[str, str]]) -> str:
    response = server.request(
        "POST",
        f"{BASE}/subscriptions",
        json={
            "type": "Subscription",
            "entities": entities,
            "watchedAttributes": ["temperature"],
            "notification": {
                "attributes": ["temperature"],
                "format": "keyValues",
                "endpoint": {"uri": uri, "accept": "application/json"},
            },
        },
    )
    assert response.status_code == 201, response.text
    return str(response.headers["Location"]).rsplit("/", 1)[-1]


def status(server: Server, sub_id: str) -> dict[str, Any]:
    response = server.request("GET", f"{BASE}/subscriptions/{sub_id}")
    assert response.status_code == 200, response.text
    notification: dict[str, Any] = response.json()["notification"]
    return notification


def wait_until(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def changes_of(received: list[dict[str, Any]], sub_id: str) -> list[tuple[str, Any]]:
    """(entity id, temperature) of every notification of one subscription, as received."""
    return [
        (item["id"], item["temperature"])
        for body in received
        if body["subscriptionId"] == sub_id
        for item in body["data"]
    ]


def first_occurrences(changes: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """The changes without repeated deliveries (at least once allows duplicates)."""
    seen: set[tuple[str, Any]] = set()
    unique = []
    for change in changes:
        if change not in seen:
            seen.add(change)
            unique.append(change)
    return unique


def test_receiver_down_gets_every_notification_in_order(
    tmp_path: Path, database: dict[str, str]
) -> None:
    server = server_for(tmp_path, database)
    receiver = Receiver(free_port())  # not started: its port refuses connections
    server.start()
    try:
        every = subscribe(server, receiver.url, [{"type": "WeatherObserved"}])
        one = subscribe(server, receiver.url, [{"type": "WeatherObserved", "id": ENTITIES[0]}])
        written: list[tuple[str, Any]] = []
        for entity_id in ENTITIES:
            entity = {
                "id": entity_id,
                "type": "WeatherObserved",
                "temperature": {"type": "Property", "value": 0},
            }
            response = server.request("POST", f"{BASE}/entities", json=entity)
            assert response.status_code == 201, response.text
            written.append((entity_id, 0))
        for value in range(1, UPDATES + 1):
            for entity_id in ENTITIES:  # interleaved: the order per subscription is global
                response = server.request(
                    "PATCH",
                    f"{BASE}/entities/{entity_id}/attrs",
                    json={"temperature": {"type": "Property", "value": value}},
                )
                assert response.status_code == 204, response.text
                written.append((entity_id, value))

        # the receiver is down: the dispatcher fails, records it and backs off
        for sub_id in (every, one):
            failed = wait_until(
                lambda sub_id=sub_id: (s := status(server, sub_id))["timesFailed"] >= 2 and s,
                10,
                "failures in the subscription status",
            )
            assert failed["status"] == "failed"
            assert "lastFailure" in failed
            assert "lastSuccess" not in failed
            assert failed.get("timesSent", 0) == 0

        receiver.start()
        try:
            expected = {
                every: written,
                one: [change for change in written if change[0] == ENTITIES[0]],
            }

            def complete() -> bool:
                received = list(receiver.received)
                return all(
                    len(first_occurrences(changes_of(received, sub_id))) >= len(changes)
                    for sub_id, changes in expected.items()
                )

            wait_until(complete, 20, "every notification after the receiver came back")
            for sub_id, changes in expected.items():
                assert first_occurrences(changes_of(receiver.received, sub_id)) == changes
                ok = wait_until(
                    lambda sub_id=sub_id: (s := status(server, sub_id))["status"] == "ok" and s,
                    5,
                    "the status after delivery",
                )
                assert "lastSuccess" in ok
                assert ok["lastSuccess"] >= ok["lastFailure"]
                # one notification may carry changes of several entities: timesSent counts
                # the notifications (those the receiver accepted), not the changes
                bodies = [b for b in receiver.received if b["subscriptionId"] == sub_id]
                assert 0 < len(bodies) <= len(changes)
                wait_until(
                    lambda sub_id=sub_id, bodies=bodies: (
                        status(server, sub_id)["timesSent"] == len(bodies)
                    ),
                    5,
                    "timesSent: the notifications received",
                )
        finally:
            receiver.stop()
    finally:
        server.stop()
