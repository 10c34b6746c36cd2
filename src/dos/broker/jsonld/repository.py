"""Stored @contexts (ETSI GS CIM 009 §5.13): the protocol the broker's storage implements.

Three kinds of stored contexts exist (§5.13.1):

- ``Hosted``: added by a client with ``POST /jsonldContexts``; the broker serves it.
- ``Cached``: a user context the broker downloaded while resolving a request.
- ``ImplicitlyCreated``: an inline @context the broker stored itself (e.g. of a
  subscription), so it can be referred to by URL.

The broker helper implements :class:`ContextRepository` on its database (per tenant);
:class:`MemoryContextRepository` is the in-memory implementation used by tests and by a
broker without storage.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

ContextKind = Literal["Hosted", "Cached", "ImplicitlyCreated"]
CONTEXT_KINDS: tuple[str, ...] = ("Hosted", "Cached", "ImplicitlyCreated")


def utc_now() -> str:
    """The current time as an NGSI-LD DateTime (UTC, milliseconds, ``Z``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass(frozen=True, slots=True)
class StoredContext:
    """One stored @context with its bookkeeping (§5.13.3 "details")."""

    id: str
    """The localId (a UUID for Hosted and ImplicitlyCreated ones)."""
    url: str
    """Where clients find it: the original URL (Cached) or the broker's own (the others)."""
    kind: ContextKind
    body: Any
    """The ``@context`` member of the document (an object, an array or a URL)."""
    created_at: str
    last_usage: str | None = None
    number_of_hits: int = 0

    def details(self) -> dict[str, Any]:
        """The detailed representation served with ``details=true`` (§5.13.3)."""
        info: dict[str, Any] = {
            "URL": self.url,
            "localId": self.id,
            "kind": self.kind,
            "createdAt": self.created_at,
        }
        if self.kind != "Hosted":
            info["numberOfHits"] = self.number_of_hits
            if self.last_usage is not None:
                info["lastUsage"] = self.last_usage
        return info

    def document(self) -> dict[str, Any]:
        """The JSON-LD document served without ``details`` (``{"@context": ...}``)."""
        return {"@context": self.body}


class ContextRepository(Protocol):
    """Storage of one tenant's @contexts. All methods are coroutines so an implementation
    may use a database (e.g. through a thread pool)."""

    async def add(self, context: StoredContext) -> None:
        """Store a context, replacing one with the same ``id``."""

    async def get(self, id_or_url: str) -> StoredContext | None:
        """The context with this localId or URL, or ``None``."""

    async def list(self, kind: str | None = None) -> list[StoredContext]:
        """All stored contexts (of one kind), oldest first."""

    async def delete(self, id: str) -> bool:
        """Remove the context with this localId; False when there was none."""

    async def record_hit(self, id: str, at: str) -> None:
        """Count one use of a context (``numberOfHits`` + 1, ``lastUsage`` = ``at``)."""


class MemoryContextRepository:
    """A :class:`ContextRepository` in a dict (tests, and brokers without storage)."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredContext] = {}

    async def add(self, context: StoredContext) -> None:
        self._by_id[context.id] = context

    async def get(self, id_or_url: str) -> StoredContext | None:
        found = self._by_id.get(id_or_url)
        if found is not None:
            return found
        for context in self._by_id.values():
            if context.url == id_or_url:
                return context
        return None

    async def list(self, kind: str | None = None) -> list[StoredContext]:
        contexts = sorted(self._by_id.values(), key=lambda c: c.created_at)
        return [c for c in contexts if kind is None or c.kind == kind]

    async def delete(self, id: str) -> bool:
        return self._by_id.pop(id, None) is not None

    async def record_hit(self, id: str, at: str) -> None:
        context = self._by_id.get(id)
        if context is not None:
            self._by_id[id] = replace(
                context, number_of_hits=context.number_of_hits + 1, last_usage=at
            )
