"""Entity operations on the internal representation, run inside a store transaction.

Each function takes a :class:`~dos.broker.store.Session` (a write session from
:meth:`Store.write`) and changes one entity. They raise :class:`NgsiError` for anything the
client must fix; the store then rolls back to the write's savepoint, so nothing is half-stored.
Clause numbers refer to ETSI GS CIM 009 V1.8.1.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import orjson

from dos.broker.entities.validate import META_KEYS, NULL, VALUE_KEYS
from dos.broker.errors import NgsiError
from dos.broker.store import Doc, Session
from dos.broker.store.index import signature
from dos.broker.temporal.times import format_ms

Instance = dict[str, Any]


_last_now: tuple[int, str] = (0, "")


def now() -> str:
    """The current time as ISO 8601 UTC with milliseconds and ``Z``."""
    global _last_now
    ms = time.time_ns() // 1_000_000
    last = _last_now
    if last[0] == ms:  # formatted once per millisecond (a batch updates thousands of times)
        return last[1]
    text = format_ms(ms)
    _last_now = (ms, text)
    return text


@dataclass
class UpdateResult:
    """Which attributes were changed and which not, with the reason (§5.2.18)."""

    updated: list[str] = field(default_factory=list)
    not_updated: list[tuple[str, str]] = field(default_factory=list)


def _stamp(instance: Instance, moment: str, created: str | None = None) -> Instance:
    instance["createdAt"] = created or instance.get("createdAt") or moment
    instance["modifiedAt"] = moment
    for key, sub in instance.items():
        if key not in META_KEYS and isinstance(sub, dict):
            _stamp(sub, moment)
    return instance


def _is_null(instance: Instance) -> bool:
    """An instance whose value is the NGSI-LD null (``urn:ngsi-ld:null``): delete it."""
    kind = instance.get("type")
    key = VALUE_KEYS.get(str(kind), "value")
    value = instance.get(key, instance.get("value"))
    return value is None or value == NULL or value == [NULL]


def _find(instances: list[Instance], dataset_id: str | None) -> int | None:
    for index, instance in enumerate(instances):
        if instance.get("datasetId") == dataset_id:
            return index
    return None


def _copy(value: Any) -> Any:
    """A deep copy of JSON data (much faster than copy.deepcopy)."""
    return orjson.loads(orjson.dumps(value))


def _load(session: Session, tenant: str, entity_id: str) -> Doc:
    doc = session.get(tenant, entity_id)
    if doc is None:
        raise NgsiError("ResourceNotFound", f"entity {entity_id} does not exist")
    return doc


def _save(session: Session, tenant: str, doc: Doc, old: Any, moment: str) -> None:
    doc["modifiedAt"] = moment
    session.update(tenant, doc, old)


def create(session: Session, tenant: str, doc: Doc) -> None:
    """Create entity (§5.6.1): AlreadyExists when the id is taken in this tenant."""
    if session.get(tenant, doc["id"]) is not None:
        raise NgsiError("AlreadyExists", f"entity {doc['id']} already exists")
    stored = _prepared(doc, now())
    session.insert(tenant, stored)


def replace(session: Session, tenant: str, doc: Doc) -> None:
    """Replace entity (§5.6.18): new types and attributes, the creation time is kept."""
    current = _load(session, tenant, doc["id"])
    old = signature(current)
    moment = now()
    stored = _prepared(doc, moment, current["createdAt"])
    _save(session, tenant, stored, old, moment)


def delete(session: Session, tenant: str, entity_id: str) -> None:
    """Delete entity (§5.6.6)."""
    if not session.delete(tenant, entity_id):
        raise NgsiError("ResourceNotFound", f"entity {entity_id} does not exist")


def delete_scope(session: Session, tenant: str, entity_id: str) -> None:
    """Delete the scope of an entity (§5.6.5 with the attribute name ``scope``)."""
    doc = _load(session, tenant, entity_id)
    if not doc.get("scope"):
        raise NgsiError("ResourceNotFound", f"entity {entity_id} has no scope")
    old = signature(doc)
    del doc["scope"]
    _save(session, tenant, doc, old, now())


def purge(
    session: Session,
    tenant: str,
    entity_id: str,
    *,
    keep: set[str] | None = None,
    drop: set[str] | None = None,
) -> None:
    """Purge one entity (§5.6.21): delete it, or only drop attributes (``drop``), or drop all
    attributes but ``keep``. Gone meanwhile: nothing to do."""
    doc = session.get(tenant, entity_id)
    if doc is None:
        return
    if keep is None and drop is None:
        session.delete(tenant, entity_id)
        return
    old = signature(doc)
    attrs = doc.get("attrs", {})
    names = [n for n in attrs if (n in drop if drop is not None else n not in (keep or set()))]
    if not names:
        return
    for name in names:
        del attrs[name]
    _save(session, tenant, doc, old, now())


def _merge_instance(old: Instance, fragment: Instance, moment: str) -> Instance:
    """Merge-patch of one instance: given members replace, sub-attributes merge recursively."""
    merged = _copy(old)
    if fragment.get("type") and fragment["type"] != old.get("type"):
        # a different kind replaces the instance as a whole
        return _stamp(_copy(fragment), moment, old.get("createdAt"))
    for key, value in fragment.items():
        if key in ("createdAt", "modifiedAt"):
            continue
        if key not in META_KEYS and isinstance(value, dict) and "@" not in key[:1]:
            if _is_null(value):
                merged.pop(key, None)
            elif isinstance(merged.get(key), dict):
                merged[key] = _merge_instance(merged[key], value, moment)
            else:
                merged[key] = _stamp(_copy(value), moment)
        elif value is None or value == NULL:
            merged.pop(key, None)
        else:
            merged[key] = _copy(value)
    return _stamp(merged, moment, old.get("createdAt"))


def merge(session: Session, tenant: str, fragment: Doc) -> None:
    """Merge entity (§5.6.17): attributes merged, ``urn:ngsi-ld:null`` deletes, types added."""
    doc = _load(session, tenant, fragment["id"])
    old = signature(doc)
    moment = now()
    for type_iri in fragment.get("type") or []:
        if type_iri not in doc["type"]:
            doc["type"].append(type_iri)
    if "scope" in fragment:
        if fragment["scope"] in (None, NULL):
            doc.pop("scope", None)
        else:
            doc["scope"] = fragment["scope"]
    attrs = doc.setdefault("attrs", {})
    for name, instances in fragment.get("attrs", {}).items():
        current = attrs.setdefault(name, [])
        for instance in instances:
            index = _find(current, instance.get("datasetId"))
            if _is_null(instance):
                if index is not None:
                    del current[index]
            elif index is None:
                if instance.get("type") not in VALUE_KEYS:
                    raise NgsiError(
                        "BadRequestData", f"new attribute {name} needs its attribute type"
                    )
                current.append(_stamp(_copy(instance), moment))
            else:
                current[index] = _merge_instance(current[index], instance, moment)
        if not current:
            del attrs[name]
    _save(session, tenant, doc, old, moment)


def _apply_members(doc: Doc, members: Doc | None, *, union_scope: bool) -> bool:
    """Add the types ``members["type"]`` to the entity and set (or, with ``union_scope``, add
    to) its scope ``members["scope"]`` (§4.16, §4.18); True when something changed."""
    if not members:
        return False
    before = (list(doc.get("type") or []), doc.get("scope"))
    types = list(doc.get("type") or [])
    for iri in members.get("type") or []:
        if iri not in types:
            types.append(iri)
    doc["type"] = types
    if members.get("scope"):
        scope = list(members["scope"])
        if union_scope:
            scope = list(doc.get("scope") or []) + [
                s for s in scope if s not in (doc.get("scope") or [])
            ]
        doc["scope"] = scope
    return (doc["type"], doc.get("scope")) != before


def appended(
    doc: Doc,
    attrs: dict[str, Any],
    moment: str,
    *,
    no_overwrite: bool = False,
    result: UpdateResult | None = None,
) -> Doc:
    """``doc`` with ``attrs`` appended (§5.6.3), as a new document; ``doc`` is left as it is.

    The new document shares the unchanged attributes with ``doc`` (only changed instance
    lists are new), so successive versions of one entity are cheap to keep.
    """
    result = result if result is not None else UpdateResult()
    new = dict(doc)
    current_attrs = dict(doc.get("attrs") or {})
    new["attrs"] = current_attrs
    for name, instances in attrs.items():
        current = list(current_attrs.get(name, []))
        changed = False
        for instance in instances:
            index = _find(current, instance.get("datasetId"))
            if index is not None and no_overwrite:
                result.not_updated.append((name, "attribute exists and noOverwrite was asked"))
                continue
            if _is_null(instance):
                if index is not None:
                    del current[index]
                    changed = True
                continue
            if index is None:
                current.append(_stamp(_copy(instance), moment))
            else:
                current[index] = _stamp(_copy(instance), moment, current[index].get("createdAt"))
            changed = True
        if current:
            current_attrs[name] = current
        else:
            current_attrs.pop(name, None)
        if changed:
            result.updated.append(name)
    new["modifiedAt"] = moment
    return new


def append_attrs(
    session: Session,
    tenant: str,
    entity_id: str,
    attrs: dict[str, Any],
    *,
    no_overwrite: bool,
    members: Doc | None = None,
) -> UpdateResult:
    """Append entity attributes (§5.6.3); ``noOverwrite`` keeps existing instances.
    ``members``: types to add and a scope (replacing, or added to with ``noOverwrite``)."""
    doc = _load(session, tenant, entity_id)
    old = signature(doc)
    moment = now()
    _apply_members(doc, members, union_scope=no_overwrite)
    result = UpdateResult()
    doc = appended(doc, attrs, moment, no_overwrite=no_overwrite, result=result)
    _save(session, tenant, doc, old, moment)
    return result


def update_attrs(
    session: Session,
    tenant: str,
    entity_id: str,
    attrs: dict[str, Any],
    *,
    members: Doc | None = None,
) -> UpdateResult:
    """Update entity attributes (§5.6.2): only existing instances are replaced.
    ``members``: types to add and a scope that replaces the entity's."""
    doc = _load(session, tenant, entity_id)
    old = signature(doc)
    moment = now()
    result = UpdateResult()
    if members and members.get("scope") and not doc.get("scope"):
        # update changes what exists; an entity without scope keeps none (ETSI 011_05_02)
        result.not_updated.append(("scope", "the entity has no scope to update"))
        members = {k: v for k, v in members.items() if k != "scope"}
    members_changed = _apply_members(doc, members, union_scope=False)
    current_attrs = doc.setdefault("attrs", {})
    for name, instances in attrs.items():
        current = current_attrs.get(name)
        changed = False
        for instance in instances:
            dataset = instance.get("datasetId")
            index = _find(current, dataset) if current is not None else None
            if current is None or index is None:
                what = f"with datasetId {dataset}" if dataset else "(default instance)"
                result.not_updated.append((name, f"the attribute {what} does not exist"))
                continue
            if _is_null(instance):
                del current[index]
            else:
                current[index] = _stamp(_copy(instance), moment, current[index].get("createdAt"))
            changed = True
        if current is not None and not current:
            del current_attrs[name]
        if changed:
            result.updated.append(name)
    if result.updated or members_changed:
        _save(session, tenant, doc, old, moment)
    return result


