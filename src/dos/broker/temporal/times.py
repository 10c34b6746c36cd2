"""Instants as epoch milliseconds (what the history tables index) and back to ISO 8601."""

from __future__ import annotations

import time
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
_DAY_MS = 86_400_000


@lru_cache(maxsize=4096)
def _date(days: int) -> str:
    """``2026-05-01T`` for days since the epoch."""
    return (_EPOCH + timedelta(days=days)).date().isoformat() + "T"


def _clock(ms: int) -> tuple[str, int]:
    """``2026-05-01T12:00:00`` and the milliseconds of epoch milliseconds, by integer
    arithmetic (a datetime per instant costs several times more)."""
    days, rest = divmod(ms, _DAY_MS)
    seconds, millis = divmod(rest, 1000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return f"{_date(days)}{hour:02d}:{minute:02d}:{second:02d}", millis


def format_ms(ms: int) -> str:
    """``2026-05-01T12:00:00.000Z`` for epoch milliseconds."""
    text, millis = _clock(ms)
    return f"{text}.{millis:03d}Z"


#: :func:`format_ms`, cached: period bounds repeat
from_ms = lru_cache(maxsize=65536)(format_ms)


@lru_cache(maxsize=65536)
def to_iso(ms: int) -> str:
    """Like :func:`from_ms`, without the fraction when it is zero (``2026-05-01T12:00:00Z``):
    the form in which times are usually written, used by the temporal representations."""
    text, millis = _clock(ms)
    return f"{text}.{millis:03d}Z" if millis else f"{text}Z"


def now_ms() -> int:
    return time.time_ns() // 1_000_000
