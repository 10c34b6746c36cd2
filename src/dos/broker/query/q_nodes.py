"""The syntax tree of the NGSI-LD query language and its evaluation (ETSI GS CIM 009 §4.9).

Nodes evaluate against the broker's internal entity document::

    {"id": ..., "type": [...], "attrs": {"<attribute IRI>": [instance, ...]}}

An entity matches a term when ANY instance of the attribute (multi-attributes by datasetId)
matches it. Inside one instance the *target* of a term is found like this:

- follow the sub-attribute path (``attr.sub.subsub``, each an instance of its own);
- a system member as last path element (``attr.observedAt``, ``createdAt``, ``modifiedAt``,
  ``unitCode``, ``datasetId``) targets that member;
- otherwise the member that holds the attribute's value by its type: ``value`` (Property,
  GeoProperty), ``object`` (Relationship), ``languageMap`` (LanguageProperty), ``vocab``,
  ``valueList``, ``objectList``, ``json``; then the trailing path ``attr[key.sub]`` inside it
  (for a LanguageProperty the key is a language tag).

The *candidates* compared are the target itself, or its elements when it is an array; a JSON-LD
value object ``{"@value": v}`` stands for ``v``; other objects compare with nothing. A
LanguageProperty without a trailing path offers the strings of every language.

Values compare only with values of their own kind: numbers with numbers, strings (also
unquoted date-times and URIs) with strings in code-point order, booleans with booleans.
A negated term (``!=``, ``!~=``) holds for an instance whose target exists and whose candidates
do not satisfy the positive term.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

#: Members of an attribute instance that a path may end in (they are not expanded).
SYSTEM_MEMBERS = frozenset({"observedAt", "createdAt", "modifiedAt", "unitCode", "datasetId"})

#: The member holding the value, by attribute type (default ``value``).
VALUE_MEMBER: dict[str, str] = {
    "Relationship": "object",
    "LanguageProperty": "languageMap",
    "VocabProperty": "vocab",
    "ListProperty": "valueList",
    "ListRelationship": "objectList",
    "JsonProperty": "json",
}

ValueKind = Literal["number", "string", "boolean", "datetime", "uri"]
Scalar = int | float | str | bool


@dataclass(frozen=True)
class Value:
    """A literal of the query: ``kind`` says how it was written and how it compares."""

    kind: ValueKind
    value: Scalar

    @property
    def compares_as(self) -> Literal["number", "string", "boolean"]:
        if self.kind in ("datetime", "uri"):
            return "string"
        return self.kind  # type: ignore[return-value]

    def __str__(self) -> str:
        from dos.broker.query.scanner import quote

        if self.kind == "string":
            return quote(str(self.value))
        if self.kind == "boolean":
            return "true" if self.value else "false"
        if self.kind == "number":
            return repr(self.value)
        return str(self.value)


_MISSING: Any = object()


@dataclass(frozen=True)
class Path:
    """An attribute path: ``attr``, ``attr.sub``, ``attr.observedAt``, ``attr[key.sub]``.

    ``attr``/``subs`` keep the terms as written (for printing) and ``attr_iri``/``sub_iris``
    their expansions (for evaluation).
    """

    attr: str
    attr_iri: str
    subs: tuple[str, ...] = ()
    sub_iris: tuple[str, ...] = ()
    member: str | None = None
    keys: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = ".".join((self.attr, *self.subs, *([self.member] if self.member else [])))
        if self.keys:
            text += "[" + ".".join(self.keys) + "]"
        return text

    def exists_in(self, instance: Any) -> bool:
        """Whether one instance has this path (sub-attribute, member or key)."""
        node = instance
        for iri in self.sub_iris:
            node = node.get(iri, _MISSING) if isinstance(node, dict) else _MISSING
        if not isinstance(node, dict):
            return False
        if self.member is not None:
            return self.member in node
        if not self.keys:
            return True
        return self.target(instance)[0] is not _MISSING

    def instances(self, entity: Mapping[str, Any]) -> list[Any]:
        attrs = entity.get("attrs")
        found = attrs.get(self.attr_iri) if isinstance(attrs, dict) else None
        return found if isinstance(found, list) else []

    def target(self, instance: Any) -> tuple[Any, bool]:
        """The target inside one instance and whether it is a whole languageMap."""
        node = instance
        for iri in self.sub_iris:
            node = node.get(iri, _MISSING) if isinstance(node, dict) else _MISSING
        if not isinstance(node, dict):
            return _MISSING, False
        if self.member is not None:
            return node.get(self.member, _MISSING), False
        kind = node.get("type")
        member = VALUE_MEMBER.get(kind, "value") if isinstance(kind, str) else "value"
        target = node.get(member, _MISSING)
        for key in self.keys:
            target = target.get(key, _MISSING) if isinstance(target, dict) else _MISSING
        return target, member == "languageMap" and not self.keys


def candidates(target: Any, language_map: bool) -> list[Any]:
    """The values a term compares with (see the module docstring)."""
    if target is _MISSING:
        return []
    if isinstance(target, dict):
        if language_map:
            return list(target.values())
        if "@value" not in target:
            return []
        target = target["@value"]
        if isinstance(target, dict):
            return []
    if isinstance(target, list):
        return target
    return [target]


def _kind_of(candidate: Any) -> str | None:
    if isinstance(candidate, bool):
        return "boolean"
    if isinstance(candidate, int | float):
        return "number"
    if isinstance(candidate, str):
        return "string"
    return None


@lru_cache(maxsize=256)
def compiled(pattern: str) -> re.Pattern[str]:
    """The compiled regular expression (cached; the parser validated it)."""
    return re.compile(pattern)


class Node(ABC):
    """A node of the query tree."""

    @abstractmethod
    def matches(self, entity: Mapping[str, Any]) -> bool:
        """Whether the entity document satisfies this query."""
        ...

    def walk(self) -> Iterator[Node]:
        """This node and all nodes below it."""
        yield self

    def to_sql(self, dialect: str, column: str = "doc") -> tuple[str, list[Any]]:
        """SQL for this query: see :func:`dos.broker.query.q_sql.q_to_sql`."""
        from dos.broker.query.q_sql import q_to_sql

        if dialect not in ("sqlite", "postgresql"):
            raise ValueError(f"unknown SQL dialect {dialect!r}")
        return q_to_sql(self, dialect, column)  # type: ignore[arg-type]

    def attributes(self) -> set[str]:
        """The expanded IRIs of all attributes the query mentions."""
        return {node.path.attr_iri for node in self.walk() if isinstance(node, Term)}

    def required_attributes(self) -> frozenset[str]:
        """Attribute IRIs that every matching entity has (for an attribute-index prefilter)."""
        if isinstance(self, Exists):
            return frozenset() if self.negated else frozenset({self.path.attr_iri})
        if isinstance(self, Term):
            return frozenset({self.path.attr_iri})
        if isinstance(self, And):
            return frozenset().union(*(item.required_attributes() for item in self.items))
        if isinstance(self, Or):
            return frozenset.intersection(*(item.required_attributes() for item in self.items))
        return frozenset()


@dataclass(frozen=True)
class Term(Node, ABC):
    """A term on one attribute path; subclasses say what is tested."""

    path: Path

    def matches(self, entity: Mapping[str, Any]) -> bool:
        return any(self.matches_instance(inst) for inst in self.path.instances(entity))

    @abstractmethod
    def matches_instance(self, instance: Any) -> bool: ...


@dataclass(frozen=True)
class Exists(Term):
    """``attr`` (the path exists) or ``!attr`` (no instance has it)."""

    negated: bool = False

    def matches(self, entity: Mapping[str, Any]) -> bool:
        found = any(self.matches_instance(inst) for inst in self.path.instances(entity))
        return not found if self.negated else found

    def matches_instance(self, instance: Any) -> bool:
        return self.path.exists_in(instance)

    def __str__(self) -> str:
        return ("!" if self.negated else "") + str(self.path)


@dataclass(frozen=True)
class ValueTerm(Term, ABC):
    """A comparison; ``test`` is applied to each candidate of an instance's target."""

    negated: bool

    def matches_instance(self, instance: Any) -> bool:
        target, language_map = self.path.target(instance)
        if target is _MISSING:
            return False
        found = any(self.test(c) for c in candidates(target, language_map))
        return not found if self.negated else found

    @abstractmethod
    def test(self, candidate: Any) -> bool: ...


