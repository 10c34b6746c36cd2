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
from dos.broker.store.index import (
    Box,
    Signature,
    attr_rows,
    geo_rows,
    signature,
    type_rows,
    value_prefilter,
    value_rows,
)
from dos.broker.subscriptions.outbox import enqueue_changes
from dos.broker.temporal.history import record_changes

#: A query is driven by the value or geo index when at most this many index rows match
#: (their pks are sorted for the page); above it the type index is walked in pk order.
INDEX_DRIVEN_MAX = 5000
#: index tables whose rows are deleted by pk (entity_values rows by their full key: its
#: only index is that key, one index less to keep on every number that changes)
PK_INDEX_TABLES = ("entity_types", "entity_attrs", "entity_geo")
VALUES_INSERT = "INSERT INTO entity_values (tenant, attr, num, pk) VALUES (?, ?, ?, ?)"
VALUES_DELETE = "DELETE FROM entity_values WHERE tenant = ? AND attr = ? AND num = ? AND pk = ?"


def _writes_subscriptions(text: str) -> bool:
    """Whether a statement may change the subscriptions table."""
    return "subscriptions" in text and text.lstrip()[:6].upper() != "SELECT"


def _value_keys(tenant: str, pk: int, doc: Doc | None) -> list[tuple[str, str, float, int]]:
    """The entity_values rows of a stored document (``value_rows`` wrote them)."""
    return [(tenant, name, num, pk) for name, num in value_rows(doc)] if doc else []


def _single_rows(rows: list[tuple[str, float]]) -> dict[str, float]:
    """The number of each attribute that has exactly one value index row."""
    count: dict[str, int] = {}
    for name, _ in rows:
        count[name] = count.get(name, 0) + 1
    return {name: num for name, num in rows if count[name] == 1}


