"""Versioned schema migrations shared by both engines: (name, SQLite DDL, PostgreSQL DDL).

Statements of one migration are separated by ``;`` at the end of a line (so a trigger body
keeps its ``;`` inside a line). A migration may have a Python step in :data:`BACKFILLS`.
A migration is never edited once released: a change to the schema is a new entry at the end
of the list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

_OBSERVED_PARTIAL = """DROP INDEX attr_history_observed;
CREATE INDEX attr_history_observed ON attr_history (tenant, entity_id, attr, observed_ms, num)
    WHERE observed_ms IS NOT NULL"""

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
        "0006_retention",
        # retention policies per tenant and entity type ('*': any) with durations as given
        # (ISO 8601, 'forever' or 'none'), and the hourly/daily rollups of attribute instances
        # that retention removed (see dos.broker.temporal.retention)
        """
CREATE TABLE retention_policies (
    tenant TEXT NOT NULL, entity_type TEXT NOT NULL,
    raw TEXT NOT NULL, hourly TEXT NOT NULL, daily TEXT NOT NULL,
    created_at TEXT NOT NULL, modified_at TEXT NOT NULL,
    PRIMARY KEY (tenant, entity_type)
);
CREATE TABLE attr_rollups (
    tenant TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    attr TEXT NOT NULL,
    dataset_id TEXT NOT NULL,
    period TEXT NOT NULL,
    start_ms BIGINT NOT NULL,
    kind TEXT NOT NULL,
    first_ms BIGINT NOT NULL,
    last_ms BIGINT NOT NULL,
    total BIGINT NOT NULL,
    num_count BIGINT NOT NULL,
    num_sum REAL,
    num_min REAL,
    num_max REAL,
    num_sumsq REAL,
    PRIMARY KEY (tenant, entity_id, attr, period, start_ms, dataset_id)
)
""",
        """
CREATE TABLE retention_policies (
    tenant TEXT NOT NULL, entity_type TEXT NOT NULL,
    raw TEXT NOT NULL, hourly TEXT NOT NULL, daily TEXT NOT NULL,
    created_at TEXT NOT NULL, modified_at TEXT NOT NULL,
    PRIMARY KEY (tenant, entity_type)
);
CREATE TABLE attr_rollups (
    tenant TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    attr TEXT NOT NULL,
    dataset_id TEXT NOT NULL,
    period TEXT NOT NULL,
    start_ms BIGINT NOT NULL,
    kind TEXT NOT NULL,
    first_ms BIGINT NOT NULL,
    last_ms BIGINT NOT NULL,
    total BIGINT NOT NULL,
    num_count BIGINT NOT NULL,
    num_sum DOUBLE PRECISION,
    num_min DOUBLE PRECISION,
    num_max DOUBLE PRECISION,
    num_sumsq DOUBLE PRECISION,
    PRIMARY KEY (tenant, entity_id, attr, period, start_ms, dataset_id)
)
""",
    ),
    (
        "0007_value_index_geo_rtree",
        # numbers of attribute values for q comparisons (filled by backfill_values below), and
        # a spatial index over the geo bounding boxes (SQLite R*Tree kept by triggers; a GiST
        # index on the box in PostgreSQL)
        """
CREATE TABLE entity_values (
    tenant TEXT NOT NULL, attr TEXT NOT NULL, num REAL NOT NULL, pk INTEGER NOT NULL,
    PRIMARY KEY (tenant, attr, num, pk)
) WITHOUT ROWID;
CREATE INDEX entity_values_pk ON entity_values (pk);
CREATE VIRTUAL TABLE entity_geo_rtree USING rtree(id, minx, maxx, miny, maxy);
INSERT INTO entity_geo_rtree SELECT rowid, minx, maxx, miny, maxy FROM entity_geo;
CREATE TRIGGER entity_geo_rtree_insert AFTER INSERT ON entity_geo BEGIN INSERT INTO
    entity_geo_rtree VALUES (new.rowid, new.minx, new.maxx, new.miny, new.maxy); END;
CREATE TRIGGER entity_geo_rtree_delete AFTER DELETE ON entity_geo BEGIN
    DELETE FROM entity_geo_rtree WHERE id = old.rowid; END
""",
        """