def compare(candidate: Any, op: str, value: Value) -> bool:
    """``candidate <op> value`` when both are of the same kind, else False."""
    if _kind_of(candidate) != value.compares_as:
        return False
    literal: Any = value.value
    if op == "==":
        return bool(candidate == literal)
    if op == "<":
        return bool(candidate < literal)
    if op == "<=":
        return bool(candidate <= literal)
    if op == ">":
        return bool(candidate > literal)
    return bool(candidate >= literal)


@dataclass(frozen=True)
class Comparison(ValueTerm):
    """``attr==v``, ``attr!=v``, ``attr>v``, ``attr>=v``, ``attr<v``, ``attr<=v``."""

    op: str  # one of == > >= < <= ; "!=" is "==" negated
    value: Value

    def test(self, candidate: Any) -> bool:
        return compare(candidate, self.op, self.value)

    def __str__(self) -> str:
        op = "!=" if self.negated else self.op
        return f"{self.path}{op}{self.value}"


@dataclass(frozen=True)
class ValueList(ValueTerm):
    """``attr==a,b,c`` (any of them) and ``attr!=a,b,c`` (none of them)."""

    values: tuple[Value, ...]

    def test(self, candidate: Any) -> bool:
        return any(compare(candidate, "==", v) for v in self.values)

    def __str__(self) -> str:
        op = "!=" if self.negated else "=="
        return f"{self.path}{op}" + ",".join(str(v) for v in self.values)


