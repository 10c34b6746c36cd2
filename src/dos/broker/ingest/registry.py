"""Service groups and devices: validation of provisioning input and their database rows.

The JSON shape follows the FIWARE IoT Agent JSON provisioning API: a service group has
``apikey``, ``resource``, ``entity_type``, ``attributes`` and ``static_attributes``; a device
has ``device_id``, ``apikey``, ``entity_name``, ``entity_type``, ``attributes`` (``object_id``,
``name``, ``type``, ``unitCode`` or ``metadata.unitCode.value``) and ``static_attributes``
(``name``, ``type``, ``value``; a ``location`` of type ``geo:json``/``GeoProperty`` holds a
GeoJSON geometry, ``geo:point`` a ``"lat, lon"`` string). Problems raise :class:`NgsiError`
(400) with a detail naming the field.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import orjson

from dos.broker.entities.operations import now
from dos.broker.errors import NgsiError
from dos.broker.store import Store

DEFAULT_RESOURCE = "/iot/json"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,255}$")
_KEY = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
_OBJECT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
GEO_TYPES = {"geo:json", "geo:point", "GeoProperty"}
GENERATION_KEY = "iot_generation"

Record = dict[str, Any]


def _bad(detail: str) -> NgsiError:
    return NgsiError("BadRequestData", detail)


def _text(raw: Record, key: str, where: str, *, pattern: re.Pattern[str] = _KEY) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not pattern.match(value):
        raise _bad(f"{where}: {key} must be a non-empty string of letters, digits, '-_.:'")
    return value


def _attributes(raw: Any, where: str) -> list[Record]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _bad(f"{where}: attributes must be a list")
    result: list[Record] = []
    seen: set[str] = set()
    for n, item in enumerate(raw):
        at = f"{where}: attributes[{n}]"
        if not isinstance(item, dict):
            raise _bad(f"{at} must be an object")
        name = item.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise _bad(f"{at}: name must be an attribute name (letters, digits, '_')")
        object_id = item.get("object_id", name)
        if not isinstance(object_id, str) or not _OBJECT_ID.match(object_id):
            raise _bad(f"{at}: object_id must be a short string")
        if object_id in seen:
            raise _bad(f"{at}: object_id {object_id!r} is mapped twice")
        seen.add(object_id)
        unit = item.get("unitCode")
        metadata = item.get("metadata")
        if unit is None and isinstance(metadata, dict):
            meta_unit = metadata.get("unitCode")
            unit = meta_unit.get("value") if isinstance(meta_unit, dict) else meta_unit
        if unit is not None and (not isinstance(unit, str) or len(unit) > 16):
            raise _bad(f"{at}: unitCode must be a UN/CEFACT code such as CEL")
        kind = item.get("type", "Number")
        if not isinstance(kind, str):
            raise _bad(f"{at}: type must be a string")
        entry: Record = {"object_id": object_id, "name": name, "type": kind}
        if unit:
            entry["unitCode"] = unit
        result.append(entry)
    return result


def _geometry(value: Any, kind: str, at: str) -> Record:
    if kind == "geo:point":
        parts = value.split(",") if isinstance(value, str) else []
        try:
            lat, lon = (float(p) for p in parts)
        except ValueError:
            raise _bad(f"{at}: a geo:point value is 'lat, lon'") from None
        return {"type": "Point", "coordinates": [lon, lat]}
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        raise _bad(f"{at}: a {kind} value must be a GeoJSON geometry")
    return value


def _statics(raw: Any, where: str) -> list[Record]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _bad(f"{where}: static_attributes must be a list")
    result: list[Record] = []
    for n, item in enumerate(raw):
        at = f"{where}: static_attributes[{n}]"
        if not isinstance(item, dict):
            raise _bad(f"{at} must be an object")
        name = item.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise _bad(f"{at}: name must be an attribute name (letters, digits, '_')")
        if "value" not in item or item["value"] is None:
            raise _bad(f"{at}: value is missing")
        kind = item.get("type", "Property")
        if not isinstance(kind, str):
            raise _bad(f"{at}: type must be a string")
        value = item["value"]
        if kind in GEO_TYPES:
            value = _geometry(value, kind, at)
            kind = "GeoProperty"
        result.append({"name": name, "type": kind, "value": value})
    return result


def _entity_type(raw: Record, where: str, *, required: bool) -> str | None:
    value = raw.get("entity_type")
    if value is None and not required:
        return None
    if not isinstance(value, str) or not _NAME.match(value):
        raise _bad(f"{where}: entity_type must be a type name such as WeatherObserved")
    return value


def service_from(raw: Any) -> Record:
    """A validated service group from its provisioning JSON."""
    if not isinstance(raw, dict):
        raise _bad("a service group must be a JSON object")
    where = "service group"
    apikey = _text(raw, "apikey", where)
    resource = raw.get("resource", DEFAULT_RESOURCE)
    if not isinstance(resource, str) or not resource.startswith("/"):
        raise _bad(f"{where} {apikey}: resource must be a path such as /iot/json")
    record: Record = {
        "apikey": apikey,
        "resource": resource,
        "entity_type": _entity_type(raw, f"{where} {apikey}", required=True),
        "attributes": _attributes(raw.get("attributes"), f"{where} {apikey}"),
        "static_attributes": _statics(raw.get("static_attributes"), f"{where} {apikey}"),
    }
    description = raw.get("description")
    if isinstance(description, str):
        record["description"] = description
    return record


def device_from(raw: Any) -> Record:
    """A validated device from its provisioning JSON (``apikey`` may still be missing)."""
    if not isinstance(raw, dict):
        raise _bad("a device must be a JSON object")
    device_id = _text(raw, "device_id", "device")
    where = f"device {device_id}"
    record: Record = {
        "device_id": device_id,
        "attributes": _attributes(raw.get("attributes"), where),
        "static_attributes": _statics(raw.get("static_attributes"), where),
    }
    if raw.get("apikey") is not None:
        record["apikey"] = _text(raw, "apikey", where)
    entity_type = _entity_type(raw, where, required=False)
    if entity_type:
        record["entity_type"] = entity_type
    name = raw.get("entity_name")
    if name is not None:
        if not isinstance(name, str) or ":" not in name:
            raise _bad(f"{where}: entity_name must be a URI such as urn:ngsi-ld:Type:id")
        record["entity_name"] = name
    for key in ("protocol", "transport", "timezone"):
        if isinstance(raw.get(key), str):
            record[key] = raw[key]
    return record


# -- database rows (run inside Store.read / Store.write) --------------------------------
def _load(raw: Any) -> Record:
    result: Record = orjson.loads(raw)
    return result


def service_put(session: Any, tenant: str, record: Record, *, create: bool) -> None:
    """Insert (``create``: 409 when the API key and resource exist) or replace a group."""
    row = session.x(
        "SELECT tenant FROM iot_services WHERE apikey = ? AND resource = ?",
        (record["apikey"], record["resource"]),
    ).fetchone()
    if row is not None and (create or row[0] != tenant):
        raise NgsiError(
            "AlreadyExists",
            f"a service group with apikey {record['apikey']} and resource "
            f"{record['resource']} already exists",
        )
    doc = orjson.dumps(record).decode()
    bump(session)
    if row is None:
        session.x(
            "INSERT INTO iot_services (tenant, apikey, resource, doc, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (tenant, record["apikey"], record["resource"], doc, now()),
        )
    else:
        session.x(
            "UPDATE iot_services SET doc = ? WHERE apikey = ? AND resource = ?",
            (doc, record["apikey"], record["resource"]),
        )


def service_list(session: Any, tenant: str) -> list[Record]:
    rows = session.x(
        "SELECT doc FROM iot_services WHERE tenant = ? ORDER BY apikey, resource", (tenant,)
    ).fetchall()
    return [_load(r[0]) for r in rows]


def service_get(session: Any, tenant: str | None, apikey: str, resource: str | None) -> Record:
    """The group of ``apikey`` (and ``resource`` if given); 404 when there is none."""
    sql = "SELECT doc, tenant FROM iot_services WHERE apikey = ?"
    params: list[Any] = [apikey]
    if resource is not None:
        sql += " AND resource = ?"
        params.append(resource)
    if tenant is not None:
        sql += " AND tenant = ?"
        params.append(tenant)
    row = session.x(sql + " ORDER BY resource", params).fetchone()
    if row is None:
        raise NgsiError("ResourceNotFound", f"no service group with apikey {apikey}")
    record = _load(row[0])
    record["service"] = row[1]
    return record


def service_delete(session: Any, tenant: str, apikey: str, resource: str | None) -> None:
    sql = "DELETE FROM iot_services WHERE tenant = ? AND apikey = ?"
    params: list[Any] = [tenant, apikey]
    if resource is not None:
        sql += " AND resource = ?"
        params.append(resource)
    if session.x(sql + " RETURNING apikey", params).fetchone() is None:
        raise NgsiError("ResourceNotFound", f"no service group with apikey {apikey}")
    bump(session)


def _resolve_apikey(session: Any, tenant: str, record: Record) -> None:
    if "apikey" in record:
        service_get(session, tenant, record["apikey"], None)  # must belong to this tenant
        return
    rows = session.x(
        "SELECT DISTINCT apikey FROM iot_services WHERE tenant = ?", (tenant,)
    ).fetchall()
    if len(rows) != 1:
        raise _bad(
            f"device {record['device_id']}: apikey is required "
            f"(the tenant has {len(rows)} service groups)"
        )
    record["apikey"] = rows[0][0]


def device_put(session: Any, tenant: str, record: Record, *, create: bool) -> None:
    """Insert (``create``: 409 when the device exists) or replace a device."""
    _resolve_apikey(session, tenant, record)
    exists = session.x(
        "SELECT 1 FROM iot_devices WHERE tenant = ? AND device_id = ?",
        (tenant, record["device_id"]),
    ).fetchone()
    if exists and create:
        raise NgsiError("AlreadyExists", f"device {record['device_id']} already exists")
    if "entity_type" not in record:
        record["entity_type"] = service_get(session, tenant, record["apikey"], None)["entity_type"]
    record.setdefault("entity_name", f"urn:ngsi-ld:{record['entity_type']}:{record['device_id']}")
    doc = orjson.dumps(record).decode()
    bump(session)
    if exists:
        session.x(
            "UPDATE iot_devices SET doc = ?, apikey = ? WHERE tenant = ? AND device_id = ?",
            (doc, record["apikey"], tenant, record["device_id"]),
        )
    else:
        clash = session.x(
            "SELECT 1 FROM iot_devices WHERE apikey = ? AND device_id = ?",
            (record["apikey"], record["device_id"]),
        ).fetchone()
        if clash:
            raise NgsiError(
                "AlreadyExists", f"device {record['device_id']} already exists for this apikey"
            )
        session.x(
            "INSERT INTO iot_devices (tenant, device_id, apikey, doc, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (tenant, record["device_id"], record["apikey"], doc, now()),
        )


def device_list(session: Any, tenant: str, limit: int, offset: int) -> tuple[list[Record], int]:
    count = session.x("SELECT COUNT(*) FROM iot_devices WHERE tenant = ?", (tenant,)).fetchone()
    rows = session.x(
        "SELECT doc FROM iot_devices WHERE tenant = ? ORDER BY device_id LIMIT ? OFFSET ?",
        (tenant, limit, offset),
    ).fetchall()
    return [_load(r[0]) for r in rows], int(count[0])


def device_get(session: Any, tenant: str, device_id: str) -> Record:
    row = session.x(
        "SELECT doc FROM iot_devices WHERE tenant = ? AND device_id = ?", (tenant, device_id)
    ).fetchone()
    if row is None:
        raise NgsiError("ResourceNotFound", f"device {device_id} does not exist")
    return _load(row[0])


def device_delete(session: Any, tenant: str, device_id: str) -> None:
    row = session.x(
        "DELETE FROM iot_devices WHERE tenant = ? AND device_id = ? RETURNING device_id",
        (tenant, device_id),
    ).fetchone()
    if row is None:
        raise NgsiError("ResourceNotFound", f"device {device_id} does not exist")
    bump(session)


# -- what a measure updates (cached) ----------------------------------------------------
def bump(session: Any) -> None:
    """Mark a provisioning change: every process's :class:`Bindings` reloads (same commit)."""
    session.x(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (GENERATION_KEY, uuid.uuid4().hex),
    )


