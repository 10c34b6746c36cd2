"""Instants as epoch milliseconds (what the history tables index) and back to ISO 8601."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any


def to_ms(text: Any) -> int | None:
    """Epoch milliseconds of an ISO 8601 date-time with a zone; None when it is not one."""
    if not isinstance(text, str):
        return None
    return _text_ms(text)


@lru_cache(maxsize=65536)
def _text_ms(text: str) -> int | None:
    # cached: the instances of one write share their createdAt/modifiedAt
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


_EPOCH = datetime(1970, 1, 1)


@lru_cache(maxsize=65536)
def from_ms(ms: int) -> str:
    """``2026-05-01T12:00:00.000Z`` for epoch milliseconds (cached: period bounds repeat)."""
    moment = _EPOCH + timedelta(milliseconds=ms)
    return moment.isoformat(timespec="milliseconds") + "Z"


def to_iso(ms: int) -> str:
    """Like :func:`from_ms`, without the fraction when it is zero (``2026-05-01T12:00:00Z``):
    the form in which times are usually written, used by the temporal representations."""
    text = from_ms(ms)
    return text[:-5] + "Z" if text.endswith(".000Z") else text


def now_ms() -> int:
    return int(datetime.now(UTC).timestamp() * 1000)
