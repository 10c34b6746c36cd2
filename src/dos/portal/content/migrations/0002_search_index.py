"""The engine-specific full-text structures of the search index.

SQLite: an FTS5 table over the stemmed columns. PostgreSQL: a generated tsvector column
(``to_tsvector('german', …)``) with a GIN index. See dos.portal.content.search.
"""

from django.db import migrations

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS content_search_fts USING fts5("
    "title, body, tokenize = 'unicode61 remove_diacritics 2')"
]
SQLITE_DROP = ["DROP TABLE IF EXISTS content_search_fts"]
POSTGRESQL_CREATE = [
    "ALTER TABLE content_searchentry ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS ("
    "setweight(to_tsvector('german', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('german', coalesce(summary, '') || ' ' || coalesce(body, '')), 'B')"
    ") STORED",
    "CREATE INDEX IF NOT EXISTS content_searchentry_vector ON content_searchentry "
    "USING GIN (search_vector)",
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS content_searchentry_vector",
    "ALTER TABLE content_searchentry DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("content", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        )
    ]