class Bindings:
    """Device bindings of one store, cached until the provisioning changes.

    Any process that changes a service group or device writes a new generation into
    ``meta`` in the same transaction; :meth:`check` (once per batch of measures, one
    single-row read) drops the cache when the generation differs, so no measure is applied
    with a binding older than the batch's transaction.
    """

    def __init__(self) -> None:
        self.generation: str | None = None
        self.found: dict[tuple[str, str], Record] = {}

    def check(self, session: Any) -> None:
        row = session.x("SELECT value FROM meta WHERE key = ?", (GENERATION_KEY,)).fetchone()
        generation = str(row[0]) if row else ""
        if generation != self.generation:
            self.found.clear()
            self.generation = generation

    def get(self, session: Any, apikey: str, device_id: str) -> Record | None:
        """The binding (after :meth:`check` in the same transaction), None when unknown."""
        key = (apikey, device_id)
        result = self.found.get(key)
        if result is None:
            result = _binding(session, apikey, device_id)
            if result is not None:  # an unknown device is looked up again next time
                if len(self.found) > 100_000:
                    self.found.clear()
                self.found[key] = result
        return result


_bindings: dict[int, Bindings] = {}


def bindings_of(store: Store) -> Bindings:
    """The binding cache of ``store`` in this process."""
    return _bindings.setdefault(id(store), Bindings())


