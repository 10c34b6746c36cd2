"""The scope query language, the ``scopeQ`` parameter (ETSI GS CIM 009 §4.19).

A scope is a path such as ``/Dortmund/Innenstadt``. A term selects entities that have at least
one scope it matches:

- ``/a/b`` exactly ``/a/b``;
- ``/a/+`` one level below ``/a`` (``+`` may stand for any single level, e.g. ``/+/b``);
- ``/a/#`` ``/a`` and everything below it; ``/#`` any scope at all.

Terms combine with ``;`` (and), ``,`` (or; ``|`` too) and parentheses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dos.broker.query.boolean import Condition, Fragment, parse_boolean
from dos.broker.query.scanner import Scanner

LEVEL_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.~:@%!$&'*=ÄÖÜäöüß"
)


def _escape(level: str) -> str:
    # Escaping every non-alphanumeric character is literal in Python re and in PostgreSQL AREs.
    return "".join(c if c.isalnum() and c.isascii() else "\\" + c for c in level)


@dataclass(frozen=True)
class ScopeTerm(Condition):
    """One scope pattern; ``levels`` holds names, ``+`` (one level) and a final ``#``."""

    levels: tuple[str, ...]

    def __str__(self) -> str:
        return "/" + "/".join(self.levels)

    @property
    def regex(self) -> str:
        """An anchored regular expression equivalent to this term (Python and PostgreSQL)."""
        parts = list(self.levels)
        tail = ""
        if parts and parts[-1] == "#":
            parts.pop()
            tail = "(/.*)?" if parts else "/.*"
        body = "".join("/[^/]+" if p == "+" else "/" + _escape(p) for p in parts)
        # (?s), \A and \Z mean the same in Python re and PostgreSQL AREs.
        return "(?s)\\A" + body + tail + "\\Z"

    def matches_scope(self, scope: str) -> bool:
        return re.search(self.regex, scope) is not None

    def matches(self, entity: Any) -> bool:
        """Whether one of the entity document's scopes matches."""
        scopes = entity.get("scope") if isinstance(entity, Mapping) else None
        if isinstance(scopes, str):
            scopes = [scopes]
        if not isinstance(scopes, list):
            return False
        return any(isinstance(s, str) and self.matches_scope(s) for s in scopes)

    def to_sql(self, dialect: str, column: str = "doc") -> Fragment:
        if dialect == "sqlite":
            return (
                f"EXISTS (SELECT 1 FROM json_each({column}, '$.scope') AS sc"
                " WHERE sc.type = 'text' AND sc.value REGEXP ?)",
                [self.regex],
            )
        if dialect == "postgresql":
            return (
                f"EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof({column} -> 'scope')"
                f" = 'array' THEN {column} -> 'scope' ELSE '[]'::jsonb END) AS sc(v)"
                " WHERE jsonb_typeof(sc.v) = 'string' AND (sc.v #>> '{}') ~ %s::text)",
                [self.regex],
            )
        raise ValueError(f"unknown SQL dialect {dialect!r}")


ScopeQuery = Condition


def _scope_term(s: Scanner) -> ScopeTerm:
    start = s.pos
    if not s.startswith("/"):
        if s.at_end():
            s.error("expected a scope starting with '/' but the text ended")
        s.error(f"expected a scope starting with '/', found {s.peek()!r}")
    levels: list[str] = []
    while s.accept("/"):
        if levels and levels[-1] == "#":
            s.error("'#' must be the last level of a scope", s.pos - 1)
        if s.accept("#"):
            levels.append("#")
            continue
        if s.accept("+"):
            levels.append("+")
            continue
        level = s.take_while(LEVEL_CHARS)
        if not level:
            s.error("empty scope level" if not s.at_end() else "scope ends with '/'")
        levels.append(level)
    if not levels:
        s.error("a scope needs at least one level", start)
    return ScopeTerm(tuple(levels))


def parse_scope_query(text: str) -> ScopeQuery:
    """Parse ``scopeQ``; the result has ``matches(entity)`` and ``to_sql(dialect)``."""
    return parse_boolean(Scanner("scopeQ", text), _scope_term)


def parse_scope(text: str) -> str:
    """Validate one scope of an entity (a path without wildcards), e.g. ``/Dortmund/Mitte``."""
    s = Scanner("scope", text)
    term = _scope_term(s)
    if not s.at_end():
        s.unexpected()
    if any(level in ("#", "+") for level in term.levels):
        s.error("wildcards '#' and '+' belong in scopeQ, not in a scope", 0)
    return str(term)
