"""A device's measure → an attribute update of its entity, checked against the data model.

A measure is a JSON object ``object_id → value`` (or a list of such objects, applied in
order), optionally with the device's timestamp in ``TimeInstant`` or ``observedAt``. Each
value becomes a Property with ``observedAt`` (the device's time, else the time of receipt)
and the mapped ``unitCode``. Values are checked against the FIWARE Smart Data Model of the
entity type (``models.json``: type, ``min``/``max``, ``enum``; a range 0…1 of a value sent
in percent, unitCode ``P1``, becomes 0…100). The first measure creates the entity with the
device's static attributes and location.

Every rejection raises :class:`Rejected`, is counted as ``dos_ingest_rejected_total{reason}``
and logged with the device id.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

from dos.broker.entities import operations as ops
from dos.broker.entities.validate import check_attrs, check_entity
from dos.broker.errors import NgsiError
from dos.broker.ingest import registry
from dos.broker.jsonld import core_active_context, expand_attributes, expand_entity
from dos.broker.jsonld.expand import expand_name
from dos.broker.store import Session, Store
from dos.observability import METRICS

log = logging.getLogger("dos.broker.ingest")
TIME_KEYS = ("TimeInstant", "observedAt")
MAX_MEASURES = 1000


class Rejected(Exception):
    """A measure that is not stored: ``reason`` (metric label), ``detail``, HTTP status."""

    def __init__(self, reason: str, detail: str, status: int = 400) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.status = status


def reject(reason: str, detail: str, device_id: str, status: int = 400) -> Rejected:
    """Count and log a rejection; return the exception to raise."""
    METRICS.count("ingest_rejected", reason=reason)
    log.warning("measure of device %s rejected (%s): %s", device_id or "?", reason, detail)
    return Rejected(reason, detail, status)


@cache
def models() -> dict[str, dict[str, dict[str, Any]]]:
    """Smart Data Model attributes by entity type (bundled extract)."""
    raw = resources.files("dos.broker.ingest").joinpath("models.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(raw)
    return {name: model["attributes"] for name, model in data["models"].items()}


def check_value(entity_type: str, mapping: dict[str, Any], value: Any) -> str | None:
    """What is wrong with ``value`` for the mapped attribute, or None when it fits."""
    name = mapping["name"]
    declared = mapping.get("type", "Number")
    spec = models().get(entity_type, {}).get(name, {})
    numeric = declared in ("Number", "Integer", "Float") or spec.get("type") == "number"
    if numeric:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{name} must be a number, not {json.dumps(value)}"
        if not math.isfinite(value):
            return f"{name} must be a finite number"
        low, high = spec.get("min"), spec.get("max")
        if mapping.get("unitCode") == "P1" and high == 1:
            high = 100
        if low is not None and value < low:
            return f"{name} {value} is below the minimum {low} of {entity_type}"
        if high is not None and value > high:
            return f"{name} {value} is above the maximum {high} of {entity_type}"
        return None
    if declared == "Boolean" and not isinstance(value, bool):
        return f"{name} must be true or false"
    if declared == "Text" and not isinstance(value, str):
        return f"{name} must be a string"
    enum = spec.get("enum")
    if enum is not None and spec.get("type") == "string" and value not in enum:
        return f"{name} {json.dumps(value)} is not one of {', '.join(map(str, enum))}"
    if value is None or (isinstance(value, dict | list) and declared not in ("Object", "Array")):
        return f"{name} must be a single value"
    return None


def parse_time(value: Any) -> str | None:
    """An ISO 8601 timestamp as UTC ``…Z`` with milliseconds, or None when not one."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _instance(mapping: dict[str, Any], value: Any, observed: str | None) -> dict[str, Any]:
    kind = mapping.get("type", "Property")
    if kind == "Relationship":
        instance: dict[str, Any] = {"type": "Relationship", "object": value}
    elif kind in registry.GEO_TYPES:
        instance = {"type": "GeoProperty", "value": value}
    else:
        instance = {"type": "Property", "value": value}
    if observed:
        instance["observedAt"] = observed
    if mapping.get("unitCode"):
        instance["unitCode"] = mapping["unitCode"]
    return instance


