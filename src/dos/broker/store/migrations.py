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
        "0004_history_subscriptions_outbox",
        # attribute history (temporal API), subscriptions and the notification outbox: all
        # written in the same transaction as the entity change that causes them
        """
CREATE TABLE temporal_entities (
    tenant TEXT NOT NULL, id TEXT NOT NULL, types TEXT NOT NULL,
    created_ms BIGINT NOT NULL, modified_ms BIGINT NOT NULL, deleted_ms BIGINT,
    PRIMARY KEY (tenant, id)
);
CREATE TABLE attr_history (
    pk INTEGER PRIMARY KEY,
    tenant TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    attr TEXT NOT NULL,
    dataset_id TEXT NOT NULL DEFAULT '',
    instance_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    instance TEXT NOT NULL,
    value TEXT,
    num REAL,
    observed_ms BIGINT,
    created_ms BIGINT NOT NULL,
    modified_ms BIGINT NOT NULL,
    deleted_ms BIGINT
);
CREATE INDEX attr_history_observed ON attr_history (tenant, entity_id, attr, observed_ms, num);
CREATE INDEX attr_history_modified ON attr_history (tenant, entity_id, attr, modified_ms);
CREATE INDEX attr_history_created ON attr_history (tenant, entity_id, attr, created_ms);
CREATE INDEX attr_history_instance ON attr_history (instance_id);
CREATE TABLE subscriptions (
    tenant TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, context TEXT NOT NULL,
    active INTEGER NOT NULL, expires_ms BIGINT, interval_s BIGINT,
    next_periodic_ms BIGINT, last_notified_ms BIGINT,
    times_sent BIGINT NOT NULL DEFAULT 0, times_failed BIGINT NOT NULL DEFAULT 0,
    last_notification TEXT, last_success TEXT, last_failure TEXT, status TEXT NOT NULL DEFAULT 'ok',
    created_at TEXT NOT NULL, modified_at TEXT NOT NULL,
    PRIMARY KEY (tenant, id)
);
CREATE TABLE outbox (
    pk INTEGER PRIMARY KEY,
    tenant TEXT NOT NULL,
    subscription_id TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_ms BIGINT NOT NULL,
    last_error TEXT
);
CREATE INDEX outbox_next ON outbox (next_ms, pk);
CREATE INDEX outbox_subscription ON outbox (tenant, subscription_id, pk)
""",
        """
CREATE TABLE temporal_entities (
    tenant TEXT NOT NULL, id TEXT NOT NULL, types TEXT NOT NULL,
    created_ms BIGINT NOT NULL, modified_ms BIGINT NOT NULL, deleted_ms BIGINT,
    PRIMARY KEY (tenant, id)
);
CREATE TABLE attr_history (
    pk BIGSERIAL PRIMARY KEY,
    tenant TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    attr TEXT NOT NULL,
    dataset_id TEXT NOT NULL DEFAULT '',
    instance_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    instance TEXT NOT NULL,
    value TEXT,
    num DOUBLE PRECISION,
    observed_ms BIGINT,
    created_ms BIGINT NOT NULL,
    modified_ms BIGINT NOT NULL,
    deleted_ms BIGINT
);
CREATE INDEX attr_history_observed ON attr_history (tenant, entity_id, attr, observed_ms, num);
CREATE INDEX attr_history_modified ON attr_history (tenant, entity_id, attr, modified_ms);
CREATE INDEX attr_history_created ON attr_history (tenant, entity_id, attr, created_ms);
CREATE INDEX attr_history_instance ON attr_history (instance_id);
CREATE TABLE subscriptions (
    tenant TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, context TEXT NOT NULL,
    active BOOLEAN NOT NULL, expires_ms BIGINT, interval_s BIGINT,
    next_periodic_ms BIGINT, last_notified_ms BIGINT,
    times_sent BIGINT NOT NULL DEFAULT 0, times_failed BIGINT NOT NULL DEFAULT 0,
    last_notification TEXT, last_success TEXT, last_failure TEXT, status TEXT NOT NULL DEFAULT 'ok',
    created_at TEXT NOT NULL, modified_at TEXT NOT NULL,
    PRIMARY KEY (tenant, id)
);
CREATE TABLE outbox (
    pk BIGSERIAL PRIMARY KEY,
    tenant TEXT NOT NULL,
    subscription_id TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_ms BIGINT NOT NULL,
    last_error TEXT
);
CREATE INDEX outbox_next ON outbox (next_ms, pk);
CREATE INDEX outbox_subscription ON outbox (tenant, subscription_id, pk)
""",
    ),
    (
        "0005_iot_agent",
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
    (
        "0006_history_last",
        # temporal lastN: the newest instances of an attribute straight from the index
        "CREATE INDEX attr_history_last ON attr_history "
        "(tenant, entity_id, attr, COALESCE(observed_ms, modified_ms), pk)",
        "CREATE INDEX attr_history_last ON attr_history "
        "(tenant, entity_id, attr, (COALESCE(observed_ms, modified_ms)), pk)",
    ),
]


def pending(applied: set[str]) -> list[str]:
    """Names of the migrations not yet in ``applied``."""
    return [name for name, _, _ in MIGRATIONS if name not in applied]


class MigrationsPending(RuntimeError):
    """The broker database exists but is older than this code: run ``dos migrate``."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(f"the broker database needs `dos migrate` (pending: {', '.join(names)})")
