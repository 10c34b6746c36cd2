"""PostgreSQL engine: ``to_tsvector('german', …)`` in a generated column with a GIN index.

The column is maintained by PostgreSQL itself, so writing an entry needs nothing extra. Each
query word matches as a prefix (``baum:*``) after the ``german`` configuration stemmed it.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from dos.portal.content.models import SearchEntry
from dos.portal.content.search.stemming import words

TABLE = SearchEntry._meta.db_table
# search_vector and its GIN index are created by migration content.0002_search_index.


def write(entry: SearchEntry) -> None:
    """Nothing to do: the generated column follows the row."""


def delete(ids: list[int]) -> None:
    """Nothing to do: the vector goes with the row."""


def query_expression(text: str) -> str:
    """A ``to_tsquery`` expression: every word of ``text`` as a required prefix."""
    return " & ".join(f"{word}:*" for word in words(text))


def match(
    text: str, *, now: datetime, city_id: int | None, kinds: list[str] | None, limit: int
) -> list[int]:
    """Ids of the matching visible entries, best first (``ts_rank``, title weighted)."""
    expression = query_expression(text)
    if not expression:
        return []
    sql = [
        f"SELECT id FROM {TABLE}, to_tsquery('german', %s) q",
        "WHERE search_vector @@ q AND visible_from <= %s",
    ]
    params: list[object] = [expression, now]
    if city_id is not None:
        sql.append("AND (city_id = %s OR city_id IS NULL)")
        params.append(city_id)
    if kinds:
        sql.append("AND kind = ANY(%s)")
        params.append(list(kinds))
    sql.append("ORDER BY ts_rank(search_vector, q) DESC, id LIMIT %s")
    params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(" ".join(sql), params)
        return [row[0] for row in cursor.fetchall()]
