"""Regular expressions that mean the same in Python ``re`` and PostgreSQL AREs.

``q`` patterns (``~=``) are evaluated by Python (``matches``, SQLite's REGEXP function) and by
PostgreSQL (``~``). :func:`pattern_problem` refuses what the two read differently, so both
engines give the same answers; :func:`check_pattern` does the same for other parameters such
as ``idPattern``.
"""

from __future__ import annotations

import re
import warnings

from dos.broker.errors import NgsiError

MAX_PATTERN = 512

# Regular-expression constructs that mean something else (or nothing) in PostgreSQL AREs than
# in Python's re; refusing them keeps matches() and both SQL engines in agreement.
_UNPORTABLE = re.compile(r"\(\?P|\(\?<[A-Za-z]|\(\?>|\(\?[aiLmsux-]+:|\(\?[aiLmsux]*-|[*+?}]\+")
_UNPORTABLE_ESCAPES = frozenset("bBGNpPzx")
_QUANTIFIER = re.compile(r"\{(\d{1,3})(?:,(\d{0,3}))?\}")
_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")
_LOOKAROUNDS = ("(?=", "(?!", "(?<=", "(?<!")
#: PostgreSQL's largest repetition count (RE_DUP_MAX).
_MAX_REPEAT = 255


def _unportable(pattern: str) -> tuple[str, int] | None:
    """The first construct (and its offset) that Python and PostgreSQL read differently."""
    index = 0
    in_class = False
    groups: list[bool] = []  # per open group: is it a lookaround?
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            if pattern[index + 1 : index + 2] in _UNPORTABLE_ESCAPES:
                return pattern[index : index + 2], index
            index += 2
            continue
        if in_class:
            if char == "]":
                in_class = False
            elif pattern.startswith("[:", index) or pattern.startswith("[=", index):
                return pattern[index : index + 2], index
            index += 1
            continue
        if char == "[":
            in_class = True
            index += 1
            if pattern.startswith("^", index):
                index += 1
            if pattern.startswith("]", index):
                index += 1  # a leading ']' is a literal member
            continue
        if char == "{":
            # Python takes a malformed '{' literally, PostgreSQL refuses it.
            quantifier = _QUANTIFIER.match(pattern, index)
            if quantifier is None or any(int(n) > _MAX_REPEAT for n in quantifier.groups() if n):
                return "{", index
            index = quantifier.end()
            if pattern.startswith("+", index):
                return quantifier.group() + "+", quantifier.start()
            continue
        if char == "}":
            return "}", index
        if char == "(":
            flags = _FLAGS.match(pattern, index)
            if flags and index > 0:
                return flags.group(), index  # PostgreSQL takes options only at the start
            groups.append(pattern.startswith(_LOOKAROUNDS, index))
        elif (
            char == ")"
            and groups
            and groups.pop()
            and pattern[index + 1 : index + 2]
            in (
                "*",
                "+",
                "?",
                "{",
            )
        ):
            return pattern[index : index + 2], index + 1
        found = _UNPORTABLE.match(pattern, index)
        if found:
            return found.group(), index
        index += 1
    return None


def pattern_problem(pattern: str) -> tuple[str, int] | None:
    """What is wrong with a pattern and where (0-based offset), or None when it is fine."""
    if len(pattern) > MAX_PATTERN:
        return f"regular expression longer than {MAX_PATTERN} characters", 0
    if "\x00" in pattern:
        return "NUL character", pattern.index("\x00")
    unportable = _unportable(pattern)
    if unportable:
        construct, offset = unportable
        return f"regular expression construct {construct!r} is not supported", offset
    try:
        with warnings.catch_warnings():
            # e.g. FutureWarning "Possible nested set": refuse what may change meaning
            warnings.simplefilter("error")
            re.compile(pattern)
    except (re.error, RecursionError, OverflowError, Warning) as exc:
        return f"invalid regular expression ({exc})", 0
    return None


def check_pattern(pattern: object, param: str = "idPattern") -> str:
    """The pattern if Python and PostgreSQL agree on it, else ``NgsiError("BadRequestData")``."""
    if not isinstance(pattern, str) or not pattern:
        raise NgsiError("BadRequestData", f"{param}: expected a regular expression")
    problem = pattern_problem(pattern)
    if problem:
        message, offset = problem
        raise NgsiError("BadRequestData", f"{param}: {message} at position {offset + 1}")
    return pattern