class SqlSession:
    """One connection's view of the broker tables (see :class:`dos.broker.store.Session`)."""

    dialect = "sqlite"
    doc_param = "?"  # how a document parameter is written in INSERT/UPDATE
    doc_select = "e.doc"  # how the document is selected (as JSON text)

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        # (tenant, id, stored JSON) of the last get(): an update() right after it (what every
        # read-modify-write operation does) takes its "before" version from here instead of
        # reading the row again; any other write forgets it
        self._last: tuple[str, str, Any, int] | None = None
        #: called by the group-commit writer once the transaction committed (not on rollback)
        self.after_commit: list[Callable[[], None]] = []
        #: the active subscriptions of each tenant read in this session (a group of writes):
        #: every PATCH of the group matches against them; any statement that writes the
        #: subscriptions table, and any rollback to a savepoint, forgets them
        self.subscription_cache: dict[str, list[tuple[Any, ...]]] = {}

    def forget(self) -> None:
        """Drop what this session remembers of rows (the writer calls it before each write
        function, whose savepoint may roll back)."""
        self._last = None

    def rolled_back(self) -> None:
        """The last write function was rolled back to its savepoint: forget what it read."""
        self._last = None
        self.subscription_cache.clear()

    def _written(self, text: str) -> None:
        if self.subscription_cache and _writes_subscriptions(text):
            self.subscription_cache.clear()

    # -- engine hooks -------------------------------------------------------------------
    def sql(self, text: str) -> str:
        return text

    def x(self, text: str, params: Sequence[Any] = ()) -> Any:
        self._written(text)
        return self.conn.execute(self.sql(text), params)

    def many(self, text: str, rows: list[tuple[Any, ...]]) -> None:
        self._written(text)
        if rows:
            self.conn.executemany(self.sql(text), rows)

    def regex_sql(self, column: str) -> str:
        return f"ngsi_regexp({column}, ?)"

    def in_pks(self, column: str, pks: list[int]) -> tuple[str, list[Any]]:
        """The condition that ``column`` is one of ``pks``, and its parameters."""
        return f"{column} IN ({','.join('?' * len(pks))})", list(pks)

    def geo_candidates(self, tenant: str, attr: str, box: Box) -> tuple[str, list[Any]]:
        """SELECT of the pks whose bounding box of ``attr`` meets ``box`` (R*Tree)."""
        return (
            # CROSS JOIN: the R*Tree is scanned first (SQLite keeps the written order)
            "SELECT g.pk FROM entity_geo_rtree r CROSS JOIN entity_geo g ON g.rowid = r.id"
            " WHERE r.minx <= ? AND r.maxx >= ? AND r.miny <= ? AND r.maxy >= ?"
            " AND g.tenant = ? AND g.attr = ?",
            [box[2], box[0], box[3], box[1], tenant, attr],
        )

    @staticmethod
    def load(raw: Any) -> Doc:
        result: Doc = orjson.loads(raw)
        return result

    # -- entities -----------------------------------------------------------------------
    def tenant_exists(self, tenant: str) -> bool:
        return self.x("SELECT 1 FROM tenants WHERE tenant = ?", (tenant,)).fetchone() is not None

    def get(self, tenant: str, entity_id: str) -> Doc | None:
        row = self.x(
            f"SELECT {self.doc_select}, e.pk FROM entities e WHERE e.tenant = ? AND e.id = ?",
            (tenant, entity_id),
        ).fetchone()
        self._last = (tenant, entity_id, row[0], int(row[1])) if row else None
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

    def _candidates(self, tenant: str, query: EntityQuery) -> list[int] | None:
        """The candidate pks in order from a selective index (value index for ``q``, geo
        index), or None when no index narrows the query to at most :data:`INDEX_DRIVEN_MAX`
        rows."""
        options: list[tuple[str, list[Any]]] = []
        prefilter = value_prefilter(query.q) if query.q is not None else None
        if prefilter is not None:
            where, params = prefilter.sql()
            # ORDER BY the index order: PostgreSQL would otherwise expect the LIMIT below to
            # end a sequential scan early
            options.append(
                (f"SELECT pk FROM entity_values WHERE {where} ORDER BY num", [tenant, *params])
            )
        if query.geo is not None:
            box = query.geo.bbox()
            if box is not None:
                options.append(self.geo_candidates(tenant, query.geo.geoproperty_iri, box))
        for sql, params in options:
            rows = self.x(f"{sql} LIMIT {INDEX_DRIVEN_MAX + 1}", params).fetchall()
            if len(rows) <= INDEX_DRIVEN_MAX:
                return sorted({int(pk) for (pk,) in rows})
        return None

    def _answered_by_values(self, tenant: str, query: EntityQuery) -> list[int] | None:
        """The pks of the matches in order when the value index alone answers the query: ``q``
        is one exact numeric comparison (see :func:`value_prefilter`), the other conditions
        are types only, and at most :data:`INDEX_DRIVEN_MAX` index rows match. As many as the
        page needs (all of them when counting); None when the documents must be tested."""
        if (
            query.q is None
            or query.scope_q is not None
            or query.geo is not None
            or query.extra
            or query.ids is not None
            or query.id_pattern
            or query.attrs
        ):
            return None
        prefilter = value_prefilter(query.q)
        if prefilter is None or not prefilter.exact:
            return None
        where, params = prefilter.sql()
        rows = self.x(
            f"SELECT pk FROM entity_values WHERE {where} ORDER BY num LIMIT {INDEX_DRIVEN_MAX + 1}",
            [tenant, *params],
        ).fetchall()
        if len(rows) > INDEX_DRIVEN_MAX:
            return None
        pks = sorted({int(pk) for (pk,) in rows})
        if not query.types:
            return pks
        # the types of as many candidates as the page needs (all of them for the count)
        need = len(pks) if query.count else query.offset + query.limit
        matched: list[int] = []
        start, size = 0, max(64, need * 5 // 4)
        while start < len(pks) and len(matched) < need:
            matched.extend(self._typed(tenant, pks[start : start + size], query.types))
            start, size = start + size, size * 2
        return matched

    def _typed(self, tenant: str, pks: list[int], groups: list[list[str]]) -> list[int]:
        """Those of ``pks`` (in their order) whose entity has all types of one of ``groups``."""
        if not all(groups):
            return pks  # a group without types asks for nothing
        in_pks, pk_params = self.in_pks("pk", pks)
        having: dict[str, set[int]] = {}
        for type_iri in {t for group in groups for t in group}:
            rows = self.x(
                f"SELECT pk FROM entity_types WHERE tenant = ? AND type = ? AND {in_pks}",
                [tenant, type_iri, *pk_params],
            )
            having[type_iri] = {int(pk) for (pk,) in rows}
        typed = set().union(*(set.intersection(*(having[t] for t in g)) for g in groups))
        return [pk for pk in pks if pk in typed]

    def _docs_by_pk(self, tenant: str, pks: list[int]) -> list[Doc]:
        """The documents of ``pks`` in pk order."""
        if not pks:
            return []
        in_pks, pk_params = self.in_pks("e.pk", pks)
        rows = self.x(
            f"SELECT {self.doc_select} FROM entities e WHERE e.tenant = ? AND {in_pks}"
            " ORDER BY e.pk",
            [tenant, *pk_params],
        ).fetchall()
        return [self.load(raw) for (raw,) in rows]

    def _from(self, tenant: str, query: EntityQuery) -> tuple[str, str, list[Any], bool]:
        """FROM clause, ORDER BY column, their parameters, and whether it selects the type.

        A query for one type (the common case) walks the (tenant, type, pk) index in pk order
        and joins the documents, so a page stops after ``limit`` matches without sorting.
        """
        if query.types and len(query.types) == 1 and len(query.types[0]) == 1:
            return (
                "entity_types t JOIN entities e ON e.pk = t.pk AND t.tenant = ? AND t.type = ?",
                "t.pk",
                [tenant, query.types[0][0]],
                True,
            )
        return "entities e", "e.pk", [], False

    def _where(
        self, tenant: str, query: EntityQuery, typed: bool, candidates: bool = False
    ) -> tuple[str, list[Any]]:
        """WHERE conditions. ``candidates``: only those SQL must decide on the rows an index
        gave (types, attributes, q, scopeQ and geometry are then tested in Python)."""
        parts = ["e.tenant = ?"]
        params: list[Any] = [tenant]
        if query.ids is not None:
            parts.append(f"e.id IN ({','.join('?' * len(query.ids))})" if query.ids else "0=1")
            params.extend(query.ids)
        if query.id_pattern:
            parts.append(self.regex_sql("e.id"))
            params.append(query.id_pattern)
        if candidates:
            return self.sql(" AND ".join(parts)), params
        if query.types and not typed:
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
                geo_sql, geo_params = self.geo_candidates(tenant, query.geo.geoproperty_iri, box)
                sql += self.sql(f" AND e.pk IN ({geo_sql})")
                params.extend(geo_params)
        return sql, params

    def query(self, tenant: str, query: EntityQuery) -> tuple[list[Doc], int | None]:
        """Matching entities in insertion order, one page, and the total when asked."""
        matches = self._answered_by_values(tenant, query)
        if matches is not None:
            page = matches[query.offset : query.offset + query.limit] if query.limit > 0 else []
            return self._docs_by_pk(tenant, page), (len(matches) if query.count else None)
        candidates = self._candidates(tenant, query)
        if candidates is not None:
            return self._query_candidates(tenant, query, candidates)
        source, order, source_params, typed = self._from(tenant, query)
        where, where_params = self._where(tenant, query, typed)
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
                count_sql = f"SELECT COUNT(*) FROM {source} WHERE {where}"
                total = int(self.conn.execute(count_sql, params).fetchone()[0])
            return docs, total
        # Python-side exact tests: walk all candidates, page afterwards.
        return self._page(
            query, (self.load(raw) for (raw,) in self.conn.execute(select, params)), checks
        )

    def _query_candidates(
        self, tenant: str, query: EntityQuery, pks: list[int]
    ) -> tuple[list[Doc], int | None]:
        """The query over the few candidates an index gave, read in pk order in growing
        chunks until the page is full; ``q`` and ``scopeQ`` are tested in Python here (the
        same answers as their SQL, cheaper on a handful of rows)."""
        where, where_params = self._where(tenant, query, typed=False, candidates=True)
        checks: list[Callable[[Doc], bool]] = [
            f.matches for f in (query.q, query.scope_q) if f is not None
        ]
        if query.types:
            groups = [set(group) for group in query.types]
            checks.append(lambda doc: any(g.issubset(doc.get("type", ())) for g in groups))
        if query.attrs:
            wanted = query.attrs
            checks.append(lambda doc: any(doc.get("attrs", {}).get(a) for a in wanted))
        checks.extend(query.extra)
        if query.geo is not None:
            checks.append(query.geo.matches)

        def docs() -> Any:
            start, size = 0, max(32, (query.offset + query.limit) * 5 // 4)
            while start < len(pks):
                in_pks, pk_params = self.in_pks("e.pk", pks[start : start + size])
                select = self.sql(f"SELECT {self.doc_select} FROM entities e WHERE {in_pks} AND ")
                for (raw,) in self.conn.execute(
                    select + where + " ORDER BY e.pk", [*pk_params, *where_params]
                ):
                    yield self.load(raw)
                start, size = start + size, size * 2

        return self._page(query, docs(), checks)

    @staticmethod
    def _page(query: EntityQuery, docs: Any, checks: list[Any]) -> tuple[list[Doc], int | None]:
        """The page of ``docs`` (in order) that pass all ``checks``, and the count if asked."""
        matched = 0
        page: list[Doc] = []
        for doc in docs:
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
        self.many(VALUES_INSERT, [(tenant, name, num, pk) for name, num in value_rows(doc)])

    def _unindex(self, tenant: str, pk: int, old: Doc | None) -> None:
        """Delete the index rows of entity ``pk`` whose stored document was ``old``."""
        for table in PK_INDEX_TABLES:
            self.x(f"DELETE FROM {table} WHERE pk = ?", (pk,))
        self.many(VALUES_DELETE, _value_keys(tenant, pk, old))

    def _reindex_values(self, tenant: str, pk: int, old: Doc, new: Doc) -> None:
        """Rewrite the value index rows of an entity whose numbers changed.

        The common change, one number of an attribute that has one row before and after,
        updates that row in place (fewer index pages touched than a delete and an insert)."""
        rows = value_rows(new)
        before = value_rows(old)
        if before == rows:
            return
        removed = [row for row in before if row not in rows]
        added = [row for row in rows if row not in before]
        single_before = _single_rows(before)
        single_after = _single_rows(rows)
        moved = {name for name, _ in removed if name in single_before and name in single_after}
        self.many(
            "UPDATE entity_values SET num = ? WHERE tenant = ? AND attr = ? AND num = ? AND pk = ?",
            [(single_after[name], tenant, name, num, pk) for name, num in removed if name in moved],
        )
        self.many(
            VALUES_DELETE, [(tenant, name, num, pk) for name, num in removed if name not in moved]
        )
        self.many(
            VALUES_INSERT, [(tenant, name, num, pk) for name, num in added if name not in moved]
        )

    def insert(self, tenant: str, doc: Doc) -> None:
        """Store a new entity (the caller checked that its id is free in this tenant)."""
        self._last = None
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
        last, self._last = self._last, None
        if last is None or last[0] != tenant or last[1] != doc["id"]:
            self.get(tenant, doc["id"])
            last, self._last = self._last, None
        if last is None:
            raise KeyError(doc["id"])
        previous: Doc = self.load(last[2])
        pk = last[3]  # the row read in this transaction: updated by its rowid
        updated = self.x(
            f"UPDATE entities SET doc = {self.doc_param}, modified_at = ? WHERE pk = ?",
            (orjson.dumps(doc).decode(), doc["modifiedAt"], pk),
        )
        if updated.rowcount == 0:
            raise KeyError(doc["id"])
        self.changed(tenant, previous, doc)
        if old is not None and old == signature(doc):
            self._reindex_values(tenant, pk, previous, doc)
            return
        self._unindex(tenant, pk, previous)
        self._index(tenant, pk, doc)

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
        self.many(
            VALUES_INSERT,
            [(tenant, name, num, pk) for pk, doc in rows for name, num in value_rows(doc)],
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
        self._last = None
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
        self.changed_many(tenant, [(None, doc) for doc in docs])

    def update_many(
        self,
        tenant: str,
        docs: list[tuple[Doc, Signature]],
        previous: dict[str, Doc] | None = None,
    ) -> None:
        """Replace stored entities: (new document, signature of the stored one) pairs.

        ``previous``: the stored documents by id when the caller has just read them."""
        self._last = None
        if not docs:
            return
        if previous is None:
            previous = self.get_many(tenant, [d["id"] for d, _ in docs])
        self.many(
            f"UPDATE entities SET doc = {self.doc_param}, modified_at = ? "
            "WHERE tenant = ? AND id = ?",
            [(orjson.dumps(d).decode(), d["modifiedAt"], tenant, d["id"]) for d, _ in docs],
        )
        self.changed_many(tenant, [(previous.get(doc["id"]), doc) for doc, _ in docs])
        stored = previous
        changed: list[Doc] = []
        renumbered: list[Doc] = []
        for d, old in docs:
            if old != signature(d):
                changed.append(d)
            elif d["id"] not in previous or value_rows(previous[d["id"]]) != value_rows(d):
                renumbered.append(d)
        self._reindex(tenant, changed, renumbered, stored)

    def _reindex(
        self, tenant: str, changed: list[Doc], renumbered: list[Doc], stored: dict[str, Doc]
    ) -> None:
        """Index rows of updated entities: all of them for ``changed`` (other types, attributes
        or geometry), only the value index for ``renumbered`` (other numbers only); ``stored``:
        the versions whose index rows are there now, by id."""
        if not changed and not renumbered:
            return
        pks = self._pks(tenant, [d["id"] for d in changed + renumbered])
        for table in PK_INDEX_TABLES:
            self.many(f"DELETE FROM {table} WHERE pk = ?", [(pks[d["id"]],) for d in changed])
        self.many(
            VALUES_DELETE,
            [
                key
                for d in changed + renumbered
                for key in _value_keys(tenant, pks[d["id"]], stored.get(d["id"]))
            ],
        )
        self._index_many(tenant, [(pks[d["id"]], d) for d in changed])
        self.many(
            VALUES_INSERT,
            [(tenant, name, num, pks[d["id"]]) for d in renumbered for name, num in value_rows(d)],
        )

    def update_versions(self, tenant: str, versions: list[tuple[Doc, Doc]]) -> None:
        """Successive updates of stored entities in few statements: (before, after) pairs.

        The pairs are in the order of the changes; the first ``before`` of an entity is its
        stored version, each later ``before`` the previous ``after``. Each entity's last
        version is written once; history and notifications get every step.
        """
        if not versions:
            return
        self._last = None  # the rows change here without update()
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
        renumbered = [
            d
            for i, d in last.items()
            if signature(first[i]) == signature(d) and value_rows(first[i]) != value_rows(d)
        ]
        self._reindex(tenant, changed, renumbered, first)

    def delete(self, tenant: str, entity_id: str) -> bool:
        self._last = None
        previous = self.get(tenant, entity_id)
        row = self.x(
            "DELETE FROM entities WHERE tenant = ? AND id = ? RETURNING pk", (tenant, entity_id)
        ).fetchone()
        if row is None:
            return False
        self._unindex(tenant, int(row[0]), previous)
        self.changed(tenant, previous, None)
        return True

    def changed(self, tenant: str, old: Doc | None, new: Doc | None) -> None:
        """Same-transaction consequences of an entity change: history rows and the
        notifications of matching subscriptions (outbox)."""
        self.changed_many(tenant, [(old, new)])

    def changed_many(self, tenant: str, changes: list[tuple[Doc | None, Doc | None]]) -> None:
        """:meth:`changed` for several entities, the history written in bulk."""
        record_changes(self, tenant, changes)
        enqueue_changes(self, tenant, changes)

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
