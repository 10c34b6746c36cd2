"""SQL shared by both engines: entity rows, their index rows, contexts and tokens.

Statements are written with ``?`` placeholders; the PostgreSQL engine converts them. The
engine-specific parts (how the document column is written and read, regular expressions,
multi-row execution) are small hooks on :class:`SqlSession`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import orjson

from dos.broker.store import Doc, EntityQuery
from dos.broker.store.index import Signature, attr_rows, geo_rows, signature, type_rows

PAGE_SCAN = 500  # rows fetched per round when a Python-side filter (geo) decides


class SqlSession:
    """One connection's view of the broker tables (see :class:`dos.broker.store.Session`)."""

    dialect = "sqlite"
    doc_param = "?"  # how a document parameter is written in INSERT/UPDATE
    doc_select = "e.doc"  # how the document is selected (as JSON text)

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        #: called by the group-commit writer once the transaction committed (not on rollback)
        self.after_commit: list[Callable[[], None]] = []

    # -- engine hooks -------------------------------------------------------------------
    def sql(self, text: str) -> str:
        return text

    def x(self, text: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(self.sql(text), params)

    def many(self, text: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self.conn.executemany(self.sql(text), rows)

    def regex_sql(self, column: str) -> str:
        return f"ngsi_regexp({column}, ?)"

    @staticmethod
    def load(raw: Any) -> Doc:
        result: Doc = orjson.loads(raw)
        return result

    # -- entities -----------------------------------------------------------------------
    def tenant_exists(self, tenant: str) -> bool:
        return self.x("SELECT 1 FROM tenants WHERE tenant = ?", (tenant,)).fetchone() is not None

    def get(self, tenant: str, entity_id: str) -> Doc | None:
        row = self.x(
            f"SELECT {self.doc_select} FROM entities e WHERE e.tenant = ? AND e.id = ?",
            (tenant, entity_id),
        ).fetchone()
        return self.load(row[0]) if row else None

    def get_many(self, tenant: str, entity_ids: list[str]) -> dict[str, Doc]:
        found: dict[str, Doc] = {}
        for start in range(0, len(entity_ids), 500):
            chunk = entity_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for (raw,) in self.x(
                f"SELECT {self.doc_select} FROM entities e "
                f"WHERE e.tenant = ? AND e.id IN ({marks})",
                (tenant, *chunk),
            ):
                doc = self.load(raw)
                found[doc["id"]] = doc
        return found

    def _from(self, tenant: str, query: EntityQuery) -> tuple[str, str, list[Any]]:
        """FROM clause, ORDER BY column and their parameters.

        A query for one type (the common case) walks the (tenant, type, pk) index in pk order
        and joins the documents, so a page stops after ``limit`` matches without sorting.
        """
        if query.types and len(query.types) == 1 and len(query.types[0]) == 1:
            return (
                "entity_types t JOIN entities e ON e.pk = t.pk AND t.tenant = ? AND t.type = ?",
                "t.pk",
                [tenant, query.types[0][0]],
            )
        return "entities e", "e.pk", []

    def _where(self, tenant: str, query: EntityQuery) -> tuple[str, list[Any]]:
        parts = ["e.tenant = ?"]
        params: list[Any] = [tenant]
        if query.ids is not None:
            parts.append(f"e.id IN ({','.join('?' * len(query.ids))})" if query.ids else "0=1")
            params.extend(query.ids)
        if query.id_pattern:
            parts.append(self.regex_sql("e.id"))
            params.append(query.id_pattern)
        if query.types and not (len(query.types) == 1 and len(query.types[0]) == 1):
            groups = []
            for group in query.types:
                conds = []
                for type_iri in group:
                    conds.append(
                        "e.pk IN (SELECT pk FROM entity_types WHERE tenant = ? AND type = ?)"
                    )
                    params.extend((tenant, type_iri))
                groups.append("(" + " AND ".join(conds) + ")")
            parts.append("(" + " OR ".join(groups) + ")")
        if query.attrs:
            marks = ",".join("?" * len(query.attrs))
            parts.append(
                f"e.pk IN (SELECT pk FROM entity_attrs WHERE tenant = ? AND attr IN ({marks}))"
            )
            params.extend((tenant, *query.attrs))
        sql = " AND ".join(parts)
        # the filters' SQL comes in the engine's own placeholder style: convert ours first
        sql = self.sql(sql)
        for doc_filter in (query.q, query.scope_q):
            if doc_filter is not None:
                fragment, fragment_params = doc_filter.to_sql(self.dialect, "e.doc")
                sql += f" AND ({fragment})"
                params.extend(fragment_params)
        if query.geo is not None:
            box = query.geo.bbox()
            if box is not None:
                sql += self.sql(
                    " AND e.pk IN (SELECT pk FROM entity_geo WHERE tenant = ? AND attr = ?"
                    " AND minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?)"
                )
                params.extend((tenant, query.geo.geoproperty_iri, box[2], box[0], box[3], box[1]))
        return sql, params

    def query(self, tenant: str, query: EntityQuery) -> tuple[list[Doc], int | None]:
        """Matching entities in insertion order, one page, and the total when asked."""
        source, order, source_params = self._from(tenant, query)
        where, where_params = self._where(tenant, query)
        source = self.sql(source)
        params = [*source_params, *where_params]
        select = f"SELECT {self.doc_select} FROM {source} WHERE {where} ORDER BY {order}"
        checks = list(query.extra)
        if query.geo is not None:
            checks.append(query.geo.matches)
        if not checks:
            docs = []
            if query.limit > 0:
                limit_sql = self.sql(" LIMIT ? OFFSET ?")
                rows = self.conn.execute(
                    select + limit_sql, [*params, query.limit, query.offset]
                ).fetchall()
                docs = [self.load(raw) for (raw,) in rows]
            total = None
            if query.count:
                total = int(
                    self.conn.execute(
                        f"SELECT COUNT(*) FROM {source} WHERE {where}", params
                    ).fetchone()[0]
                )
            return docs, total
        # Python-side exact tests: walk all candidates, page afterwards.
        matched = 0
        page: list[Doc] = []
        for (raw,) in self.conn.execute(select, params):
            doc = self.load(raw)
            if all(check(doc) for check in checks):
                if query.offset <= matched < query.offset + query.limit:
                    page.append(doc)
                matched += 1
                if not query.count and matched >= query.offset + query.limit:
                    break
        return page, (matched if query.count else None)

    def _index(self, tenant: str, pk: int, doc: Doc) -> None:
        self.many(
            "INSERT INTO entity_types (tenant, type, pk) VALUES (?, ?, ?)",
            [(tenant, t, pk) for t in type_rows(doc)],
        )
        self.many(
            "INSERT INTO entity_attrs (tenant, attr, kind, pk) VALUES (?, ?, ?, ?)",
            [(tenant, name, kind, pk) for name, kind in attr_rows(doc)],
        )
        self.many(
            "INSERT INTO entity_geo (pk, tenant, attr, minx, miny, maxx, maxy) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(pk, tenant, name, *box) for name, box in geo_rows(doc)],
        )

    def _unindex(self, pk: int) -> None:
        self.x("DELETE FROM entity_types WHERE pk = ?", (pk,))
        self.x("DELETE FROM entity_attrs WHERE pk = ?", (pk,))
        self.x("DELETE FROM entity_geo WHERE pk = ?", (pk,))

    def insert(self, tenant: str, doc: Doc) -> None:
        """Store a new entity (the caller checked that its id is free in this tenant)."""
        self.x(
            "INSERT INTO tenants (tenant, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (tenant, doc["createdAt"]),
        )
        pk = self.x(
            "INSERT INTO entities (tenant, id, doc, created_at, modified_at) "
            f"VALUES (?, ?, {self.doc_param}, ?, ?) RETURNING pk",
            (tenant, doc["id"], orjson.dumps(doc).decode(), doc["createdAt"], doc["modifiedAt"]),
        ).fetchone()[0]
        self._index(tenant, int(pk), doc)
        self.changed(tenant, None, doc)

    def update(self, tenant: str, doc: Doc, old: Signature | None = None) -> None:
        """Replace the stored document; index rows are rewritten only when they changed.

        ``old`` is the :func:`~dos.broker.store.index.signature` of the stored version.
        """
        previous = self.get(tenant, doc["id"])
        row = self.x(
            f"UPDATE entities SET doc = {self.doc_param}, modified_at = ? "
            "WHERE tenant = ? AND id = ? RETURNING pk",
            (orjson.dumps(doc).decode(), doc["modifiedAt"], tenant, doc["id"]),
        ).fetchone()
        if row is None:
            raise KeyError(doc["id"])
        self.changed(tenant, previous, doc)
        if old is not None and old == signature(doc):
            return
        self._unindex(int(row[0]))
        self._index(tenant, int(row[0]), doc)

    def _index_many(self, tenant: str, rows: list[tuple[int, Doc]]) -> None:
        self.many(
            "INSERT INTO entity_types (tenant, type, pk) VALUES (?, ?, ?)",
            [(tenant, t, pk) for pk, doc in rows for t in type_rows(doc)],
        )
        self.many(
            "INSERT INTO entity_attrs (tenant, attr, kind, pk) VALUES (?, ?, ?, ?)",
            [(tenant, name, kind, pk) for pk, doc in rows for name, kind in attr_rows(doc)],
        )
        self.many(
            "INSERT INTO entity_geo (pk, tenant, attr, minx, miny, maxx, maxy) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(pk, tenant, name, *box) for pk, doc in rows for name, box in geo_rows(doc)],
        )

    def _pks(self, tenant: str, ids: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for pk, entity_id in self.x(
                f"SELECT pk, id FROM entities WHERE tenant = ? AND id IN ({marks})",
                (tenant, *chunk),
            ):
                found[entity_id] = int(pk)
        return found

    def insert_many(self, tenant: str, docs: list[Doc]) -> None:
        """Store new entities with few statements (ids unique and free in this tenant)."""
        if not docs:
            return
        self.x(
            "INSERT INTO tenants (tenant, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (tenant, docs[0]["createdAt"]),
        )
        self.many(
            "INSERT INTO entities (tenant, id, doc, created_at, modified_at) "
            f"VALUES (?, ?, {self.doc_param}, ?, ?)",
            [
                (tenant, d["id"], orjson.dumps(d).decode(), d["createdAt"], d["modifiedAt"])
                for d in docs
            ],
        )
        pks = self._pks(tenant, [d["id"] for d in docs])
        self._index_many(tenant, [(pks[d["id"]], d) for d in docs])
        for doc in docs:
            self.changed(tenant, None, doc)

    def update_many(self, tenant: str, docs: list[tuple[Doc, Signature]]) -> None:
        """Replace stored entities: (new document, signature of the stored one) pairs."""
        if not docs:
            return
        previous = self.get_many(tenant, [d["id"] for d, _ in docs])
        self.many(
            f"UPDATE entities SET doc = {self.doc_param}, modified_at = ? "
            "WHERE tenant = ? AND id = ?",
            [(orjson.dumps(d).decode(), d["modifiedAt"], tenant, d["id"]) for d, _ in docs],
        )
        for doc, _ in docs:
            self.changed(tenant, previous.get(doc["id"]), doc)
        changed = [d for d, old in docs if old != signature(d)]
        if not changed:
            return
        pks = self._pks(tenant, [d["id"] for d in changed])
        for table in ("entity_types", "entity_attrs", "entity_geo"):
            self.many(f"DELETE FROM {table} WHERE pk = ?", [(pk,) for pk in pks.values()])
        self._index_many(tenant, [(pks[d["id"]], d) for d in changed])

    def update_versions(self, tenant: str, versions: list[tuple[Doc, Doc]]) -> None:
        """Successive updates of stored entities in few statements: (before, after) pairs.

        The pairs are in the order of the changes; the first ``before`` of an entity is its
        stored version, each later ``before`` the previous ``after``. Each entity's last
        version is written once; history and notifications get every step.
        """
        if not versions:
            return
        from dos.broker.subscriptions.outbox import enqueue_changes
        from dos.broker.temporal.history import record_changes

        first: dict[str, Doc] = {}
        last: dict[str, Doc] = {}
        for old, new in versions:
            first.setdefault(new["id"], old)
            last[new["id"]] = new
        self.many(
            f"UPDATE entities SET doc = {self.doc_param}, modified_at = ? "
            "WHERE tenant = ? AND id = ?",
            [(orjson.dumps(d).decode(), d["modifiedAt"], tenant, i) for i, d in last.items()],
        )
        record_changes(self, tenant, versions)
        enqueue_changes(self, tenant, versions)
        changed = [d for i, d in last.items() if signature(first[i]) != signature(d)]
        if not changed:
            return
        pks = self._pks(tenant, [d["id"] for d in changed])
        for table in ("entity_types", "entity_attrs", "entity_geo"):
            self.many(f"DELETE FROM {table} WHERE pk = ?", [(pk,) for pk in pks.values()])
        self._index_many(tenant, [(pks[d["id"]], d) for d in changed])

    def delete(self, tenant: str, entity_id: str) -> bool:
        previous = self.get(tenant, entity_id)
        row = self.x(
            "DELETE FROM entities WHERE tenant = ? AND id = ? RETURNING pk", (tenant, entity_id)
        ).fetchone()
        if row is None:
            return False
        self._unindex(int(row[0]))
        self.changed(tenant, previous, None)
        return True

    def changed(self, tenant: str, old: Doc | None, new: Doc | None) -> None:
        """Same-transaction consequences of an entity change: history rows and the
        notifications of matching subscriptions (outbox)."""
        from dos.broker.subscriptions.outbox import enqueue_change
        from dos.broker.temporal.history import record_change

        record_change(self, tenant, old, new)
        enqueue_change(self, tenant, old, new)

    # -- discovery ----------------------------------------------------------------------
    def type_summary(self, tenant: str) -> list[tuple[str, int, list[tuple[str, str]]]]:
        """(type, entity count, [(attribute, kind)]) for every type of the tenant."""
        counts = self.x(
            "SELECT type, COUNT(*) FROM entity_types WHERE tenant = ? GROUP BY type ORDER BY type",
            (tenant,),
        ).fetchall()
        attrs: dict[str, list[tuple[str, str]]] = {}
        for type_iri, attr, kind in self.x(
            "SELECT DISTINCT t.type, a.attr, a.kind FROM entity_types t "
            "JOIN entity_attrs a ON a.pk = t.pk WHERE t.tenant = ? ORDER BY t.type, a.attr, a.kind",
            (tenant,),
        ):
            attrs.setdefault(type_iri, []).append((attr, kind))
        return [(t, int(n), attrs.get(t, [])) for t, n in counts]

    def attribute_summary(self, tenant: str) -> list[tuple[str, int, list[str], list[str]]]:
        """(attribute, entity count, kinds, entity types) for every attribute of the tenant."""
        counts = self.x(
            "SELECT attr, COUNT(DISTINCT pk) FROM entity_attrs WHERE tenant = ? "
            "GROUP BY attr ORDER BY attr",
            (tenant,),
        ).fetchall()
        kinds: dict[str, list[str]] = {}
        for attr, kind in self.x(
            "SELECT DISTINCT attr, kind FROM entity_attrs WHERE tenant = ? ORDER BY attr, kind",
            (tenant,),
        ):
            kinds.setdefault(attr, []).append(kind)
        types: dict[str, list[str]] = {}
        for attr, type_iri in self.x(
            "SELECT DISTINCT a.attr, t.type FROM entity_attrs a "
            "JOIN entity_types t ON t.pk = a.pk WHERE a.tenant = ? ORDER BY a.attr, t.type",
            (tenant,),
        ):
            types.setdefault(attr, []).append(type_iri)
        return [(a, int(n), kinds.get(a, []), types.get(a, [])) for a, n in counts]

    # -- @contexts ----------------------------------------------------------------------
    _CONTEXT_COLUMNS = "id, url, kind, body, created_at, last_used_at, hits"

    def _context(self, row: Sequence[Any]) -> dict[str, Any]:
        keys = ("id", "url", "kind", "body", "createdAt", "lastUsage", "numberOfHits")
        record = dict(zip(keys, row, strict=True))
        record["body"] = orjson.loads(record["body"])
        return record

    def context_list(self, tenant: str) -> list[dict[str, Any]]:
        rows = self.x(
            f"SELECT {self._CONTEXT_COLUMNS} FROM contexts WHERE tenant = ? ORDER BY created_at",
            (tenant,),
        ).fetchall()
        return [self._context(row) for row in rows]

    def context_get(self, tenant: str, context_id: str) -> dict[str, Any] | None:
        row = self.x(
            f"SELECT {self._CONTEXT_COLUMNS} FROM contexts WHERE tenant = ? AND (id = ? OR url = ?)",
            (tenant, context_id, context_id),
        ).fetchone()
        return self._context(row) if row else None

    def context_put(self, tenant: str, record: dict[str, Any]) -> None:
        """Insert or replace a context record (keys as returned by :meth:`context_get`)."""
        self.x("DELETE FROM contexts WHERE tenant = ? AND id = ?", (tenant, record["id"]))
        self.x(
            "INSERT INTO contexts (tenant, id, url, kind, body, created_at, last_used_at, hits) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                tenant,
                record["id"],
                record["url"],
                record["kind"],
                orjson.dumps(record["body"]).decode(),
                record["createdAt"],
                record.get("lastUsage"),
                int(record.get("numberOfHits") or 0),
            ),
        )

    def context_delete(self, tenant: str, context_id: str) -> bool:
        row = self.x(
            "DELETE FROM contexts WHERE tenant = ? AND (id = ? OR url = ?) RETURNING id",
            (tenant, context_id, context_id),
        ).fetchone()
        return row is not None

    # -- tokens -------------------------------------------------------------------------
    _TOKEN_COLUMNS = "id, tenant, scope, digest, label, created_at, revoked_at"

    def _token(self, row: Sequence[Any]) -> dict[str, Any]:
        keys = ("id", "tenant", "scope", "digest", "label", "created_at", "revoked_at")
        return dict(zip(keys, row, strict=True))

    def token_add(self, record: dict[str, Any]) -> None:
        self.x(
            "INSERT INTO tokens (id, tenant, scope, digest, label, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                record["id"],
                record["tenant"],
                record["scope"],
                record["digest"],
                record.get("label", ""),
                record["created_at"],
            ),
        )

    def token_by_digest(self, digest: str) -> dict[str, Any] | None:
        row = self.x(
            f"SELECT {self._TOKEN_COLUMNS} FROM tokens WHERE digest = ?", (digest,)
        ).fetchone()
        return self._token(row) if row else None

    def token_list(self) -> list[dict[str, Any]]:
        rows = self.x(f"SELECT {self._TOKEN_COLUMNS} FROM tokens ORDER BY created_at").fetchall()
        return [self._token(row) for row in rows]

    def token_revoke(self, token_id: str, when: str) -> bool:
        row = self.x(
            "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL RETURNING id",
            (when, token_id),
        ).fetchone()
        return row is not None
