"""Rendering and sending one notification (ETSI GS CIM 009 §5.3.1, §7.2 HTTP, MQTT binding)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from dos.broker.jsonld.active import ActiveContext
from dos.broker.jsonld.compact import compact_entity
from dos.broker.jsonld.resolver import link_header


def render(record: dict[str, Any], payload: dict[str, Any], ctx: ActiveContext) -> dict[str, Any]:
    """The Notification body: data in the subscription's format, attributes and @context."""
    notification = record["notification"]
    attrs = set(notification["attributes"]) if notification.get("attributes") else None
    data = []
    previous = payload.get("previous") or {}
    for doc in payload["entities"]:
        if "deletedAt" in doc and "attrs" not in doc:
            data.append({"id": doc["id"], "type": _types(doc, ctx), "deletedAt": doc["deletedAt"]})
            continue
        entity = compact_entity(
            doc,
            ctx,
            representation=notification.get("format", "normalized"),
            attrs=attrs,
            sys_attrs=bool(notification.get("sysAttrs")),
        )
        for iri, instances in previous.items():
            name = ctx.compact(iri)
            if isinstance(entity.get(name), dict) and instances:
                first = instances[0]
                entity[name]["previousValue"] = first.get("value", first.get("object"))
        data.append(entity)
    body: dict[str, Any] = {
        "id": payload["id"],
        "type": "Notification",
        "subscriptionId": payload["subscriptionId"],
        "notifiedAt": payload["notifiedAt"],
        "data": data,
    }
    if notification["endpoint"].get("accept") == "application/ld+json":
        body["@context"] = ctx.context_value()
    return body


def _types(doc: dict[str, Any], ctx: ActiveContext) -> Any:
    names = [ctx.compact(t) for t in doc.get("type", [])]
    return names[0] if len(names) == 1 else names


def headers_of(record: dict[str, Any], ctx: ActiveContext, tenant: str) -> dict[str, str]:
    endpoint = record["notification"]["endpoint"]
    accept = endpoint.get("accept", "application/json")
    headers = {
        "Content-Type": "application/ld+json"
        if accept == "application/ld+json"
        else "application/json"
    }
    if accept != "application/ld+json":
        headers["Link"] = link_header(ctx.link_url())
    if tenant:
        headers["NGSILD-Tenant"] = tenant
    for item in endpoint.get("receiverInfo", []):
        headers[item["key"]] = item["value"]
    return headers


class DeliveryError(Exception):
    """The endpoint did not accept the notification (a retry may succeed)."""


async def send_http(
    client: httpx.AsyncClient, uri: str, body: dict[str, Any], headers: dict[str, str]
) -> None:
    try:
        response = await client.post(uri, content=orjson.dumps(body), headers=headers)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
    if response.status_code >= 300:
        raise DeliveryError(f"HTTP {response.status_code}")


def _publish_mqtt(
    uri: str, body: dict[str, Any], headers: dict[str, str], qos: int, timeout: float
) -> None:
    import paho.mqtt.publish as publish

    parts = urlsplit(uri)
    topic = parts.path.lstrip("/")
    message = orjson.dumps({"metadata": headers, "body": body})
    auth = {"username": parts.username, "password": parts.password} if parts.username else None
    tls: dict[str, Any] | None = {} if parts.scheme == "mqtts" else None
    publish.single(
        topic,
        message,
        qos=qos,
        hostname=parts.hostname or "localhost",
        port=parts.port or (8883 if parts.scheme == "mqtts" else 1883),
        auth=auth,  # type: ignore[arg-type]
        tls=tls,  # type: ignore[arg-type]
        keepalive=int(max(timeout, 5)),
    )


async def send_mqtt(
    uri: str,
    body: dict[str, Any],
    headers: dict[str, str],
    notifier_info: list[dict[str, str]],
    timeout: float,
) -> None:
    qos = 0
    for item in notifier_info:
        if item["key"] == "MQTT-QoS" and item["value"] in ("0", "1", "2"):
            qos = int(item["value"])
    try:
        await asyncio.wait_for(
            asyncio.to_thread(_publish_mqtt, uri, body, headers, qos, timeout), timeout
        )
    except (OSError, TimeoutError, ValueError) as exc:
        raise DeliveryError(f"MQTT: {exc}") from None
    except Exception as exc:  # paho raises its own error classes
        raise DeliveryError(f"MQTT: {type(exc).__name__}: {exc}") from None