def patch_attr(
    session: Session, tenant: str, entity_id: str, name: str, fragment: Instance
) -> None:
    """Partial attribute update (§5.6.4): the given members of one instance change."""
    doc = _load(session, tenant, entity_id)
    old = signature(doc)
    moment = now()
    current = doc.get("attrs", {}).get(name)
    dataset = fragment.get("datasetId")
    index = _find(current, dataset) if current else None
    if current is None or index is None:
        what = f" with datasetId {dataset}" if dataset else ""
        raise NgsiError("ResourceNotFound", f"entity {entity_id} has no attribute {name}{what}")
    if _is_null(fragment):
        del current[index]
        if not current:
            del doc["attrs"][name]
    else:
        current[index] = _merge_instance(current[index], fragment, moment)
    _save(session, tenant, doc, old, moment)


def replace_attr(
    session: Session, tenant: str, entity_id: str, name: str, instance: Instance
) -> None:
    """Replace attribute (§5.6.19): the instance with the same datasetId is replaced."""
    doc = _load(session, tenant, entity_id)
    old = signature(doc)
    moment = now()
    current = doc.get("attrs", {}).get(name)
    dataset = instance.get("datasetId")
    index = _find(current, dataset) if current else None
    if current is None or index is None:
        what = f" with datasetId {dataset}" if dataset else ""
        raise NgsiError("ResourceNotFound", f"entity {entity_id} has no attribute {name}{what}")
    current[index] = _stamp(_copy(instance), moment, current[index].get("createdAt"))
    _save(session, tenant, doc, old, moment)


