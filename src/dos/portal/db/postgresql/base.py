"""PostgreSQL backend that keeps the portal's tables in the schema ``portal``.

The broker uses the schema ``broker`` of the same database, so one PostgreSQL database holds
both without name clashes. The schema is created on first connection if it is missing.
"""

from __future__ import annotations

from django.db.backends.postgresql import base

SCHEMA = "portal"


class DatabaseWrapper(base.DatabaseWrapper):
    def init_connection_state(self) -> None:
        super().init_connection_state()
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [SCHEMA])
            if cursor.fetchone() is None:
                cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
            cursor.execute(f"SET search_path TO {SCHEMA}")
        if not self.get_autocommit():
            self.connection.commit()
