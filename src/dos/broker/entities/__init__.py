"""The broker's entity operations (ETSI GS CIM 009 §5.6, §5.7), called by the HTTP layer.

Every function takes the store, the tenant and entities in the internal representation
(expanded names, see :mod:`dos.broker.entities.operations`). Input is validated before the
write is queued; each write returns only after its transaction committed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from dos.broker.entities import operations as ops
from dos.broker.entities.operations import UpdateResult, now
from dos.broker.entities.validate import check_attrs, check_entity, check_entity_id
from dos.broker.errors import NgsiError
from dos.broker.query.order import OrderKey, sort_docs
from dos.broker.store import Doc, EntityQuery, Session, Store

log = logging.getLogger("dos.broker")

__all__ = [
    "BatchResult",
    "UpdateResult",
    "attr_append",
    "attr_delete",
    "attr_patch",
    "attr_replace",
    "attrs_update",
    "batch_create",
    "batch_delete",
    "batch_merge",
    "batch_update",
    "batch_upsert",
    "entity_create",
    "entity_delete",
    "entity_merge",
    "entity_query",
    "entity_replace",
    "entity_retrieve",
    "now",
]


@dataclass
class BatchResult:
    """Outcome of a batch operation (§5.2.16): ids that succeeded, errors per entity id."""

    success: list[str] = field(default_factory=list)
    errors: list[tuple[str, NgsiError]] = field(default_factory=list)
    created: list[str] = field(default_factory=list)


def _check_tenant(session: Session, tenant: str) -> None:
    if tenant and not session.tenant_exists(tenant):
        raise NgsiError("NonexistentTenant", f"tenant {tenant!r} does not exist")


async def entity_create(store: Store, tenant: str, doc: Doc) -> None:
    """Create an entity; AlreadyExists (409) when the id is taken."""
    check_entity(doc)
    await store.awrite(lambda s: ops.create(s, tenant, doc))


async def entity_retrieve(store: Store, tenant: str, entity_id: str) -> Doc:
    """The stored entity; ResourceNotFound (404) when there is none."""
    check_entity_id(entity_id)

    def read(session: Session) -> Doc | None:
        _check_tenant(session, tenant)
        return session.get(tenant, entity_id)

    doc = await store.aread(read)
    if doc is None:
        raise NgsiError("ResourceNotFound", f"entity {entity_id} does not exist")
    return doc


async def entity_query(
    store: Store, tenant: str, query: EntityQuery
) -> tuple[list[Doc], int | None]:
    """One page of matching entities and, with ``query.count``, the number of all matches."""

    def read(session: Session) -> tuple[list[Doc], int | None]:
        _check_tenant(session, tenant)
        return session.query(tenant, query)

    return await store.aread(read)


async def entity_query_ordered(
    store: Store, tenant: str, query: EntityQuery, keys: list[OrderKey]
) -> tuple[list[Doc], int | None]:
    """One page of matching entities in the order of ``orderBy`` ``keys`` (sorted over all
    matches, then paged) and, with ``query.count``, the number of all matches."""
    limit, offset = query.limit, query.offset

    def read(session: Session) -> list[Doc]:
        _check_tenant(session, tenant)
        page = dataclasses.replace(query, limit=1000, offset=0, count=False)
        docs: list[Doc] = []
        while True:
            found, _ = session.query(tenant, page)
            docs.extend(found)
            if len(found) < page.limit:
                return docs
            page.offset += page.limit

    docs = sort_docs(await store.aread(read), keys)
    return docs[offset : offset + limit], (len(docs) if query.count else None)


async def entity_replace(store: Store, tenant: str, doc: Doc) -> None:
    """Replace an entity's types and attributes (PUT)."""
    check_entity(doc)
    await store.awrite(lambda s: ops.replace(s, tenant, doc))


async def entity_merge(store: Store, tenant: str, fragment: Doc) -> None:
    """Merge a fragment into an entity (PATCH /entities/{id})."""
    check_entity(fragment, need_type=False, partial=True)
    await store.awrite(lambda s: ops.merge(s, tenant, fragment))


async def entity_delete(store: Store, tenant: str, entity_id: str) -> None:
    check_entity_id(entity_id)
    await store.awrite(lambda s: ops.delete(s, tenant, entity_id))


