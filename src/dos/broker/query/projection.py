"""The attribute lists ``attrs``, ``pick`` and ``omit`` (ETSI GS CIM 009 §4.21, §6.3.18).

``attrs=temperature,humidity`` selects attributes; ``pick`` keeps and ``omit`` drops entity
members, which are attribute names or the core members ``id``, ``type``, ``scope``,
``createdAt``, ``modifiedAt`` (those are not expanded).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dos.broker.errors import NgsiError
from dos.broker.query.scanner import Scanner

CORE_MEMBERS = frozenset({"id", "type", "scope", "createdAt", "modifiedAt", "deletedAt"})
_NAME_STOP = frozenset(',;|()[]{}"<>\\^` \t')


def _names(param: str, text: str) -> list[str]:
    s = Scanner(param, text)
    names: list[str] = []
    while True:
        start = s.pos
        while not s.at_end() and s.peek() not in _NAME_STOP:
            s.pos += 1
        name = s.text[start : s.pos]
        if not name:
            if s.at_end():
                s.error("expected a name but the text ended")
            s.error(f"expected a name, found {s.peek()!r}")
        names.append(name)
        if s.at_end():
            return names
        if not s.accept(","):
            s.unexpected()


def parse_attrs(
    text: str | None, expand: Callable[[str], str], param: str = "attrs"
) -> list[str] | None:
    """The expanded attribute IRIs of ``attrs`` (in order, without repeats); None when absent."""
    if text is None:
        return None
    result: list[str] = []
    for name in _names(param, text):
        iri = expand(name)
        if iri not in result:
            result.append(iri)
    return result


@dataclass(frozen=True)
class Projection:
    """What ``pick`` (keep) or ``omit`` (drop) names: core members and attribute IRIs."""

    mode: str  # "pick" or "omit"
    members: frozenset[str]
    attrs: tuple[str, ...]

    def keeps_member(self, member: str) -> bool:
        """Whether the core member (``id``, ``type``, ...) stays in the output."""
        return (member in self.members) == (self.mode == "pick")

    def keeps_attr(self, iri: str) -> bool:
        """Whether the attribute (expanded IRI) stays in the output."""
        return (iri in self.attrs) == (self.mode == "pick")


def parse_projection(
    pick: str | None, omit: str | None, expand: Callable[[str], str]
) -> Projection | None:
    """Parse ``pick`` or ``omit`` (not both); None when neither is given."""
    if pick is not None and omit is not None:
        raise NgsiError("BadRequestData", "pick, omit: only one of them may be given")
    if pick is None and omit is None:
        return None
    mode, text = ("pick", pick) if pick is not None else ("omit", omit)
    assert text is not None
    members: set[str] = set()
    attrs: list[str] = []
    for name in _names(mode, text):
        if name in CORE_MEMBERS:
            members.add(name)
        else:
            iri = expand(name)
            if iri not in attrs:
                attrs.append(iri)
    return Projection(mode, frozenset(members), tuple(attrs))
