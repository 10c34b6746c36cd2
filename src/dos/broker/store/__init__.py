"""Storage engines of the broker behind one :class:`Store` protocol.

SQLite (embedded default, its own file, WAL) and PostgreSQL (its own schema ``broker``). Both
keep entities in the internal representation as a JSON document plus index rows (types,
attribute names, geo bounding boxes). Writes go through :meth:`Store.write`, which runs the
given function inside a group-committed transaction and returns only after the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from dos.config import Config

T = TypeVar("T")
Box = tuple[float, float, float, float]
Doc = dict[str, Any]


class DocFilter(Protocol):
    """A parsed ``q`` or ``scopeQ`` (built by :mod:`dos.broker.query`)."""

    def matches(self, entity: Doc) -> bool: ...

    def to_sql(self, dialect: str, doc_column: str = "doc") -> tuple[str, list[Any]]: ...


class GeoFilter(Protocol):
    """A parsed geo-query: an index prefilter (bounding box) and the exact shapely test."""

    @property
    def geoproperty_iri(self) -> str: ...

    def matches(self, entity: Doc) -> bool: ...

    def bbox(self) -> Box | None: ...


@dataclass
class EntityQuery:
    """What to select (ETSI GS CIM 009 §5.7.2, query entities); names are expanded IRIs.

    ``types`` is in disjunctive normal form: an entity matches when it has all types of at
    least one group.
    """

    ids: list[str] | None = None
    id_pattern: str | None = None
    types: list[list[str]] | None = None
    attrs: list[str] | None = None
    q: DocFilter | None = None
    scope_q: DocFilter | None = None
    geo: GeoFilter | None = None
    limit: int = 20
    offset: int = 0
    count: bool = False
    extra: list[Callable[[Doc], bool]] = field(default_factory=list)


class Session(Protocol):
    """Reads (and, inside :meth:`Store.write`, writes) of one tenant-aware connection."""

    def tenant_exists(self, tenant: str) -> bool: ...

    def get(self, tenant: str, entity_id: str) -> Doc | None: ...

    def get_many(self, tenant: str, entity_ids: list[str]) -> dict[str, Doc]: ...

    def query(self, tenant: str, query: EntityQuery) -> tuple[list[Doc], int | None]: ...

    def type_summary(self, tenant: str) -> list[tuple[str, int, list[tuple[str, str]]]]: ...

    def attribute_summary(self, tenant: str) -> list[tuple[str, int, list[str], list[str]]]: ...

    def insert(self, tenant: str, doc: Doc) -> None: ...

    def update(self, tenant: str, doc: Doc, old: Any = None) -> None: ...

    def insert_many(self, tenant: str, docs: list[Doc]) -> None: ...

    def update_many(
        self, tenant: str, docs: list[tuple[Doc, Any]], previous: dict[str, Doc] | None = None
    ) -> None: ...

    def update_versions(self, tenant: str, versions: list[tuple[Doc, Doc]]) -> None: ...

    def delete(self, tenant: str, entity_id: str) -> bool: ...

    def context_list(self, tenant: str) -> list[dict[str, Any]]: ...

    def context_get(self, tenant: str, context_id: str) -> dict[str, Any] | None: ...

    def context_put(self, tenant: str, record: dict[str, Any]) -> None: ...

    def context_delete(self, tenant: str, context_id: str) -> bool: ...

    def token_add(self, record: dict[str, Any]) -> None: ...

    def token_by_digest(self, digest: str) -> dict[str, Any] | None: ...

    def token_list(self) -> list[dict[str, Any]]: ...

    def token_revoke(self, token_id: str, when: str) -> bool: ...


class Store(Protocol):
    """What the broker's operations need from a database engine."""

    engine: str

    def migrate(self) -> list[str]:
        """Apply pending schema migrations; return the names of those applied."""
        ...

    def ping(self) -> None:
        """Raise if the database cannot be reached."""
        ...

    def read(self, fn: Callable[[Session], T]) -> T:
        """Run ``fn`` with a read session (a consistent snapshot for its duration)."""
        ...

    def write(self, fn: Callable[[Session], T]) -> T:
        """Run ``fn`` in the next group-committed transaction; return after the commit.

        If ``fn`` raises, only its own changes are rolled back (savepoint) and the exception
        is raised here; the other writes of the group still commit.
        """
        ...

    async def awrite(self, fn: Callable[[Session], T]) -> T:
        """:meth:`write` for the event loop: awaits the commit without blocking."""
        ...

    async def aread(self, fn: Callable[[Session], T]) -> T:
        """:meth:`read` in a worker thread."""
        ...

    def close(self) -> None: ...


def open_store(config: Config, *, schema: str = "broker") -> Store:
    """The store that ``DOS_DATABASE_URL`` selects (``schema``: PostgreSQL schema name)."""
    if config.uses_postgres:
        from dos.broker.store.postgres import PostgresStore

        return PostgresStore(str(config.DATABASE_URL), schema=schema)
    from dos.broker.store.sqlite import SqliteStore

    return SqliteStore(config.sqlite_path("broker"), synchronous=config.BROKER_SQLITE_SYNCHRONOUS)
