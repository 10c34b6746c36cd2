"""Versioned schema migrations shared by both engines: (name, SQLite DDL, PostgreSQL DDL).

Statements of one migration are separated by ``;`` at the end of a line. A migration is never
edited once released: a change to the schema is a new entry at the end of the list.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[str, str, str]] = [
    (
        "0001_meta",
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ),
    (
        "0002_entities",
        # SQLite: the rowid alias ``pk`` keeps the index tables small; WITHOUT ROWID index
        # tables are clustered on (tenant, name, pk) so that type/attribute lookups are one
        # range scan.
        """
CREATE TABLE tenants (tenant TEXT PRIMARY KEY, created_at TEXT NOT NULL);
CREATE TABLE entities (
    pk INTEGER PRIMARY KEY,
    tenant TEXT NOT NULL,
    id TEXT NOT NULL,
    doc TEXT NOT NULL,
    created_at TEXT NOT NULL,
    modified_at TEXT NOT NULL,
    UNIQUE (tenant, id)
);
CREATE TABLE entity_types (
    tenant TEXT NOT NULL, type TEXT NOT NULL, pk INTEGER NOT NULL,
    PRIMARY KEY (tenant, type, pk)
) WITHOUT ROWID;
CREATE INDEX entity_types_pk ON entity_types (pk);
CREATE TABLE entity_attrs (
    tenant TEXT NOT NULL, attr TEXT NOT NULL, kind TEXT NOT NULL, pk INTEGER NOT NULL,
    PRIMARY KEY (tenant, attr, pk, kind)
) WITHOUT ROWID;
CREATE INDEX entity_attrs_pk ON entity_attrs (pk);
CREATE TABLE entity_geo (
    pk INTEGER NOT NULL, tenant TEXT NOT NULL, attr TEXT NOT NULL,
    minx REAL NOT NULL, miny REAL NOT NULL, maxx REAL NOT NULL, maxy REAL NOT NULL
);
CREATE INDEX entity_geo_box ON entity_geo (tenant, attr, minx, maxx);
CREATE INDEX entity_geo_pk ON entity_geo (pk);
CREATE TABLE contexts (
    tenant TEXT NOT NULL, id TEXT NOT NULL, url TEXT NOT NULL, kind TEXT NOT NULL,
    body TEXT NOT NULL, created_at TEXT NOT NULL, last_used_at TEXT, hits INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant, id)
);
CREATE TABLE tokens (
    id TEXT PRIMARY KEY, tenant TEXT NOT NULL, scope TEXT NOT NULL, digest TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, revoked_at TEXT
)
""",
        """
CREATE TABLE tenants (tenant TEXT PRIMARY KEY, created_at TEXT NOT NULL);
CREATE TABLE entities (
    pk BIGSERIAL PRIMARY KEY,
    tenant TEXT NOT NULL,
    id TEXT NOT NULL,
    doc JSONB NOT NULL,
    created_at TEXT NOT NULL,
    modified_at TEXT NOT NULL,
    UNIQUE (tenant, id)
);
CREATE TABLE entity_types (
    tenant TEXT NOT NULL, type TEXT NOT NULL, pk BIGINT NOT NULL,
    PRIMARY KEY (tenant, type, pk)
);
CREATE INDEX entity_types_pk ON entity_types (pk);
CREATE TABLE entity_attrs (
    tenant TEXT NOT NULL, attr TEXT NOT NULL, kind TEXT NOT NULL, pk BIGINT NOT NULL,
    PRIMARY KEY (tenant, attr, pk, kind)
);
CREATE INDEX entity_attrs_pk ON entity_attrs (pk);
CREATE TABLE entity_geo (
    pk BIGINT NOT NULL, tenant TEXT NOT NULL, attr TEXT NOT NULL,
    minx DOUBLE PRECISION NOT NULL, miny DOUBLE PRECISION NOT NULL,
    maxx DOUBLE PRECISION NOT NULL, maxy DOUBLE PRECISION NOT NULL
);
CREATE INDEX entity_geo_box ON entity_geo (tenant, attr, minx, maxx);
CREATE INDEX entity_geo_pk ON entity_geo (pk);
CREATE TABLE contexts (
    tenant TEXT NOT NULL, id TEXT NOT NULL, url TEXT NOT NULL, kind TEXT NOT NULL,
    body TEXT NOT NULL, created_at TEXT NOT NULL, last_used_at TEXT, hits INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant, id)
);
CREATE TABLE tokens (
    id TEXT PRIMARY KEY, tenant TEXT NOT NULL, scope TEXT NOT NULL, digest TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, revoked_at TEXT
)
""",
    ),
    (
        "0003_entities_tenant_pk",
        # queries without a single type walk a tenant's entities in insertion order
        "CREATE INDEX entities_tenant_pk ON entities (tenant, pk)",
        "CREATE INDEX entities_tenant_pk ON entities (tenant, pk)",
    ),
    (
        "0004_iot_agent",
        # ingestion: service groups (API keys) and devices; documents as JSON text
        """
CREATE TABLE iot_services (
    tenant TEXT NOT NULL, apikey TEXT NOT NULL, resource TEXT NOT NULL, doc TEXT NOT NULL,
    created_at TEXT NOT NULL, PRIMARY KEY (apikey, resource)
);
CREATE INDEX iot_services_tenant ON iot_services (tenant, apikey);
CREATE TABLE iot_devices (
    tenant TEXT NOT NULL, device_id TEXT NOT NULL, apikey TEXT NOT NULL, doc TEXT NOT NULL,
    created_at TEXT NOT NULL, PRIMARY KEY (tenant, device_id)
);
CREATE UNIQUE INDEX iot_devices_key ON iot_devices (apikey, device_id)
""",
        """
CREATE TABLE iot_services (
    tenant TEXT NOT NULL, apikey TEXT NOT NULL, resource TEXT NOT NULL, doc TEXT NOT NULL,
    created_at TEXT NOT NULL, PRIMARY KEY (apikey, resource)
);
CREATE INDEX iot_services_tenant ON iot_services (tenant, apikey);
CREATE TABLE iot_devices (
    tenant TEXT NOT NULL, device_id TEXT NOT NULL, apikey TEXT NOT NULL, doc TEXT NOT NULL,
    created_at TEXT NOT NULL, PRIMARY KEY (tenant, device_id)
);
CREATE UNIQUE INDEX iot_devices_key ON iot_devices (apikey, device_id)
""",
    ),
]


def pending(applied: set[str]) -> list[str]:
    """Names of the migrations not yet in ``applied``."""
    return [name for name, _, _ in MIGRATIONS if name not in applied]


class MigrationsPending(RuntimeError):
    """The broker database exists but is older than this code: run ``dos migrate``."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(f"the broker database needs `dos migrate` (pending: {', '.join(names)})")