@dataclass(frozen=True)
class Range(ValueTerm):
    """``attr==low..high`` (inclusive) and ``attr!=low..high``."""

    low: Value
    high: Value

    def test(self, candidate: Any) -> bool:
        return compare(candidate, ">=", self.low) and compare(candidate, "<=", self.high)

    def __str__(self) -> str:
        op = "!=" if self.negated else "=="
        return f"{self.path}{op}{self.low}..{self.high}"


@dataclass(frozen=True)
class Pattern(ValueTerm):
    """``attr~=regex`` (a string candidate contains a match) and ``attr!~=regex``."""

    pattern: str

    def test(self, candidate: Any) -> bool:
        return isinstance(candidate, str) and compiled(self.pattern).search(candidate) is not None

    def __str__(self) -> str:
        from dos.broker.query.scanner import quote

        op = "!~=" if self.negated else "~="
        return f"{self.path}{op}{quote(self.pattern)}"


@dataclass(frozen=True)
class Logical(Node):
    """``a;b`` (And) or ``a|b`` (Or) over two or more items."""

    items: tuple[Node, ...]

    def walk(self) -> Iterator[Node]:
        yield self
        for item in self.items:
            yield from item.walk()


@dataclass(frozen=True)
class And(Logical):
    """All items hold (``;``)."""

    def matches(self, entity: Mapping[str, Any]) -> bool:
        return all(item.matches(entity) for item in self.items)

    def __str__(self) -> str:
        return ";".join(_wrapped(item) for item in self.items)


@dataclass(frozen=True)
class Or(Logical):
    """Some item holds (``|``)."""

    def matches(self, entity: Mapping[str, Any]) -> bool:
        return any(item.matches(entity) for item in self.items)

    def __str__(self) -> str:
        return "|".join(_wrapped(item) for item in self.items)


def _wrapped(node: Node) -> str:
    # Printing parenthesises every nested group so that the text parses back to the same tree.
    return f"({node})" if isinstance(node, Logical) else str(node)


Expand = Callable[[str], str]
