"""A plain progress bar on stderr for long demo steps (no dependency, no terminal tricks)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """``with Progress("backfill", total) as bar: bar.advance(n)`` draws ``[####....] 42%``."""

    def __init__(self, label: str, total: int, *, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream or sys.stderr
        self._drawn = -1.0
        self._start = time.monotonic()

    def advance(self, n: int = 1) -> None:
        self.done = min(self.total, self.done + n)
        now = time.monotonic()
        if now - self._drawn >= 0.2 or self.done == self.total:
            self._drawn = now
            self._draw()

    def _draw(self) -> None:
        share = self.done / self.total
        filled = int(share * 30)
        bar = "#" * filled + "." * (30 - filled)
        elapsed = time.monotonic() - self._start
        self.stream.write(f"\r  {self.label} [{bar}] {share:4.0%} ({elapsed:.0f} s)")
        self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self._draw()
        self.stream.write("\n")
        self.stream.flush()
