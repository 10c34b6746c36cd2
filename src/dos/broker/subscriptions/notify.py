"""Rendering and sending one notification (ETSI GS CIM 009 §5.3.1, §7.2 HTTP, MQTT binding)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

import orjson

from dos.broker.jsonld.active import ActiveContext
from dos.broker.jsonld.compact import compact_attribute, compact_entity
from dos.broker.jsonld.resolver import link_header
from dos.broker.query.projection import CORE_MEMBERS
from dos.broker.subscriptions.httpclient import HttpClient, HttpError
from dos.broker.temporal.history import NULL, VALUE_KEYS

#: attribute kind → the member holding the previous value with ``showChanges`` (§5.2.12)
PREVIOUS = {
    "value": "previousValue",
    "object": "previousObject",
    "languageMap": "previousLanguageMap",
    "vocab": "previousVocab",
    "json": "previousJson",
    "valueList": "previousValueList",
    "objectList": "previousObjectList",
}


def render(record: dict[str, Any], payload: dict[str, Any], ctx: ActiveContext) -> dict[str, Any]:
    """The Notification body: data in the subscription's format, attributes and @context."""
    notification = record["notification"]
    attrs = set(notification["attributes"]) if notification.get("attributes") else None
    fmt = notification.get("format", "normalized")
    datasets = set(record["datasetId"]) if record.get("datasetId") else None
    data = []
    previous = payload.get("previous") or {}
    deleted = payload.get("deleted") or {}
    for doc in payload["entities"]:
        entity_deleted = "deletedAt" in doc and "attrs" not in doc
        if entity_deleted:
            entity: dict[str, Any] = {"id": doc["id"], "type": _types(doc, ctx)}
            if notification.get("sysAttrs"):
                entity.update({k: doc[k] for k in ("createdAt", "modifiedAt") if k in doc})
            entity["deletedAt"] = doc["deletedAt"]
        else:
            if datasets is not None:
                doc = _in_datasets(doc, datasets)
            entity = compact_entity(
                doc,
                ctx,
                representation=fmt,
                attrs=attrs,
                lang=record.get("lang"),
                sys_attrs=bool(notification.get("sysAttrs")),
            )
        sys_attrs = bool(notification.get("sysAttrs"))
        for iri, instances in deleted.items():
            if not instances or (attrs is not None and iri not in attrs):
                continue
            nulls = [
                _null(i, fmt, whole=entity_deleted, at=payload["notifiedAt"] if sys_attrs else None)
                for i in instances
            ]
            name = ctx.compact(iri)
            kept = entity.get(name)
            if fmt == "keyValues":
                entity[name] = _simplified_with_deleted(kept, instances)
                continue
            if kept is not None:  # some instances (other datasetIds) remain
                nulls = [*(kept if isinstance(kept, list) else [kept]), *nulls]
            entity[name] = nulls[0] if len(nulls) == 1 else nulls
        if fmt != "keyValues":
            for iri, instances in previous.items():
                name = ctx.compact(iri)
                if isinstance(entity.get(name), dict) and instances:
                    shown = compact_attribute([instances[0]], ctx)
                    for key, member in PREVIOUS.items():
                        if key in shown:
                            entity[name][member] = shown[key]
                            break
        data.append(_project(entity, notification, ctx))
    body: dict[str, Any] = {
        "id": payload["id"],
        "type": "Notification",
        "subscriptionId": payload["subscriptionId"],
        "notifiedAt": payload["notifiedAt"],
        "data": data,
    }
    if notification["endpoint"].get("accept") == "application/ld+json":
        # JSON-LD: the notification and every entity in it carry the @context (§5.3.1)
        body["@context"] = ctx.context_value()
        body["data"] = [{**item, "@context": body["@context"]} for item in data]
    return body


def _simplified_with_deleted(kept: Any, deleted: list[dict[str, Any]]) -> Any:
    """keyValues of an attribute with deleted instances: ``urn:ngsi-ld:null`` for each; with
    datasetIds involved, the multi-attribute form ``{"dataset": {datasetId | @none: value}}``
    (§4.5.4) holding the remaining instances too."""
    if isinstance(kept, dict) and kept.keys() == {"dataset"}:
        datasets = dict(kept["dataset"])
    else:
        datasets = {} if kept is None else {"@none": kept}
    for instance in deleted:
        datasets[instance.get("datasetId", "@none")] = NULL
    if datasets.keys() == {"@none"}:
        return datasets["@none"]
    return {"dataset": datasets}


def _null(instance: dict[str, Any], fmt: str, *, whole: bool, at: str | None) -> Any:
    """A deleted attribute instance: its value ``urn:ngsi-ld:null`` (a LanguageProperty's as
    ``{"@none": ...}`` when only the attribute was deleted), its datasetId, and with
    ``sysAttrs`` when it was deleted."""
    if fmt == "keyValues":
        return NULL
    kind = str(instance.get("type", "Property"))
    key = VALUE_KEYS.get(kind, "value")
    value: Any = {"@none": NULL} if key == "languageMap" and not whole else NULL
    out: dict[str, Any] = {"type": kind, key: value}
    if "datasetId" in instance:
        out["datasetId"] = instance["datasetId"]
    if at is not None:  # sysAttrs
        out.update({k: instance[k] for k in ("createdAt", "modifiedAt") if k in instance})
        out["deletedAt"] = at
    return out


def _in_datasets(doc: dict[str, Any], datasets: set[str]) -> dict[str, Any]:
    """The entity with only the attribute instances of the subscription's ``datasetId``
    (``@none``: the default instance)."""
    attrs = {}
    for iri, instances in (doc.get("attrs") or {}).items():
        kept = [i for i in instances if i.get("datasetId", "@none") in datasets]
        if kept:
            attrs[iri] = kept
    return {**doc, "attrs": attrs}


def _project(entity: dict[str, Any], notification: dict[str, Any], ctx: ActiveContext) -> Any:
    """The members ``notification.pick`` keeps and ``notification.omit`` drops (§4.21)."""
    pick, omit = notification.get("pick"), notification.get("omit")
    if pick is None and omit is None:
        return entity

    def names(keys: list[str]) -> set[str]:
        return {k if k in CORE_MEMBERS else ctx.compact(k) for k in keys}

    kept = names(pick) if pick is not None else None
    dropped = names(omit) if omit is not None else set()
    return {k: v for k, v in entity.items() if (kept is None or k in kept) and k not in dropped}


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
    client: HttpClient, uri: str, body: dict[str, Any], headers: dict[str, str]
) -> None:
    try:
        status = await client.post(uri, orjson.dumps(body), headers)
    except HttpError as exc:
        raise DeliveryError(str(exc)) from None
    if status >= 300:
        raise DeliveryError(f"HTTP {status}")


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
