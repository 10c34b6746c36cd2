"""A small boolean expression grammar shared by ``scopeQ`` and the type selection language.

    Expression = Disjunct *(OR Disjunct)        ; OR  is "," or "|"
    Disjunct   = Factor *(";" Factor)           ; AND is ";" (binds tighter)
    Factor     = "(" Expression ")" / Leaf

Whitespace is not allowed (these parameters are lists of names).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from dos.broker.query.scanner import MAX_DEPTH, Scanner

Fragment = tuple[str, list[Any]]


class Condition(ABC):
    """A node of a boolean expression: leaves and the two connectives."""

    @abstractmethod
    def matches(self, subject: Any) -> bool:
        """Whether the subject (an entity document, or a type list) satisfies the expression."""
        ...

    @abstractmethod
    def to_sql(self, dialect: str, column: str = "doc") -> Fragment:
        """A boolean SQL expression over the JSON column for ``sqlite`` or ``postgresql``."""
        ...

    def leaves(self) -> Iterator[Condition]:
        """The leaves, left to right."""
        yield self


@dataclass(frozen=True)
class AllOf(Condition):
    """Every item holds (``;``)."""

    items: tuple[Condition, ...]

    def matches(self, subject: Any) -> bool:
        return all(item.matches(subject) for item in self.items)

    def to_sql(self, dialect: str, column: str = "doc") -> Fragment:
        return _join(" AND ", [item.to_sql(dialect, column) for item in self.items])

    def leaves(self) -> Iterator[Condition]:
        for item in self.items:
            yield from item.leaves()

    def __str__(self) -> str:
        return ";".join(_text(item) for item in self.items)


@dataclass(frozen=True)
class AnyOf(Condition):
    """Some item holds (``,`` or ``|``)."""

    items: tuple[Condition, ...]

    def matches(self, subject: Any) -> bool:
        return any(item.matches(subject) for item in self.items)

    def to_sql(self, dialect: str, column: str = "doc") -> Fragment:
        return _join(" OR ", [item.to_sql(dialect, column) for item in self.items])

    def leaves(self) -> Iterator[Condition]:
        for item in self.items:
            yield from item.leaves()

    def __str__(self) -> str:
        return ",".join(_text(item) for item in self.items)


def _text(node: Condition) -> str:
    return f"({node})" if isinstance(node, AllOf | AnyOf) else str(node)


def _join(joiner: str, parts: list[Fragment]) -> Fragment:
    return "(" + joiner.join(sql for sql, _ in parts) + ")", [p for _, ps in parts for p in ps]


Leaf = Callable[[Scanner], Condition]


def parse_boolean(scanner: Scanner, leaf: Leaf, or_ops: str = ",|") -> Condition:
    """Parse the whole text of ``scanner`` as a boolean expression over ``leaf``."""
    if scanner.at_end():
        scanner.error("empty expression")
    node = _disjunction(scanner, leaf, or_ops, 0)
    if not scanner.at_end():
        scanner.unexpected()
    return node


def _disjunction(s: Scanner, leaf: Leaf, or_ops: str, depth: int) -> Condition:
    items = [_conjunction(s, leaf, or_ops, depth)]
    while not s.at_end() and s.peek() in or_ops:
        s.pos += 1
        items.append(_conjunction(s, leaf, or_ops, depth))
    return items[0] if len(items) == 1 else AnyOf(tuple(items))


def _conjunction(s: Scanner, leaf: Leaf, or_ops: str, depth: int) -> Condition:
    items = [_factor(s, leaf, or_ops, depth)]
    while s.accept(";"):
        items.append(_factor(s, leaf, or_ops, depth))
    return items[0] if len(items) == 1 else AllOf(tuple(items))


def _factor(s: Scanner, leaf: Leaf, or_ops: str, depth: int) -> Condition:
    if s.startswith("("):
        if depth >= MAX_DEPTH:
            s.error(f"parentheses nested deeper than {MAX_DEPTH} levels")
        s.pos += 1
        node = _disjunction(s, leaf, or_ops, depth + 1)
        s.expect(")", "')'")
        return node
    return leaf(s)