CREATE TABLE entity_values (
    tenant TEXT NOT NULL, attr TEXT NOT NULL, num DOUBLE PRECISION NOT NULL, pk BIGINT NOT NULL,
    PRIMARY KEY (tenant, attr, num, pk)
);
CREATE INDEX entity_values_pk ON entity_values (pk);
CREATE INDEX entity_geo_gist ON entity_geo USING gist (box(point(minx, miny), point(maxx, maxy)))
""",
    ),
    (
        "0008_history_last",
        # temporal lastN: the newest instances of an attribute straight from the index
        "CREATE INDEX attr_history_last ON attr_history "
        "(tenant, entity_id, attr, COALESCE(observed_ms, modified_ms), pk)",
        "CREATE INDEX attr_history_last ON attr_history "
        "(tenant, entity_id, attr, (COALESCE(observed_ms, modified_ms)), pk)",
    ),
    (
        "0009_temporal_attrs",
        # the (entity, attribute, datasetId) keys that have a history, written with the history
        # rows (dos.broker.temporal.history.append_history): lastN looks up the newest
        # instances per key instead of finding the keys among all rows; the lastN index gains
        # the datasetId (lastN counts per attribute and datasetId) and replaces 0008's
        """
CREATE TABLE temporal_attrs (
    tenant TEXT NOT NULL, entity_id TEXT NOT NULL, attr TEXT NOT NULL, dataset_id TEXT NOT NULL,
    PRIMARY KEY (tenant, entity_id, attr, dataset_id)
) WITHOUT ROWID;
INSERT INTO temporal_attrs (tenant, entity_id, attr, dataset_id)
    SELECT DISTINCT tenant, entity_id, attr, dataset_id FROM attr_history;
DROP INDEX attr_history_last;
CREATE INDEX attr_history_latest ON attr_history
    (tenant, entity_id, attr, dataset_id, COALESCE(observed_ms, modified_ms), pk)
""",
        """
CREATE TABLE temporal_attrs (
    tenant TEXT NOT NULL, entity_id TEXT NOT NULL, attr TEXT NOT NULL, dataset_id TEXT NOT NULL,
    PRIMARY KEY (tenant, entity_id, attr, dataset_id)
);
INSERT INTO temporal_attrs (tenant, entity_id, attr, dataset_id)
    SELECT DISTINCT tenant, entity_id, attr, dataset_id FROM attr_history;
DROP INDEX attr_history_last;
CREATE INDEX attr_history_latest ON attr_history
    (tenant, entity_id, attr, dataset_id, (COALESCE(observed_ms, modified_ms)), pk)
""",
    ),
    (
        "0010_history_write_indexes",
        # every history row paid for five indexes; the createdAt and modifiedAt ones served
        # only timeproperty=createdAt/modifiedAt queries, which now narrow by the (tenant,
        # entity, attribute) prefix of the other indexes and filter that attribute's rows:
        # history writes (every measure) cost about half as much (docs/temporal.md)
        "DROP INDEX attr_history_modified;\nDROP INDEX attr_history_created",
        "DROP INDEX attr_history_modified;\nDROP INDEX attr_history_created",
    ),
    (
        "0011_history_hourly",
        # per attribute and hour of observedAt the count, sum, min, max and sum of squares of
        # the raw history rows, kept in step with them (dos.broker.temporal.hourly): hourly
        # (daily, ...) aggregates read one row per hour instead of every instance
        """
CREATE TABLE attr_hourly (
    tenant TEXT NOT NULL, entity_id TEXT NOT NULL, attr TEXT NOT NULL, start_ms BIGINT NOT NULL,
    total BIGINT NOT NULL, num_count BIGINT NOT NULL,
    num_sum REAL, num_min REAL, num_max REAL, num_sumsq REAL,
    PRIMARY KEY (tenant, entity_id, attr, start_ms)
) WITHOUT ROWID;
INSERT INTO attr_hourly (tenant, entity_id, attr, start_ms, total, num_count, num_sum, num_min,
    num_max, num_sumsq)
    SELECT tenant, entity_id, attr, observed_ms - ((observed_ms % 3600000) + 3600000) % 3600000
    AS hour_start, COUNT(*), COUNT(num), SUM(num), MIN(num), MAX(num), SUM(num * num)
    FROM attr_history WHERE observed_ms IS NOT NULL GROUP BY tenant, entity_id, attr, hour_start
""",
        """