def delete_attr(
    session: Session,
    tenant: str,
    entity_id: str,
    name: str,
    *,
    dataset_id: str | None = None,
    delete_all: bool = False,
) -> None:
    """Delete attribute (§5.6.5): one instance (by datasetId) or all with ``deleteAll``."""
    doc = _load(session, tenant, entity_id)
    old = signature(doc)
    current = doc.get("attrs", {}).get(name)
    if not current:
        raise NgsiError("ResourceNotFound", f"entity {entity_id} has no attribute {name}")
    if delete_all:
        del doc["attrs"][name]
    else:
        index = _find(current, dataset_id)
        if index is None:
            what = f"datasetId {dataset_id}" if dataset_id else "a default instance"
            raise NgsiError(
                "ResourceNotFound", f"attribute {name} of entity {entity_id} has no {what}"
            )
        del current[index]
        if not current:
            del doc["attrs"][name]
    _save(session, tenant, doc, old, now())


def upsert(session: Session, tenant: str, doc: Doc, *, mode: str) -> bool:
    """Batch upsert of one entity (§5.6.8): True when it was created.

    ``mode`` ``replace`` (default) replaces an existing entity, ``update`` appends its
    attributes (overwriting instances with the same datasetId).
    """
    if session.get(tenant, doc["id"]) is None:
        create(session, tenant, doc)
        return True
    if mode == "update":
        append_attrs(session, tenant, doc["id"], doc.get("attrs", {}), no_overwrite=False)
        if doc.get("type"):
            merge(session, tenant, {"id": doc["id"], "type": doc["type"], "attrs": {}})
    else:
        replace(session, tenant, doc)
    return False