async def scope_delete(store: Store, tenant: str, entity_id: str) -> None:
    """DELETE /entities/{id}/attrs/scope."""
    check_entity_id(entity_id)
    await store.awrite(lambda s: ops.delete_scope(s, tenant, entity_id))


async def entity_purge(
    store: Store,
    tenant: str,
    query: EntityQuery,
    *,
    keep: set[str] | None = None,
    drop: set[str] | None = None,
) -> None:
    """Purge entities (DELETE /entities, §5.6.21): every entity matching ``query`` is deleted,
    or loses the attributes ``drop``, or all attributes but ``keep``."""

    def read(session: Session) -> list[str]:
        _check_tenant(session, tenant)
        ids: list[str] = []
        query.offset = 0
        while True:
            docs, _ = session.query(tenant, query)
            ids.extend(doc["id"] for doc in docs)
            if len(docs) < query.limit:
                return ids
            query.offset += query.limit

    ids = await store.aread(read)

    def write(session: Session) -> None:
        for entity_id in ids:
            ops.purge(session, tenant, entity_id, keep=keep, drop=drop)

    if ids:
        await store.awrite(write)


async def attr_append(
    store: Store,
    tenant: str,
    entity_id: str,
    attrs: dict[str, Any],
    *,
    no_overwrite: bool,
    members: Doc | None = None,
) -> UpdateResult:
    """POST /entities/{id}/attrs (``members``: ``type`` and ``scope`` of the payload)."""
    check_entity_id(entity_id)
    check_attrs(attrs, f"entity {entity_id}")
    return await store.awrite(
        lambda s: ops.append_attrs(
            s, tenant, entity_id, attrs, no_overwrite=no_overwrite, members=members
        )
    )


async def attrs_update(
    store: Store,
    tenant: str,
    entity_id: str,
    attrs: dict[str, Any],
    *,
    members: Doc | None = None,
) -> UpdateResult:
    """PATCH /entities/{id}/attrs (``members``: ``type`` and ``scope`` of the payload)."""
    check_entity_id(entity_id)
    check_attrs(attrs, f"entity {entity_id}")
    return await store.awrite(
        lambda s: ops.update_attrs(s, tenant, entity_id, attrs, members=members)
    )


async def attr_patch(
    store: Store, tenant: str, entity_id: str, name: str, fragment: dict[str, Any]
) -> None:
    """PATCH /entities/{id}/attrs/{attr}."""
    check_entity_id(entity_id)
    check_attrs({name: [fragment]}, f"entity {entity_id}", partial=True)
    await store.awrite(lambda s: ops.patch_attr(s, tenant, entity_id, name, fragment))


async def attr_replace(
    store: Store, tenant: str, entity_id: str, name: str, instance: dict[str, Any]
) -> None:
    """PUT /entities/{id}/attrs/{attr}."""
    check_entity_id(entity_id)
    check_attrs({name: [instance]}, f"entity {entity_id}")
    await store.awrite(lambda s: ops.replace_attr(s, tenant, entity_id, name, instance))


async def attr_delete(
    store: Store,
    tenant: str,
    entity_id: str,
    name: str,
    *,
    dataset_id: str | None = None,
    delete_all: bool = False,
) -> None:
    """DELETE /entities/{id}/attrs/{attr}."""
    check_entity_id(entity_id)
    await store.awrite(
        lambda s: ops.delete_attr(
            s, tenant, entity_id, name, dataset_id=dataset_id, delete_all=delete_all
        )
    )


Item = Doc | tuple[str, NgsiError]  # an entity, or (its id, why it could not be read)


def _bind(run: Any, doc: Doc) -> Any:
    def write(session: Session) -> Any:
        return run(session, doc)

    return write


async def _batch(store: Store, items: list[Item], run: Any, check: Any) -> BatchResult:
    """Run ``run(session, doc)`` for every entity in its own savepoint; collect outcomes."""
    result = BatchResult()
    pending: list[tuple[str, asyncio.Future[Any]]] = []
    for item in items:
        if isinstance(item, tuple):
            result.errors.append(item)
            continue
        try:
            check(item)
        except NgsiError as exc:
            entity_id = item.get("id") if isinstance(item, dict) else None
            result.errors.append((str(entity_id or ""), exc))
            continue
        pending.append((item["id"], asyncio.ensure_future(store.awrite(_bind(run, item)))))
    for entity_id, future in pending:
        try:
            created = await future
        except NgsiError as exc:
            result.errors.append((entity_id, exc))
        except Exception as exc:  # a database failure fails this entity only
            log.exception("batch write of %s failed", entity_id)
            detail = f"the write failed: {type(exc).__name__}"
            result.errors.append((entity_id, NgsiError("InternalError", detail)))
        else:
            result.success.append(entity_id)
            if created is True:
                result.created.append(entity_id)
    return result


