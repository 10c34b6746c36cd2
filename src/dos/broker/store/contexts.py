"""The stored @contexts of one tenant (``/jsonldContexts``) on a broker store.

Implements :class:`dos.broker.jsonld.repository.ContextRepository` on the ``contexts`` table,
so Hosted and Cached contexts survive restarts and tenants never see each other's.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dos.broker.jsonld.repository import StoredContext
from dos.broker.store import Store

_HITS: dict[tuple[int, str, str], tuple[int, str | None]] = {}


def _record(context: StoredContext) -> dict[str, Any]:
    return {
        "id": context.id,
        "url": context.url,
        "kind": context.kind,
        "body": context.body,
        "createdAt": context.created_at,
        "lastUsage": context.last_usage,
        "numberOfHits": context.number_of_hits,
    }


def _context(record: dict[str, Any]) -> StoredContext:
    return StoredContext(
        id=record["id"],
        url=record["url"],
        kind=record["kind"],
        body=record["body"],
        created_at=record["createdAt"],
        last_usage=record.get("lastUsage"),
        number_of_hits=int(record.get("numberOfHits") or 0),
    )


class StoreContextRepository:
    """A tenant's stored @contexts in the broker database."""

    def __init__(self, store: Store, tenant: str) -> None:
        self.store = store
        self.tenant = tenant
        self._store_key = id(store)

    async def add(self, context: StoredContext) -> None:
        record = _record(context)
        await self.store.awrite(lambda s: s.context_put(self.tenant, record))

    async def get(self, id_or_url: str) -> StoredContext | None:
        record = await self.store.aread(lambda s: s.context_get(self.tenant, id_or_url))
        return self._with_hits(_context(record)) if record else None

    async def list(self, kind: str | None = None) -> list[StoredContext]:
        records = await self.store.aread(lambda s: s.context_list(self.tenant))
        return [self._with_hits(_context(r)) for r in records if kind is None or r["kind"] == kind]

    async def delete(self, id: str) -> bool:
        return await self.store.awrite(lambda s: s.context_delete(self.tenant, id))

    async def record_hit(self, id: str, at: str) -> None:
        # Counted in memory: a write per request that uses a context would cost more than
        # the statistic is worth. The counts restart with the process.
        key = (self._store_key, self.tenant, id)
        hits, _ = _HITS.get(key, (0, None))
        _HITS[key] = (hits + 1, at)

    def _with_hits(self, context: StoredContext) -> StoredContext:
        hits, last = _HITS.get((self._store_key, self.tenant, context.id), (0, None))
        if not hits:
            return context
        return replace(context, number_of_hits=context.number_of_hits + hits, last_usage=last)
