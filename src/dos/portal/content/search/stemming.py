"""German stemming for the SQLite engine (PostgreSQL stems with its own ``german`` config)."""

from __future__ import annotations

import re
from functools import cache

import snowballstemmer

WORD = re.compile(r"\w+", re.UNICODE)


@cache
def _stemmer() -> snowballstemmer.GermanStemmer:
    return snowballstemmer.stemmer("german")


def words(text: str) -> list[str]:
    """The lower-cased words of ``text``."""
    return WORD.findall((text or "").lower())


def stems(text: str) -> list[str]:
    """Snowball German stems of the words of ``text`` ("Bäume" → "baum")."""
    found: list[str] = _stemmer().stemWords(words(text))
    return found


def stem_text(text: str) -> str:
    """``text`` as space-separated stems, the form the FTS5 index stores."""
    return " ".join(stems(text))
