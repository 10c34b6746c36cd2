"""Parser of the NGSI-LD query language, the ``q`` parameter (ETSI GS CIM 009 §4.9).

Grammar accepted (whitespace between tokens is ignored)::

    Query      = Or
    Or         = And *("|" And)
    And        = Factor *(";" Factor)          ; ";" binds tighter than "|"
    Factor     = "(" Or ")" / Term
    Term       = ["!"] Path                     ; existence / non-existence
               / Path ("=="/"!=") (ValueList / Range / Value)
               / Path (">"/">="/"<"/"<=") Value
               / Path ("~="/"!~=") Regex
    Path       = Name *("." Name) ["[" Name *("." Name) "]"] *("[" Name "]")
    Value      = Number / "quoted string" / true / false / DateTime / Date / Time / URI
    Range      = Value ".." Value
    ValueList  = Value 1*("," Value)
    Regex      = "quoted string" / unquoted text up to ";" "|" or an unmatched ")"

``parse_q(text, expand)`` returns the tree of :mod:`dos.broker.query.q_nodes`; attribute and
sub-attribute names are expanded with ``expand``; system members (``observedAt``, ...) and keys
inside values are not.
"""

from __future__ import annotations

import math
import re

from dos.broker.query.q_nodes import (
    SYSTEM_MEMBERS,
    And,
    Comparison,
    Exists,
    Expand,
    Node,
    Or,
    Path,
    Pattern,
    Range,
    Value,
    ValueList,
)
from dos.broker.query.regex import pattern_problem
from dos.broker.query.scanner import MAX_DEPTH, Scanner

NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:-@#/")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?\Z")
_INTEGER = re.compile(r"-?(?:0|[1-9]\d*)\Z")
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?\Z"
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_TIME = re.compile(r"\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?Z?\Z")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s\"<>\\^`{|}]+\Z")
_OPERATORS = ("==", "!=", ">=", "<=", "!~=", "~=", ">", "<")


def parse_q(text: str, expand: Expand) -> Node:
    """Parse a ``q`` query into a tree; bad syntax raises ``NgsiError("BadRequestData")``."""
    return _Parser(text, expand).parse()


