"""The entity type selection language, the ``type`` parameter (ETSI GS CIM 009 §4.17).

``Building`` one type; ``Building,Room`` and ``Building|Room`` either type; ``Building;Smart``
entities that have both types; parentheses group, e.g. ``(Building;Smart)|Room``.
Type names are expanded with the caller's ``expand`` (terms → IRIs through the @context).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dos.broker.errors import NgsiError
from dos.broker.query.boolean import AllOf, AnyOf, Condition, Fragment, parse_boolean
from dos.broker.query.scanner import Scanner

_STOP = frozenset(',;|() \t"<>{}\\^`')


@dataclass(frozen=True)
class TypeName(Condition):
    """One entity type: ``name`` as written, ``iri`` expanded."""

    name: str
    iri: str

    def __str__(self) -> str:
        return self.name

    def matches(self, types: Any) -> bool:
        """Whether the type list (or an entity document with ``type``) contains this type."""
        if isinstance(types, Mapping):
            found = types.get("type")
            types = [found] if isinstance(found, str) else found if isinstance(found, list) else []
        return self.iri in types

    def to_sql(self, dialect: str, column: str = "doc") -> Fragment:
        if dialect == "sqlite":
            return (
                f"EXISTS (SELECT 1 FROM json_each({column}, '$.type') AS ty WHERE ty.value = ?)",
                [self.iri],
            )
        if dialect == "postgresql":
            return f"(({column} -> 'type') @> jsonb_build_array(%s::text))", [self.iri]
        raise ValueError(f"unknown SQL dialect {dialect!r}")


TypeQuery = Condition


def parse_type_query(text: str, expand: Callable[[str], str]) -> TypeQuery:
    """Parse the ``type`` parameter; the result has ``matches(types)`` and ``to_sql(dialect)``."""
    scanner = Scanner("type", text)

    def leaf(s: Scanner) -> TypeName:
        start = s.pos
        while not s.at_end() and s.peek() not in _STOP:
            s.pos += 1
        name = s.text[start : s.pos]
        if not name:
            if s.at_end():
                s.error("expected a type name but the text ended")
            s.error(f"expected a type name, found {s.peek()!r}")
        iri = expand(name)
        if not iri or '"' in iri:
            s.error(f"type {name!r} does not expand to an IRI", start)
        return TypeName(name, iri)

    return parse_boolean(scanner, leaf)


def type_alternatives(query: TypeQuery) -> list[str] | None:
    """The IRIs when the query is a plain union of types (``A``, ``A,B``, ``A|B``), else None.

    A store can then use its type index with ``IN (...)`` instead of evaluating the tree.
    """
    if isinstance(query, TypeName):
        return [query.iri]
    if isinstance(query, AnyOf) and all(isinstance(item, TypeName) for item in query.items):
        return [item.iri for item in query.items if isinstance(item, TypeName)]
    return None


def type_groups(text: str, expand: Callable[[str], str]) -> list[list[str]]:
    """A type selection (``A,B``, ``A;B``, ``(A|B);C``) as OR-of-AND groups of type IRIs.

    Parsed by :func:`parse_type_query`; the normal form lets the stores use their
    (tenant, type) index and subscriptions match without parsing again.
    """
    return _dnf(parse_type_query(text, expand))


def _dnf(node: Condition) -> list[list[str]]:
    if isinstance(node, TypeName):
        return [[node.iri]]
    if isinstance(node, AnyOf):
        return [group for item in node.items for group in _dnf(item)]
    if isinstance(node, AllOf):
        groups: list[list[str]] = [[]]
        for item in node.items:
            groups = [a + b for a in groups for b in _dnf(item)]
            if len(groups) > 256:
                raise NgsiError("BadRequestData", "the type selection is too complex")
        return [list(dict.fromkeys(group)) for group in groups]
    raise NgsiError("BadRequestData", f"unsupported type selection {node}")
