"""Storage engines of the broker behind one :class:`Store` protocol.

SQLite (embedded default, its own file, WAL) and PostgreSQL (its own schema ``broker``).
"""

from __future__ import annotations

from typing import Protocol

from dos.config import Config


class Store(Protocol):
    """What the broker's operations need from a database engine."""

    engine: str

    def migrate(self) -> list[str]:
        """Apply pending schema migrations; return the names of those applied."""
        ...

    def ping(self) -> None:
        """Raise if the database cannot be reached."""
        ...

    def close(self) -> None: ...


def open_store(config: Config) -> Store:
    """The store that ``DOS_DATABASE_URL`` selects."""
    if config.uses_postgres:
        from dos.broker.store.postgres import PostgresStore

        return PostgresStore(str(config.DATABASE_URL))
    from dos.broker.store.sqlite import SqliteStore

    return SqliteStore(config.sqlite_path("broker"))