def _prepared(doc: Doc, moment: str, created: str | None = None) -> Doc:
    """A copy of a client's entity with system timestamps, null attributes left out."""
    stored: Doc = _copy(doc)
    stored["createdAt"] = created or moment
    stored["modifiedAt"] = moment
    attrs = stored.setdefault("attrs", {})
    for name in list(attrs):
        attrs[name] = [_stamp(i, moment) for i in attrs[name] if not _is_null(i)]
        if not attrs[name]:
            del attrs[name]
    return stored


def write_many(
    session: Session, tenant: str, docs: list[Doc], *, replace_existing: bool
) -> dict[str, bool | NgsiError]:
    """Batch create (``replace_existing`` False) or upsert with replace, in bulk statements.

    The ids must be unique within ``docs``. Returns per id: True when created, False when
    replaced, or the error (AlreadyExists for a create of an existing id).
    """
    moment = now()
    existing = session.get_many(tenant, [d["id"] for d in docs])
    outcome: dict[str, bool | NgsiError] = {}
    new: list[Doc] = []
    replaced: list[tuple[Doc, Any]] = []
    for doc in docs:
        current = existing.get(doc["id"])
        if current is None:
            new.append(_prepared(doc, moment))
            outcome[doc["id"]] = True
        elif replace_existing:
            replaced.append((_prepared(doc, moment, current["createdAt"]), signature(current)))
            outcome[doc["id"]] = False
        else:
            outcome[doc["id"]] = NgsiError("AlreadyExists", f"entity {doc['id']} already exists")
    session.insert_many(tenant, new)
    session.update_many(tenant, replaced, existing)
    return outcome
