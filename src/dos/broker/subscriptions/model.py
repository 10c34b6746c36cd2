"""Validating subscription payloads into the stored form (ETSI GS CIM 009 §5.2.12).

Names are stored expanded; ``terms`` keeps how the subscription's ``q`` and ``geoQ`` names were
expanded, so that matching inside a write transaction needs no @context resolution. Every
error names the member (``notification.endpoint.uri: …``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from dos.broker.entities.validate import is_uri
from dos.broker.errors import NgsiError
from dos.broker.jsonld.active import ActiveContext
from dos.broker.query.entity_types import type_groups
from dos.broker.query.geo import geo_query_from_json
from dos.broker.query.projection import CORE_MEMBERS
from dos.broker.query.q import parse_q
from dos.broker.query.regex import check_pattern
from dos.broker.query.scope import parse_scope_query
from dos.broker.temporal.times import to_ms

TRIGGERS = (
    "entityCreated",
    "entityUpdated",
    "entityDeleted",
    "attributeCreated",
    "attributeUpdated",
    "attributeDeleted",
)
DEFAULT_TRIGGERS = ["attributeCreated", "attributeUpdated"]
FORMATS = ("normalized", "concise", "keyValues", "simplified")
ACCEPTS = ("application/json", "application/ld+json", "application/geo+json")
SCHEMES = ("http", "https", "mqtt", "mqtts")
_TOP = {
    "id",
    "type",
    "subscriptionName",
    "description",
    "entities",
    "watchedAttributes",
    "notificationTrigger",
    "timeInterval",
    "q",
    "geoQ",
    "scopeQ",
    "lang",
    "isActive",
    "notification",
    "expiresAt",
    "throttling",
    "@context",
    "jsonldContext",
    "status",
    "createdAt",
    "modifiedAt",
    "datasetId",
}


def q_text(q: str) -> str:
    """The query of a subscription's ``q``, percent-decoded as in a URL (``%20``)."""
    return unquote(q) if "%" in q else q


def _bad(member: str, problem: str) -> NgsiError:
    return NgsiError("BadRequestData", f"{member}: {problem}")


def _string_list(value: Any, member: str) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise _bad(member, "must be a non-empty list of names")
    return list(value)


def _bool(value: Any, member: str) -> bool:
    if not isinstance(value, bool):
        raise _bad(member, "must be true or false")
    return value


def _positive(value: Any, member: str, *, zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(member, "must be a number")
    if value < 0 or (value == 0 and not zero):
        raise _bad(member, "must be greater than 0")
    return float(value)


def _key_values(value: Any, member: str) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise _bad(member, "must be a list of {key, value} objects")
    for item in value:
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("key"), str)
            or not isinstance(item.get("value"), str)
        ):
            raise _bad(member, "every item needs a string key and a string value")
    return [{"key": i["key"], "value": i["value"]} for i in value]


