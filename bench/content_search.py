"""Search speed on the demo data, against the raw full-text query of the same engine.

Run after ``dos migrate && dos demo`` with the same DOS_DATA_DIR / DOS_DATABASE_URL:

    PYTHONPATH=src python bench/content_search.py [--rounds 50]

It prints p50/p95 of ``dos.portal.content.search.search`` (stemming, visibility and city
filters, grouping, loading the entries) and of the bare engine query (FTS5 MATCH or tsvector
@@ tsquery) for the same words, and their ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

QUERIES = ["Bäume", "Sensoren", "Klima", "Datenplattform", "Maker", "Beteiligung Schwerte"]


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dos.portal.settings")
    import django

    django.setup()
    from django.db import connection

    from dos.portal.content import search
    from dos.portal.content.models import SearchEntry
    from dos.portal.content.search import postgresql, sqlite

    entries = SearchEntry.objects.count()
    if not entries:
        raise SystemExit("the search index is empty: run `dos demo` first")

    def raw(text: str) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT id FROM content_searchentry WHERE search_vector @@ "
                    "to_tsquery('german', %s) LIMIT 200",
                    [postgresql.query_expression(text)],
                )
            else:
                cursor.execute(
                    "SELECT rowid FROM content_search_fts WHERE content_search_fts MATCH %s "
                    "LIMIT 200",
                    [sqlite.match_expression(text)],
                )
            cursor.fetchall()

    for text in QUERIES:  # warm up: stemmer, statement cache
        search.search(text)
        raw(text)
    full: list[float] = []
    bare: list[float] = []
    for _ in range(args.rounds):
        for text in QUERIES:
            started = time.perf_counter()
            search.search(text)
            full.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            raw(text)
            bare.append((time.perf_counter() - started) * 1000)
    f50, f95 = _percentiles(full)
    b50, b95 = _percentiles(bare)
    print(f"engine {connection.vendor}, {entries} entries, {len(full)} queries")
    print(f"search():  p50 {f50:.2f} ms  p95 {f95:.2f} ms")
    print(f"raw query: p50 {b50:.2f} ms  p95 {b95:.2f} ms")
    print(f"ratio p95: {f95 / b95:.1f}x  (budget: p95 < 100 ms)")


if __name__ == "__main__":
    main()
