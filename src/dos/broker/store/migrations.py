"""Versioned schema migrations shared by both engines: (name, SQLite DDL, PostgreSQL DDL)."""

from __future__ import annotations

MIGRATIONS: list[tuple[str, str, str]] = [
    (
        "0001_meta",
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ),
]
