"""SQLite engine: an FTS5 table over German Snowball stems computed in Python.

FTS5 has no German stemmer, so the index stores stems (``stemmed_title``, ``stemmed_body``)
and the query is stemmed the same way; each query word matches as a prefix of a stem.
The FTS5 row id is the SearchEntry id.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from dos.portal.content.models import SearchEntry
from dos.portal.content.search.stemming import stems

FTS_TABLE = "content_search_fts"  # created by migration content.0002_search_index


def write(entry: SearchEntry) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [entry.pk])
        cursor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, title, body) VALUES (%s, %s, %s)",
            [entry.pk, entry.stemmed_title, entry.stemmed_body],
        )


def delete(ids: list[int]) -> None:
    if not ids:
        return
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", ids)


def match_expression(text: str) -> str:
    """An FTS5 query: every stem of ``text`` as a quoted prefix term, all required."""
    return " ".join(f'"{stem}"*' for stem in stems(text))


def match(
    text: str, *, now: datetime, city_id: int | None, kinds: list[str] | None, limit: int
) -> list[int]:
    """Ids of the matching visible entries, best first (bm25, title weighted 4:1)."""
    expression = match_expression(text)
    if not expression:
        return []
    table = SearchEntry._meta.db_table
    sql = [
        # FTS5 resolves MATCH and bm25() by table name, so the FTS table takes no alias.
        f"SELECT e.id FROM {FTS_TABLE} JOIN {table} e ON e.id = {FTS_TABLE}.rowid",
        f"WHERE {FTS_TABLE} MATCH %s AND e.visible_from <= %s",
    ]
    params: list[object] = [expression, connection.ops.adapt_datetimefield_value(now)]
    if city_id is not None:
        sql.append("AND (e.city_id = %s OR e.city_id IS NULL)")
        params.append(city_id)
    if kinds:
        sql.append(f"AND e.kind IN ({', '.join(['%s'] * len(kinds))})")
        params.extend(kinds)
    sql.append(f"ORDER BY bm25({FTS_TABLE}, 4.0, 1.0) LIMIT %s")
    params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(" ".join(sql), params)
        return [row[0] for row in cursor.fetchall()]