async def _bulk(
    store: Store,
    tenant: str,
    items: list[Item],
    *,
    replace_existing: bool,
    slow: Callable[[], Awaitable[BatchResult]],
) -> BatchResult:
    """Create or replace many entities in one write with bulk statements.

    Falls back to one savepoint per entity (``slow``) when ids repeat within the batch or
    the bulk write fails, so one bad entity still never affects the others.
    """
    result = BatchResult()
    docs: list[Doc] = []
    for item in items:
        if isinstance(item, tuple):
            result.errors.append(item)
            continue
        try:
            check_entity(item)
        except NgsiError as exc:
            result.errors.append((str(item.get("id") or ""), exc))
            continue
        docs.append(item)
    if len({d["id"] for d in docs}) != len(docs):
        return await slow()
    try:
        outcome = await store.awrite(
            lambda s: ops.write_many(s, tenant, docs, replace_existing=replace_existing)
        )
    except Exception:
        log.warning("bulk write of %d entities failed; writing them one by one", len(docs))
        return await slow()
    for doc in docs:
        state = outcome[doc["id"]]
        if isinstance(state, NgsiError):
            result.errors.append((doc["id"], state))
        else:
            result.success.append(doc["id"])
            if state:
                result.created.append(doc["id"])
    return result


async def batch_create(store: Store, tenant: str, items: list[Item]) -> BatchResult:
    """POST /entityOperations/create (§5.6.7)."""

    def run(s: Session, doc: Doc) -> bool:
        ops.create(s, tenant, doc)
        return True

    async def slow() -> BatchResult:
        return await _batch(store, items, run, check_entity)

    return await _bulk(store, tenant, items, replace_existing=False, slow=slow)


async def batch_upsert(store: Store, tenant: str, items: list[Item], *, mode: str) -> BatchResult:
    """POST /entityOperations/upsert (§5.6.8), ``mode`` replace or update."""

    async def slow() -> BatchResult:
        return await _batch(
            store, items, lambda s, doc: ops.upsert(s, tenant, doc, mode=mode), check_entity
        )

    if mode == "replace":
        return await _bulk(store, tenant, items, replace_existing=True, slow=slow)
    return await slow()


async def batch_update(
    store: Store, tenant: str, items: list[Item], *, no_overwrite: bool
) -> BatchResult:
    """POST /entityOperations/update (§5.6.9): append attributes of existing entities."""

    def run(s: Session, doc: Doc) -> None:
        members = {k: doc[k] for k in ("type", "scope") if doc.get(k)}
        outcome = ops.append_attrs(
            s,
            tenant,
            doc["id"],
            doc.get("attrs", {}),
            no_overwrite=no_overwrite,
            members=members or None,
        )
        if outcome.not_updated and not outcome.updated and not no_overwrite:
            raise NgsiError("BadRequestData", "no attribute was updated")

    return await _batch(store, items, run, lambda d: check_entity(d, need_type=False))


async def batch_merge(store: Store, tenant: str, items: list[Item]) -> BatchResult:
    """POST /entityOperations/merge (§5.6.20)."""
    return await _batch(
        store,
        items,
        lambda s, doc: ops.merge(s, tenant, doc),
        lambda d: check_entity(d, need_type=False, partial=True),
    )


async def batch_delete(store: Store, tenant: str, entity_ids: list[Any]) -> BatchResult:
    """POST /entityOperations/delete (§5.6.10): a list of entity ids."""
    items: list[Item] = []
    for entity_id in entity_ids:
        if not isinstance(entity_id, str):
            items.append((str(entity_id), NgsiError("BadRequestData", "an id must be a string")))
        else:
            items.append({"id": entity_id})

    def check(doc: Doc) -> None:
        check_entity_id(doc["id"])

    return await _batch(store, items, lambda s, doc: ops.delete(s, tenant, doc["id"]), check)