CREATE TABLE attr_hourly (
    tenant TEXT NOT NULL, entity_id TEXT NOT NULL, attr TEXT NOT NULL, start_ms BIGINT NOT NULL,
    total BIGINT NOT NULL, num_count BIGINT NOT NULL, num_sum DOUBLE PRECISION,
    num_min DOUBLE PRECISION, num_max DOUBLE PRECISION, num_sumsq DOUBLE PRECISION,
    PRIMARY KEY (tenant, entity_id, attr, start_ms)
);
INSERT INTO attr_hourly (tenant, entity_id, attr, start_ms, total, num_count, num_sum, num_min,
    num_max, num_sumsq)
    SELECT tenant, entity_id, attr, observed_ms - ((observed_ms % 3600000) + 3600000) % 3600000
    AS hour_start, COUNT(*), COUNT(num), SUM(num), MIN(num), MAX(num), SUM(num * num)
    FROM attr_history WHERE observed_ms IS NOT NULL GROUP BY tenant, entity_id, attr, hour_start
""",
    ),
    (
        "0012_values_without_pk_index",
        # the value index loses its second index (by pk): writes delete value rows by their
        # full key, computed from the stored document, so a changed number touches one
        # index instead of two (PATCH throughput +15-20 %, docs/benchmarks.md); the rows are
        # rebuilt from the documents so that they are exactly what the writes will delete
        "DROP INDEX entity_values_pk;\nDELETE FROM entity_values",
        "DROP INDEX entity_values_pk;\nDELETE FROM entity_values",
    ),
    (
        "0013_observed_index_partial",
        # the observedAt index holds only rows that have an observedAt: every query that
        # uses it compares observed_ms (which implies IS NOT NULL, so both engines use the
        # partial index), and a write without observedAt (a plain PATCH) touches one index
        # less (PATCH throughput +10-20 %, docs/benchmarks.md)
        _OBSERVED_PARTIAL,
        _OBSERVED_PARTIAL,
    ),
    (
        "0014_history_keys_of_stored_entities",
        # writes register the history key of an instance only when the stored version did
        # not have it (dos.broker.temporal.history.append_history): the keys of every stored
        # instance are made sure here (entities written before their history was kept)
        "",
        "",
    ),
]


def _stored_entities(session: Any) -> Iterator[list[tuple[int, str, Any]]]:
    """Every stored entity as (pk, tenant, document), 1,000 at a time, in pk order."""
    last = 0
    while True:
        rows = session.x(
            "SELECT pk, tenant, doc FROM entities WHERE pk > ? ORDER BY pk LIMIT 1000", (last,)
        ).fetchall()
        if not rows:
            return
        yield [
            (int(pk), tenant, raw if isinstance(raw, dict) else session.load(raw))
            for pk, tenant, raw in rows
        ]
        last = int(rows[-1][0])


def backfill_values(session: Any) -> None:
    """Index the numbers of every stored entity (migrations 0007 and 0012)."""
    from dos.broker.store.index import value_rows

    for chunk in _stored_entities(session):
        session.many(
            "INSERT INTO entity_values (tenant, attr, num, pk) VALUES (?, ?, ?, ?)",
            [(tenant, attr, num, pk) for pk, tenant, doc in chunk for attr, num in value_rows(doc)],
        )


def backfill_history_keys(session: Any) -> None:
    """Register the history key of every instance of every stored entity (migration 0014)."""
    from dos.broker.temporal.history import INSERT_KEY, history_keys

    for chunk in _stored_entities(session):
        keys = set().union(*(history_keys(tenant, doc) for _, tenant, doc in chunk))
        session.many(INSERT_KEY, sorted(keys))


#: Python steps run after a migration's DDL, in its transaction, with a write session.
BACKFILLS: dict[str, Callable[[Any], None]] = {
    "0007_value_index_geo_rtree": backfill_values,
    "0012_values_without_pk_index": backfill_values,
    "0014_history_keys_of_stored_entities": backfill_history_keys,
}


def pending(applied: set[str]) -> list[str]:
    """Names of the migrations not yet in ``applied``."""
    return [name for name, _, _ in MIGRATIONS if name not in applied]


class MigrationsPending(RuntimeError):
    """The broker database exists but is older than this code: run ``dos migrate``."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(f"the broker database needs `dos migrate` (pending: {', '.join(names)})")
