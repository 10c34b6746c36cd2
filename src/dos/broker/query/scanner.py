"""A character scanner shared by the query-language parsers.

Every parser reports bad input as :class:`~dos.broker.errors.NgsiError` (``BadRequestData``)
whose detail names the parameter, the problem and the position (1-based), e.g.
``q: unexpected ')' at position 14``.
"""

from __future__ import annotations

from typing import NoReturn

from dos.broker.errors import NgsiError

#: Longest query-language text accepted (characters).
MAX_LENGTH = 8192
#: Deepest nesting of parentheses accepted.
MAX_DEPTH = 32


class Scanner:
    """Reads a query text left to right and raises positioned errors."""

    def __init__(self, param: str, text: str) -> None:
        self.param = param
        self.text = text
        self.pos = 0
        if not isinstance(text, str):
            raise NgsiError("BadRequestData", f"{param}: must be a string")
        if len(text) > MAX_LENGTH:
            raise NgsiError(
                "BadRequestData", f"{param}: longer than {MAX_LENGTH} characters ({len(text)})"
            )
        if "\x00" in text:
            # PostgreSQL text cannot hold NUL; refuse it here rather than fail in the database.
            self.error("NUL character", text.index("\x00"))

    def error(self, problem: str, pos: int | None = None) -> NoReturn:
        """Raise ``BadRequestData`` naming the problem and the position (1-based)."""
        where = self.pos if pos is None else pos
        raise NgsiError("BadRequestData", f"{self.param}: {problem} at position {where + 1}")

    def unexpected(self) -> NoReturn:
        """Raise for the character at the current position (or the end of the text)."""
        if self.at_end():
            self.error("unexpected end of text")
        self.error(f"unexpected {self.text[self.pos]!r}")

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self, length: int = 1) -> str:
        return self.text[self.pos : self.pos + length]

    def startswith(self, token: str) -> bool:
        return self.text.startswith(token, self.pos)

    def accept(self, token: str) -> bool:
        """Consume ``token`` if it comes next."""
        if self.text.startswith(token, self.pos):
            self.pos += len(token)
            return True
        return False

    def expect(self, token: str, what: str | None = None) -> None:
        if not self.accept(token):
            if self.at_end():
                self.error(f"expected {what or repr(token)} but the text ended")
            self.error(f"expected {what or repr(token)}, found {self.text[self.pos]!r}")

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t":
            self.pos += 1

    def take_while(self, allowed: frozenset[str]) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] in allowed:
            self.pos += 1
        return self.text[start : self.pos]

    def quoted(self) -> str:
        """Read a double-quoted string; ``\\"`` and ``\\\\`` are escapes, other backslashes stay."""
        start = self.pos
        self.expect('"')
        out: list[str] = []
        while True:
            if self.at_end():
                self.error("unterminated string", start)
            char = self.text[self.pos]
            if char == '"':
                self.pos += 1
                return "".join(out)
            if char == "\\" and self.pos + 1 < len(self.text):
                following = self.text[self.pos + 1]
                if following in '"\\':
                    out.append(following)
                    self.pos += 2
                    continue
            out.append(char)
            self.pos += 1


def quote(text: str) -> str:
    """The inverse of :meth:`Scanner.quoted`."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