class _Parser:
    def __init__(self, text: str, expand: Expand) -> None:
        self.s = Scanner("q", text)
        self.expand = expand

    def parse(self) -> Node:
        self.s.skip_spaces()
        if self.s.at_end():
            self.s.error("empty query")
        node = self.or_(0)
        self.s.skip_spaces()
        if not self.s.at_end():
            self.s.unexpected()
        return node

    def or_(self, depth: int) -> Node:
        items = [self.and_(depth)]
        while self.s.accept("|"):
            self.s.skip_spaces()
            items.append(self.and_(depth))
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_(self, depth: int) -> Node:
        items = [self.factor(depth)]
        while self.s.accept(";"):
            self.s.skip_spaces()
            items.append(self.factor(depth))
        return items[0] if len(items) == 1 else And(tuple(items))

    def factor(self, depth: int) -> Node:
        s = self.s
        s.skip_spaces()
        if s.startswith("("):
            if depth >= MAX_DEPTH:
                s.error(f"parentheses nested deeper than {MAX_DEPTH} levels")
            s.pos += 1
            s.skip_spaces()
            node = self.or_(depth + 1)
            s.skip_spaces()
            s.expect(")", "')'")
            s.skip_spaces()
            return node
        node = self.term()
        s.skip_spaces()
        return node

    # -- terms ---------------------------------------------------------------------------

    def term(self) -> Node:
        s = self.s
        negated = s.accept("!")
        path = self.path()
        s.skip_spaces()
        op = next((o for o in _OPERATORS if s.startswith(o)), None)
        if negated:
            if op is not None:
                s.error(f"'!' negates an attribute and cannot precede operator {op!r}")
            return Exists(path, negated=True)
        if op is None:
            if s.startswith("=") or s.startswith("!") or s.startswith("~"):
                s.error(f"unknown operator starting with {s.peek()!r}")
            return Exists(path)
        op_pos = s.pos
        s.pos += len(op)
        s.skip_spaces()
        if op in ("~=", "!~="):
            return Pattern(path, negated=op == "!~=", pattern=self.regex())
        first = self.value()
        if op in ("==", "!="):
            negated = op == "!="
            if s.startswith(".."):
                s.pos += 2
                high_pos = s.pos
                high = self.value()
                for end, where in ((first, op_pos + len(op)), (high, high_pos)):
                    if end.compares_as == "boolean":
                        s.error("a range needs numbers, strings or date-times", where)
                if first.compares_as != high.compares_as:
                    s.error("the ends of a range must be of the same kind", high_pos)
                return Range(path, negated, first, high)
            if s.startswith(","):
                values = [first]
                while s.accept(","):
                    values.append(self.value())
                return ValueList(path, negated, tuple(values))
            return Comparison(path, negated, "==", first)
        if first.compares_as == "boolean":
            s.error(f"operator {op!r} cannot compare booleans", op_pos)
        return Comparison(path, False, op, first)

    def name(self, what: str) -> str:
        start = self.s.pos
        text = self.s.take_while(NAME_CHARS)
        if not text:
            if self.s.at_end():
                self.s.error(f"expected {what} but the text ended")
            self.s.error(f"expected {what}, found {self.s.peek()!r}", start)
        return text

    def path(self) -> Path:
        s = self.s
        attr = self.name("an attribute name")
        if "://" in attr:
            # A full IRI as attribute name: its dots belong to it (no sub-attribute paths).
            attr += s.take_while(NAME_CHARS | {".", "~", "%"})
        subs: list[str] = []
        member: str | None = None
        while s.accept("."):
            if member is not None:
                s.error(f"nothing may follow {member!r} in a path", s.pos - 1)
            sub = self.name("a sub-attribute name")
            if sub in SYSTEM_MEMBERS:
                member = sub
            else:
                subs.append(sub)
        keys: list[str] = []
        if s.startswith("["):
            if member is not None:
                s.error(f"{member!r} has no keys to select with '['")
            s.pos += 1
            keys.append(self.name("a key"))
            while s.accept("."):
                keys.append(self.name("a key"))
            s.expect("]", "']'")
            while s.accept("["):
                keys.append(self.name("a key"))
                s.expect("]", "']'")
        attr_iri = self._expand(attr)
        sub_iris = tuple(self._expand(sub) for sub in subs)
        return Path(attr, attr_iri, tuple(subs), sub_iris, member, tuple(keys))

    def _expand(self, term: str) -> str:
        iri = self.expand(term)
        if not iri or '"' in iri:
            self.s.error(f"attribute {term!r} does not expand to an IRI")
        return iri

    # -- values --------------------------------------------------------------------------

    def value(self) -> Value:
        s = self.s
        start = s.pos
        if s.startswith('"'):
            return Value("string", s.quoted())
        while not s.at_end() and s.peek() not in ";|),\t " and not s.startswith(".."):
            s.pos += 1
        token = s.text[start : s.pos]
        if not token:
            if s.at_end():
                s.error("expected a value but the text ended")
            s.error(f"expected a value, found {s.peek()!r}")
        if token in ("true", "false"):
            return Value("boolean", token == "true")
        if _NUMBER.match(token):
            number: int | float = int(token) if _INTEGER.match(token) else float(token)
            if isinstance(number, float) and not math.isfinite(number):
                s.error(f"number {token!r} is out of range", start)
            if isinstance(number, int) and abs(number) >= 2**63:
                s.error(f"number {token!r} is out of range", start)
            return Value("number", number)
        if _DATETIME.match(token) or _DATE.match(token) or _TIME.match(token):
            return Value("datetime", token)
        if _URI.match(token):
            return Value("uri", token)
        s.error(
            f"value {token!r} is neither a number, a quoted string, a date-time nor a URI", start
        )

    def regex(self) -> str:
        s = self.s
        start = s.pos
        if s.startswith('"'):
            pattern = s.quoted()
        else:
            depth = 0
            while not s.at_end():
                char = s.peek()
                if char == "\\":
                    s.pos += 2
                    continue
                if char in ";|" and depth == 0:
                    break
                if char == "(":
                    depth += 1
                elif char == ")":
                    if depth == 0:
                        break
                    depth -= 1
                s.pos += 1
            s.pos = min(s.pos, len(s.text))
            pattern = s.text[start : s.pos]
        if not pattern:
            s.error("expected a regular expression", start)
        problem = pattern_problem(pattern)
        if problem:
            message, offset = problem
            s.error(message, start + (1 if s.text[start] == '"' else 0) + offset)
        return pattern