def attributes_of(binding: dict[str, Any], measure: Any, received: str) -> dict[str, Any]:
    """The NGSI-LD attributes (compacted, core context) of one measure object."""
    device_id = binding["device_id"]
    if not isinstance(measure, dict) or not measure:
        raise reject("malformed", "a measure must be a non-empty JSON object", device_id)
    observed = received
    for key in TIME_KEYS:
        if key in measure:
            parsed = parse_time(measure[key])
            if parsed is None:
                raise reject(
                    "malformed", f"{key} {measure[key]!r} is not an ISO 8601 time", device_id
                )
            observed = parsed
    attrs: dict[str, Any] = {}
    for object_id, value in measure.items():
        if object_id in TIME_KEYS:
            continue
        mapping = binding["mapping"].get(object_id)
        if mapping is None:
            raise reject(
                "unknown_attribute",
                f"device {device_id} has no attribute mapped to object_id {object_id!r}",
                device_id,
            )
        problem = check_value(binding["entity_type"], mapping, value)
        if problem:
            raise reject("out_of_range", problem, device_id)
        attrs[mapping["name"]] = _instance(mapping, value, observed)
    if not attrs:
        raise reject("malformed", "the measure has no values", device_id)
    return attrs


def _statics(binding: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for static in binding["static_attributes"]:
        mapping = {"type": static["type"]}
        result[static["name"]] = _instance(mapping, static["value"], None)
    return result


def _entity(binding: dict[str, Any], first: dict[str, Any], ctx: Any) -> dict[str, Any]:
    """The new entity in the internal representation: statics, location, first measure."""
    entity = {"id": binding["entity_id"], "type": binding["entity_type"], **_statics(binding)}
    doc: dict[str, Any] = expand_entity({**entity, **first}, ctx)
    check_entity(doc)
    return doc


#: value types whose instance needs no JSON-LD expansion nor structural check
_SCALARS = (int, float, str, bool)


def _expanded(binding: dict[str, Any], compact: dict[str, Any], ctx: Any) -> dict[str, Any]:
    """The measure's attributes in the internal representation (expanded names).

    A scalar Property (the common case) is taken as it is under its precomputed IRI; anything
    else goes through JSON-LD expansion and the structural checks.
    """
    iris: dict[str, str] = binding.get("iris") or {}
    if not iris:  # once per binding: attribute name → IRI under the core context
        iris = {m["name"]: expand_name(m["name"], ctx) for m in binding["mapping"].values()}
        binding["iris"] = iris
    expanded: dict[str, Any] = {}
    for name, instance in compact.items():
        value = instance.get("value", instance.get("object"))
        if instance["type"] != "Property" or type(value) not in _SCALARS:
            slow = expand_attributes(compact, ctx)
            check_attrs(slow, f"entity {binding['entity_id']}")
            return slow
        expanded[iris[name]] = [instance]
    return expanded


@dataclass
class _Accepted:
    """One message's updates, checked against the data model, waiting for the database."""

    index: int
    binding: dict[str, Any]
    compact: list[dict[str, Any]]
    updates: list[dict[str, Any]]


def _prepare(
    session: Session, bindings: registry.Bindings, message: Message, received: str, ctx: Any
) -> _Accepted | Rejected:
    apikey, device_id, payload = message
    try:
        binding = bindings.get(session, apikey, device_id)
        if binding is None:
            if not registry.apikey_known(session, apikey):
                raise reject(
                    "unknown_apikey", f"no service group has apikey {apikey}", device_id, 404
                )
            raise reject(
                "unknown_device",
                f"device {device_id} is not provisioned for this apikey",
                device_id,
                404,
            )
        measures = payload if isinstance(payload, list) else [payload]
        if not measures or len(measures) > MAX_MEASURES:
            raise reject("malformed", f"send 1 to {MAX_MEASURES} measures at once", device_id)
        compact = [attributes_of(binding, measure, received) for measure in measures]
        try:
            updates = [_expanded(binding, attrs, ctx) for attrs in compact]
        except NgsiError as exc:
            raise reject("malformed", exc.detail, device_id) from None
    except Rejected as exc:
        return exc
    return _Accepted(0, binding, compact, updates)


def _create(session: Session, item: _Accepted, ctx: Any) -> Rejected | None:
    """Create the entity of a device's first measure (own savepoint: a failure is its own)."""
    binding = item.binding
    tenant, entity_id = binding["tenant"], binding["entity_id"]
    try:
        doc = _entity(binding, item.compact[0], ctx)
    except NgsiError as exc:
        return reject("malformed", exc.detail, binding["device_id"])
    session.x("SAVEPOINT measure")  # type: ignore[attr-defined]
    try:
        ops.create(session, tenant, doc)
        for expanded in item.updates[1:]:
            ops.append_attrs(session, tenant, entity_id, expanded, no_overwrite=False)
    except NgsiError as exc:
        session.x("ROLLBACK TO SAVEPOINT measure")  # type: ignore[attr-defined]
        session.x("RELEASE SAVEPOINT measure")  # type: ignore[attr-defined]
        return reject("rejected_by_broker", exc.detail, binding["device_id"], exc.status)
    session.x("RELEASE SAVEPOINT measure")  # type: ignore[attr-defined]
    return None


Message = tuple[str, str, Any]
#: per message: the entity id it updated, or why it was not stored
Outcome = str | Rejected


def store_messages(
    session: Session, bindings: registry.Bindings, messages: list[Message], received: str
) -> list[Outcome]:
    """Store a batch of messages (in their order) in the caller's transaction.

    Rejected messages change nothing; the accepted ones are applied in memory to their
    entities and written with few statements (:meth:`Session.update_versions`): every
    measure still gets its own history rows and notifications.
    """
    ctx = core_active_context()
    bindings.check(session)
    outcomes: list[Outcome] = []
    accepted: list[_Accepted] = []
    for index, message in enumerate(messages):
        item = _prepare(session, bindings, message, received, ctx)
        if isinstance(item, Rejected):
            outcomes.append(item)
            continue
        item.index = index
        accepted.append(item)
        outcomes.append(item.binding["entity_id"])
    by_tenant: dict[str, list[_Accepted]] = {}
    for item in accepted:
        by_tenant.setdefault(item.binding["tenant"], []).append(item)
    for tenant, items in by_tenant.items():
        docs = session.get_many(tenant, list({i.binding["entity_id"] for i in items}))
        versions: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for item in items:
            entity_id = item.binding["entity_id"]
            doc = docs.get(entity_id)
            if doc is None:
                session.update_versions(tenant, versions)  # in order before the creation
                versions = []
                problem = _create(session, item, ctx)
                if problem is not None:
                    outcomes[item.index] = problem
                    continue
                created = session.get(tenant, entity_id)
                assert created is not None
                docs[entity_id] = created
                continue
            moment = ops.now()
            for expanded in item.updates:
                new = ops.appended(doc, expanded, moment)
                versions.append((doc, new))
                doc = new
            docs[entity_id] = doc
        session.update_versions(tenant, versions)
    return outcomes


async def ingest_many(
    store: Store, messages: list[Message], *, received: str | None = None
) -> list[Outcome]:
    """Store messages ``(apikey, device_id, measure or list of measures)`` in one transaction.

    Returns per message the entity id or the :class:`Rejected` (already counted and logged);
    raises when the transaction failed (nothing of the batch is stored).
    """
    bindings = registry.bindings_of(store)
    moment = received or ops.now()
    return await store.awrite(lambda s: store_messages(s, bindings, messages, moment))


async def ingest(
    store: Store, apikey: str, device_id: str, payload: Any, *, received: str | None = None
) -> str:
    """Store one measure (or a list of them, in order); return the entity id.

    Raises :class:`Rejected` (already counted and logged) for anything not stored.
    """
    (outcome,) = await ingest_many(store, [(apikey, device_id, payload)], received=received)
    if isinstance(outcome, Rejected):
        raise outcome
    return outcome
