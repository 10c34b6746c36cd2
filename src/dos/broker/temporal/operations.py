"""Changes made through the temporal API itself (ETSI GS CIM 009 §5.6.11-§5.6.16).

They write history rows directly (the current entity in ``entities`` is not touched), each
inside one store write. Instances are given in the internal form (expanded names).
"""

from __future__ import annotations

from typing import Any

import orjson

from dos.broker.errors import NgsiError
from dos.broker.store import Store
from dos.broker.temporal import hourly
from dos.broker.temporal.history import (
    UPSERT_ENTITY,
    append_history,
    history_row,
    keep_keys_of_stored,
    number_of,
    value_of,
)
from dos.broker.temporal.times import from_ms, now_ms, to_ms


def _entity_types(session: Any, tenant: str, entity_id: str) -> list[str] | None:
    row = session.x(
        "SELECT types FROM temporal_entities WHERE tenant = ? AND id = ?", (tenant, entity_id)
    ).fetchone()
    return None if row is None else list(orjson.loads(row[0]))


def _append(
    session: Any, tenant: str, entity_id: str, attrs: dict[str, list[dict[str, Any]]], moment: int
) -> None:
    stamp = from_ms(moment)
    rows = []
    for name, instances in attrs.items():
        for instance in instances:
            stamped = {**instance, "createdAt": stamp, "modifiedAt": stamp}
            rows.append(history_row(tenant, entity_id, name, stamped, modified_ms=moment))
    append_history(session, rows)


async def temporal_upsert(
    store: Store, tenant: str, entity_id: str, types: list[str], attrs: dict[str, Any]
) -> bool:
    """Create or update the temporal representation of an entity (§5.6.11): True if created."""

    def write(session: Any) -> bool:
        moment = now_ms()
        known = _entity_types(session, tenant, entity_id)
        merged = list(dict.fromkeys([*(known or []), *types]))
        session.x(
            "INSERT INTO tenants (tenant, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (tenant, from_ms(moment)),
        )
        session.x(
            UPSERT_ENTITY,
            (tenant, entity_id, orjson.dumps(merged).decode(), moment, moment),
        )
        _append(session, tenant, entity_id, attrs, moment)
        return known is None

    return await store.awrite(write)


async def temporal_append(store: Store, tenant: str, entity_id: str, attrs: dict[str, Any]) -> None:
    """Add attribute instances to a temporal entity (§5.6.12)."""

    def write(session: Any) -> None:
        if _entity_types(session, tenant, entity_id) is None:
            raise NgsiError("ResourceNotFound", f"temporal entity {entity_id} does not exist")
        moment = now_ms()
        session.x(
            "UPDATE temporal_entities SET modified_ms = ? WHERE tenant = ? AND id = ?",
            (moment, tenant, entity_id),
        )
        _append(session, tenant, entity_id, attrs, moment)

    await store.awrite(write)


async def temporal_delete(store: Store, tenant: str, entity_id: str) -> None:
    """Delete a temporal entity with all its history (§5.6.16)."""

    def write(session: Any) -> None:
        row = session.x(
            "DELETE FROM temporal_entities WHERE tenant = ? AND id = ? RETURNING id",
            (tenant, entity_id),
        ).fetchone()
        if row is None:
            raise NgsiError("ResourceNotFound", f"temporal entity {entity_id} does not exist")
        for table in ("attr_history", "attr_rollups", "temporal_attrs", "attr_hourly"):
            session.x(
                f"DELETE FROM {table} WHERE tenant = ? AND entity_id = ?", (tenant, entity_id)
            )
        keep_keys_of_stored(session, tenant, entity_id)

    await store.awrite(write)


async def attr_history_delete(
    store: Store,
    tenant: str,
    entity_id: str,
    attr: str,
    *,
    dataset_id: str | None,
    delete_all: bool,
) -> None:
    """Delete the history of an attribute (§5.6.13): one datasetId, or all with ``deleteAll``."""

    def write(session: Any) -> None:
        sql = "DELETE FROM attr_history WHERE tenant = ? AND entity_id = ? AND attr = ?"
        params: list[Any] = [tenant, entity_id, attr]
        if not delete_all:
            sql += " AND dataset_id = ?"
            params.append(dataset_id or "")
        # with the rollups retention made of its older values
        rolled = session.x(
            sql.replace("attr_history", "attr_rollups") + " RETURNING attr", params
        ).fetchall()
        if session.x(sql + " RETURNING pk", params).fetchone() is None and not rolled:
            raise NgsiError(
                "ResourceNotFound", f"temporal entity {entity_id} has no history of {attr}"
            )
        session.x(sql.replace("attr_history", "temporal_attrs"), params)
        keep_keys_of_stored(session, tenant, entity_id, attr)
        if delete_all:
            session.x(
                "DELETE FROM attr_hourly WHERE tenant = ? AND entity_id = ? AND attr = ?",
                (tenant, entity_id, attr),
            )
        else:  # the other datasetIds remain: their summaries from their rows
            hourly.rebuild(session, tenant, entity_id, attr)

    await store.awrite(write)


async def instance_modify(
    store: Store, tenant: str, entity_id: str, attr: str, instance_id: str, instance: dict[str, Any]
) -> None:
    """Modify one attribute instance (§5.6.14): the given members replace the stored ones."""

    def write(session: Any) -> None:
        row = session.x(
            "SELECT instance, observed_ms FROM attr_history WHERE tenant = ? AND entity_id = ? "
            "AND attr = ? AND instance_id = ?",
            (tenant, entity_id, attr, instance_id),
        ).fetchone()
        if row is None:
            raise NgsiError(
                "ResourceNotFound", f"attribute {attr} of {entity_id} has no instance {instance_id}"
            )
        moment = now_ms()
        merged = {**orjson.loads(row[0]), **instance, "modifiedAt": from_ms(moment)}
        value = value_of(merged)
        observed = to_ms(merged.get("observedAt"))
        session.x(
            "UPDATE attr_history SET instance = ?, value = ?, num = ?, observed_ms = ?, "
            "modified_ms = ?, kind = ? WHERE tenant = ? AND instance_id = ?",
            (
                orjson.dumps(merged).decode(),
                orjson.dumps(value).decode(),
                number_of(value),
                observed,
                moment,
                str(merged.get("type", "Property")),
                tenant,
                instance_id,
            ),
        )
        for moved in {row[1], observed} - {None}:  # the hours it left and joined
            hourly.rebuild(session, tenant, entity_id, attr, int(moved), int(moved))

    await store.awrite(write)


async def instance_delete(
    store: Store, tenant: str, entity_id: str, attr: str, instance_id: str
) -> None:
    """Delete one attribute instance (§5.6.15)."""

    def write(session: Any) -> None:
        row = session.x(
            "DELETE FROM attr_history WHERE tenant = ? AND entity_id = ? AND attr = ? "
            "AND instance_id = ? RETURNING observed_ms",
            (tenant, entity_id, attr, instance_id),
        ).fetchone()
        if row is None:
            raise NgsiError(
                "ResourceNotFound", f"attribute {attr} of {entity_id} has no instance {instance_id}"
            )
        if row[0] is not None:
            hourly.rebuild(session, tenant, entity_id, attr, int(row[0]), int(row[0]))

    await store.awrite(write)
