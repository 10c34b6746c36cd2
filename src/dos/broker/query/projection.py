"""The attribute lists ``attrs``, ``pick`` and ``omit`` (ETSI GS CIM 009 §4.21, §6.3.18).

``attrs=temperature,humidity`` selects attributes. ``pick`` keeps and ``omit`` drops entity
members: attribute names or the core members ``id``, ``type``, ``scope``, ``createdAt``,
``modifiedAt`` (not expanded). For linked entities (``join``) a Relationship may carry a
nested projection in braces: ``pick=id,locatedAt{id,name,isInCountry{id}}``.
``pick`` and ``omit`` may be combined when they share no member; neither goes with ``attrs``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dos.broker.errors import NgsiError
from dos.broker.query.scanner import MAX_DEPTH, Scanner

CORE_MEMBERS = frozenset({"id", "type", "scope", "createdAt", "modifiedAt", "deletedAt"})
_NAME_STOP = frozenset(',;|()[]{}"<>\\^` \t')


def _name(s: Scanner) -> str:
    start = s.pos
    while not s.at_end() and s.peek() not in _NAME_STOP:
        s.pos += 1
    if s.pos == start:
        if s.at_end():
            s.error("expected a name but the text ended")
        s.error(f"expected a name, found {s.peek()!r}")
    return s.text[start : s.pos]


def parse_attrs(
    text: str | None, expand: Callable[[str], str], param: str = "attrs"
) -> list[str] | None:
    """The expanded attribute IRIs of ``attrs`` (in order, without repeats); None when absent."""
    if text is None:
        return None
    s = Scanner(param, text)
    result: list[str] = []
    while True:
        iri = expand(_name(s))
        if iri not in result:
            result.append(iri)
        if s.at_end():
            return result
        if not s.accept(","):
            s.unexpected()


@dataclass(frozen=True)
class Member:
    """One item of ``pick``/``omit``: ``key`` is a core member or an expanded attribute IRI."""

    name: str
    key: str
    nested: tuple[Member, ...] | None = None

    def __str__(self) -> str:
        if self.nested is None:
            return self.name
        return self.name + "{" + ",".join(str(m) for m in self.nested) + "}"


def parse_members(text: str, expand: Callable[[str], str], param: str) -> tuple[Member, ...]:
    """Parse a ``pick``/``omit`` list with nested braces for linked entities."""
    s = Scanner(param, text)
    members = _members(s, expand, 0)
    if not s.at_end():
        s.unexpected()
    return members


def _members(s: Scanner, expand: Callable[[str], str], depth: int) -> tuple[Member, ...]:
    items: list[Member] = []
    while True:
        name = _name(s)
        key = name if name in CORE_MEMBERS else expand(name)
        nested = None
        if s.accept("{"):
            if depth >= MAX_DEPTH:
                s.error(f"braces nested deeper than {MAX_DEPTH} levels")
            nested = _members(s, expand, depth + 1)
            s.expect("}", "'}'")
        items.append(Member(name, key, nested))
        if not s.accept(","):
            return tuple(items)


@dataclass(frozen=True)
class Projection:
    """``pick`` (members kept) and/or ``omit`` (members dropped); None means not given."""

    pick: tuple[Member, ...] | None = None
    omit: tuple[Member, ...] | None = None

    def keeps(self, key: str) -> bool:
        """Whether the member (``id``, ``type``, ... or an attribute IRI) stays in the output."""
        if self.pick is not None and not any(m.key == key for m in self.pick):
            return False
        return not (
            self.omit is not None and any(m.key == key and m.nested is None for m in self.omit)
        )

    def nested(self, key: str) -> Projection | None:
        """The projection for the entity linked by Relationship ``key`` (``join``), if any."""
        pick = next((m.nested for m in self.pick or () if m.key == key), None)
        omit = next((m.nested for m in self.omit or () if m.key == key), None)
        return None if pick is None and omit is None else Projection(pick, omit)


def parse_projection(
    pick: str | None,
    omit: str | None,
    expand: Callable[[str], str],
    attrs: str | None = None,
) -> Projection | None:
    """Parse ``pick`` and ``omit``; None when neither is given (ETSI GS CIM 009 §4.21)."""
    if pick is None and omit is None:
        return None
    if attrs is not None:
        used = "pick" if pick is not None else "omit"
        raise NgsiError("BadRequestData", f"{used}: cannot be combined with attrs")
    picked = parse_members(pick, expand, "pick") if pick is not None else None
    omitted = parse_members(omit, expand, "omit") if omit is not None else None
    if picked is not None and omitted is not None:
        both = {m.key for m in picked} & {m.key for m in omitted if m.nested is None}
        if both:
            names = sorted(m.name for m in picked if m.key in both)
            raise NgsiError("BadRequestData", f"pick, omit: {', '.join(names)} in both")
    return Projection(picked, omitted)
