"""The temporal query parameters ``timerel``, ``timeAt``, ``endTimeAt``, ``timeproperty``
(ETSI GS CIM 009 §4.11), for the temporal API and for ``q`` on histories.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dos.broker.errors import NgsiError

TIMERELS = ("before", "after", "between")
TIME_PROPERTIES = ("observedAt", "createdAt", "modifiedAt", "deletedAt")


def parse_datetime(text: Any, param: str) -> datetime:
    """An ISO 8601 date-time with a time zone (``2026-05-01T12:00:00Z``), as aware UTC."""
    if not isinstance(text, str) or "T" not in text:
        raise NgsiError(
            "BadRequestData", f"{param}: {text!r} is not a date-time like 2026-05-01T12:00:00Z"
        )
    try:
        value = datetime.fromisoformat(text)
        if value.tzinfo is None:
            raise NgsiError("BadRequestData", f"{param}: {text!r} needs a time zone (e.g. 'Z')")
        return value.astimezone(UTC)
    except (ValueError, OverflowError):
        raise NgsiError(
            "BadRequestData", f"{param}: {text!r} is not a date-time like 2026-05-01T12:00:00Z"
        ) from None


@dataclass(frozen=True)
class TemporalQuery:
    """``before``/``after`` ``time_at``, or ``between`` ``time_at`` (inclusive) and ``end_time_at`` (exclusive)."""

    timerel: str
    time_at: datetime
    end_time_at: datetime | None = None
    timeproperty: str = "observedAt"

    def contains(self, instant: datetime | str) -> bool:
        """Whether an instant (aware datetime or ISO text) satisfies the relation."""
        if isinstance(instant, str):
            try:
                instant = parse_datetime(instant, self.timeproperty)
            except NgsiError:
                return False
        if self.timerel == "before":
            return instant < self.time_at
        if self.timerel == "after":
            return instant > self.time_at
        assert self.end_time_at is not None
        return self.time_at <= instant < self.end_time_at


def parse_temporal_query(
    timerel: str | None,
    time_at: str | None,
    end_time_at: str | None = None,
    timeproperty: str | None = None,
) -> TemporalQuery | None:
    """Check the temporal parameters; None when ``timerel`` and ``timeAt`` are both absent."""
    if timerel is None and time_at is None:
        if end_time_at is not None:
            raise NgsiError("BadRequestData", "endTimeAt: needs timerel=between and timeAt")
        return None
    if timerel is None:
        raise NgsiError("BadRequestData", "timerel: missing; timeAt needs timerel")
    if timerel not in TIMERELS:
        raise NgsiError(
            "BadRequestData", f"timerel: {timerel!r} is not one of {', '.join(TIMERELS)}"
        )
    if time_at is None:
        raise NgsiError("BadRequestData", "timeAt: missing; timerel needs timeAt")
    start = parse_datetime(time_at, "timeAt")
    end = None
    if timerel == "between":
        if end_time_at is None:
            raise NgsiError("BadRequestData", "endTimeAt: missing; timerel=between needs it")
        end = parse_datetime(end_time_at, "endTimeAt")
        if end <= start:
            raise NgsiError("BadRequestData", "endTimeAt: must be later than timeAt")
    elif end_time_at is not None:
        raise NgsiError("BadRequestData", f"endTimeAt: only with timerel=between, not {timerel}")
    prop = timeproperty or "observedAt"
    if prop not in TIME_PROPERTIES:
        raise NgsiError(
            "BadRequestData", f"timeproperty: {prop!r} is not one of {', '.join(TIME_PROPERTIES)}"
        )
    return TemporalQuery(timerel, start, end, prop)