def changed() -> None:
    """Forget cached bindings at once (after a provisioning change in this process)."""
    for cache in _bindings.values():
        cache.generation = None


def _binding(session: Any, apikey: str, device_id: str) -> Record | None:
    row = session.x(
        "SELECT doc, tenant FROM iot_devices WHERE apikey = ? AND device_id = ?",
        (apikey, device_id),
    ).fetchone()
    if row is None:
        return None
    device = _load(row[0])
    tenant = row[1]
    group_row = session.x(
        "SELECT doc FROM iot_services WHERE apikey = ? AND tenant = ? ORDER BY resource",
        (apikey, tenant),
    ).fetchone()
    group = _load(group_row[0]) if group_row else {}
    mapping: dict[str, Record] = {a["object_id"]: a for a in group.get("attributes", [])}
    mapping.update({a["object_id"]: a for a in device.get("attributes", [])})
    statics = {s["name"]: s for s in group.get("static_attributes", [])}
    statics.update({s["name"]: s for s in device.get("static_attributes", [])})
    return {
        "tenant": tenant,
        "device_id": device_id,
        "entity_id": device["entity_name"],
        "entity_type": device["entity_type"],
        "mapping": mapping,
        "static_attributes": list(statics.values()),
        "known_apikey": group_row is not None,
    }


def apikey_known(session: Any, apikey: str) -> bool:
    return (
        session.x("SELECT 1 FROM iot_services WHERE apikey = ?", (apikey,)).fetchone() is not None
    )