def _endpoint(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _bad("notification.endpoint", "must be an object with a uri")
    uri = raw.get("uri")
    if not isinstance(uri, str) or "://" not in uri or not is_uri(uri):
        raise _bad("notification.endpoint.uri", f"{uri!r} is not an absolute URI")
    scheme = uri.split("://", 1)[0].lower()
    if scheme not in SCHEMES:
        raise _bad(
            "notification.endpoint.uri", f"scheme {scheme!r} is not one of {', '.join(SCHEMES)}"
        )
    endpoint: dict[str, Any] = {"uri": uri}
    accept = raw.get("accept", "application/json")
    if accept not in ACCEPTS:
        raise _bad("notification.endpoint.accept", f"{accept!r} is not one of {', '.join(ACCEPTS)}")
    endpoint["accept"] = accept
    for member in ("receiverInfo", "notifierInfo"):
        if member in raw:
            endpoint[member] = _key_values(raw[member], f"notification.endpoint.{member}")
    return endpoint


def _notification(raw: Any, expand: Callable[[str], str]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _bad("notification", "missing or not an object")
    out: dict[str, Any] = {"endpoint": _endpoint(raw.get("endpoint"))}
    if "attributes" in raw:
        out["attributes"] = [
            expand(n) for n in _string_list(raw["attributes"], "notification.attributes")
        ]
    for member in ("pick", "omit"):
        if member in raw:
            if "attributes" in raw:
                raise _bad(f"notification.{member}", "cannot be combined with attributes")
            names = _string_list(raw[member], f"notification.{member}")
            out[member] = [n if n in CORE_MEMBERS else expand(n) for n in names]
    both = set(out.get("pick", ())) & set(out.get("omit", ()))
    if both:
        raise _bad("notification.pick", f"{', '.join(sorted(both))} also in omit")
    fmt = raw.get("format", "normalized")
    if fmt not in FORMATS:
        raise _bad("notification.format", f"{fmt!r} is not one of normalized, concise, keyValues")
    out["format"] = "keyValues" if fmt == "simplified" else fmt
    for member in ("showChanges", "sysAttrs"):
        if member in raw:
            out[member] = _bool(raw[member], f"notification.{member}")
    return out


def _entities(raw: Any, expand: Callable[[str], str]) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        raise _bad("entities", "must be a non-empty list of EntitySelector objects")
    selectors = []
    for index, item in enumerate(raw):
        member = f"entities[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise _bad(member, "needs a type")
        raw_type = item["type"]
        if any(c in raw_type for c in ",;|()"):  # a type selection (§4.17), kept as written
            selector: dict[str, Any] = {
                "type": raw_type,
                "typeGroups": type_groups(raw_type, expand),
            }
        else:
            selector = {"type": expand(raw_type)}
        if "id" in item:
            if not isinstance(item["id"], str) or ":" not in item["id"]:
                raise _bad(f"{member}.id", f"{item['id']!r} is not a URI")
            selector["id"] = item["id"]
        if "idPattern" in item:
            selector["idPattern"] = check_pattern(item["idPattern"], f"{member}.idPattern")
        selectors.append(selector)
    return selectors


def parse_subscription(
    body: Any, ctx: ActiveContext, *, moment: str, partial: bool = False
) -> dict[str, Any]:
    """The stored form of a subscription payload (``partial``: a PATCH fragment)."""
    if not isinstance(body, dict):
        raise NgsiError("BadRequestData", "a subscription must be a JSON object")
    for key in body:
        if key not in _TOP:
            raise _bad(key, "is not a member of a Subscription")
    terms: dict[str, str] = {}

    def expand(name: str) -> str:
        iri = ctx.expand(name)
        terms[name] = iri
        return iri

    out: dict[str, Any] = {}
    if not partial:
        sub_id = body["id"] if "id" in body else f"urn:ngsi-ld:Subscription:{uuid.uuid4()}"
        if not isinstance(sub_id, str) or not is_uri(sub_id):
            raise _bad("id", f"{sub_id!r} is not a URI")
        out["id"] = sub_id
        if body.get("type") != "Subscription":
            raise _bad("type", 'must be "Subscription"')
    for member in ("subscriptionName", "description", "lang"):
        if member in body:
            if not isinstance(body[member], str):
                raise _bad(member, "must be a string")
            out[member] = body[member]
    if "entities" in body:
        out["entities"] = _entities(body["entities"], ctx.expand)
    if "watchedAttributes" in body:
        names = _string_list(body["watchedAttributes"], "watchedAttributes")
        out["watchedAttributes"] = [ctx.expand(n) for n in names]
    if "notificationTrigger" in body:
        triggers = _string_list(body["notificationTrigger"], "notificationTrigger")
        for trigger in triggers:
            if trigger not in TRIGGERS:
                raise _bad(
                    "notificationTrigger", f"{trigger!r} is not one of {', '.join(TRIGGERS)}"
                )
        out["notificationTrigger"] = triggers
    if "timeInterval" in body:
        out["timeInterval"] = _positive(body["timeInterval"], "timeInterval")
    if "throttling" in body:
        out["throttling"] = _positive(body["throttling"], "throttling", zero=True)
    if "q" in body:
        if not isinstance(body["q"], str):
            raise _bad("q", "must be a string")
        parse_q(q_text(body["q"]), expand)
        out["q"] = body["q"]
    if "geoQ" in body:
        geo_query_from_json(body["geoQ"], expand)
        out["geoQ"] = body["geoQ"]
    if "scopeQ" in body:
        if not isinstance(body["scopeQ"], str):
            raise _bad("scopeQ", "must be a string")
        parse_scope_query(body["scopeQ"])
        out["scopeQ"] = body["scopeQ"]
    if "expiresAt" in body:
        expires = to_ms(body["expiresAt"])
        if expires is None:
            raise _bad("expiresAt", f"{body['expiresAt']!r} is not a date-time")
        if partial and expires <= (to_ms(moment) or 0):
            raise _bad("expiresAt", "lies in the past")
        out["expiresAt"] = body["expiresAt"]
    if "datasetId" in body:
        datasets = _string_list(body["datasetId"], "datasetId")
        for dataset in datasets:
            if dataset != "@none" and not is_uri(dataset):
                raise _bad("datasetId", f"{dataset!r} is not a URI")
        out["datasetId"] = datasets
    if "jsonldContext" in body:
        raw_context = body["jsonldContext"]
        if not isinstance(raw_context, str) or not raw_context.startswith(("http://", "https://")):
            raise _bad("jsonldContext", f"{raw_context!r} is not the URL of a JSON-LD @context")
        out["jsonldContext"] = raw_context
        out["contextGiven"] = True
    if "isActive" in body:
        out["isActive"] = _bool(body["isActive"], "isActive")
    if "notification" in body or not partial:
        out["notification"] = _notification(body.get("notification"), ctx.expand)
    out["terms"] = terms
    out["modifiedAt"] = moment
    if not partial:
        out["createdAt"] = moment
        out.setdefault("jsonldContext", ctx.context_value())
        check_subscription(out)
    return out


def check_subscription(record: dict[str, Any]) -> None:
    """Rules across members (§5.8.1): what to watch, and periodic vs on-change."""
    if not record.get("entities") and not record.get("watchedAttributes"):
        raise _bad("entities", "a subscription needs entities or watchedAttributes")
    if "timeInterval" in record and "watchedAttributes" in record:
        raise _bad("timeInterval", "cannot be combined with watchedAttributes")
    if "timeInterval" in record and "throttling" in record:
        raise _bad("throttling", "cannot be combined with timeInterval")
    if record.get("expiresAt") and record.get("createdAt") == record.get("modifiedAt"):
        expires = to_ms(record["expiresAt"])
        created = to_ms(record["createdAt"])
        if expires is not None and created is not None and expires <= created:
            raise _bad("expiresAt", "lies in the past")
