"""Instants as epoch milliseconds (what the history tables index) and back to ISO 8601."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def to_ms(text: Any) -> int | None:
    """Epoch milliseconds of an ISO 8601 date-time with a zone; None when it is not one."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def from_ms(ms: int) -> str:
    """``2026-05-01T12:00:00.000Z`` for epoch milliseconds."""
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def now_ms() -> int:
    return int(datetime.now(UTC).timestamp() * 1000)
