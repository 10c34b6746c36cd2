"""SQL support shared by the query languages: dialects and SQLite functions."""

from __future__ import annotations

import re
import sqlite3
import warnings
from functools import lru_cache

from dos.broker.query.q_sql import Dialect, Fragment, q_to_sql

__all__ = ["Dialect", "Fragment", "q_to_sql", "register_sqlite_functions"]


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return None


def _regexp(pattern: object, text: object) -> int | None:
    if not isinstance(pattern, str) or not isinstance(text, str):
        return None
    compiled = _compiled(pattern)
    if compiled is None:
        return 0
    return 1 if compiled.search(text) else 0


def register_sqlite_functions(conn: sqlite3.Connection) -> None:
    """Install ``REGEXP`` (Python ``re.search`` semantics) on an SQLite connection.

    The ``q`` (``~=``), scope and type SQL of this package need it on every connection that
    runs them.
    """
    conn.create_function("regexp", 2, _regexp, deterministic=True)
