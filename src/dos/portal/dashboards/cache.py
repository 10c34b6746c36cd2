"""The dashboards' server-side cache of what they read from the broker.

Reading is what costs: the broker compacts every entity of a city (about 700 in Schwerte) for
a map, and aggregates up to a year of 5-minute values for a station chart, while drawing the
result takes a few milliseconds. So:

- a city's **sensor snapshot** (:func:`sensors`) is shared by its map, its live values
  (``latest.json``) and its analyses for ``DOS_DASHBOARD_CACHE_SECONDS``. It is kept in the
  process (unpickling it from Django's cache would cost more than drawing the map), under a
  generation kept in Django's cache: :func:`invalidate` starts a new snapshot at once in every
  process sharing that cache, for code that learns of new data (an NGSI-LD notification); the
  short lifetime bounds staleness when nobody tells.
- what is drawn from one snapshot (:func:`remember`) is kept under the snapshot's version,
  so it is computed once per snapshot, language and time zone.
- an aggregated **series** (:func:`series`) is kept in two parts: the periods that are over
  (``closed``, kept for :data:`CLOSED_SECONDS`) and the periods still open. A later request
  asks the broker only from the first period not yet closed, usually one period instead of a
  year of them.

``DOS_DASHBOARD_CACHE_SECONDS=0`` turns all of it off.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache

T = TypeVar("T")
PREFIX = "dashboards:"
#: how long aggregates of periods that are over are reused: a value that arrives later than
#: GRACE_SECONDS after its period ended shows after at most this long
CLOSED_SECONDS = 900
#: a period counts as over this long after its end (readings arrive with some delay)
GRACE_SECONDS = 120


def ttl() -> int:
    """Seconds a snapshot lives (``DOS_DASHBOARD_CACHE_SECONDS``); 0: no caching."""
    return max(0, int(settings.CONFIG.DASHBOARD_CACHE_SECONDS))


def _key(*parts: Any) -> str:
    """A cache key that is safe for every backend (entity ids may be long or odd)."""
    text = "\x1f".join(str(p) for p in parts)
    return PREFIX + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def generation(tenant: str) -> int:
    """The tenant's snapshot generation; :func:`invalidate` advances it."""
    found = cache.get(_key("generation", tenant))
    return int(found) if found is not None else 0


def invalidate(tenant: str) -> None:
    """Forget the tenant's snapshot and what was drawn from it (new data has arrived)."""
    key = _key("generation", tenant)
    cache.add(key, 0, None)
    try:
        cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, None)


def remember(compute: Callable[[], T], *parts: Any) -> T:
    """``compute()``, cached under ``parts`` for the snapshot lifetime."""
    seconds = ttl()
    if not seconds:
        return compute()
    key = _key("remember", *parts)
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, seconds)
    return found  # type: ignore[no-any-return]


#: snapshots kept in this process: (epoch, tenant, generation) → (expiry, (version, sensors));
#: not in Django's cache, since unpickling 700 sensors costs more than drawing the map
_snapshots: dict[tuple[str, str, int], tuple[float, tuple[str, list[Any]]]] = {}


def _epoch() -> str:
    """A token in Django's cache; emptying that cache also retires this process's snapshots."""
    key = PREFIX + "epoch"
    found = cache.get(key)
    if found is None:
        cache.add(key, uuid.uuid4().hex, None)
        found = cache.get(key)
    return str(found)


def sensors(tenants: list[str], read: Callable[[str], list[Any]]) -> tuple[list[Any], str]:
    """The sensors of the tenants (``read(tenant)`` on a miss) and a version naming the
    snapshots they came from (part of the key of anything drawn from them)."""
    seconds = ttl()
    found: list[Any] = []
    versions = []
    now = time.monotonic()
    epoch = _epoch() if seconds else ""
    for tenant in tenants:
        key = (epoch, tenant, generation(tenant))
        kept = _snapshots.get(key) if seconds else None
        if kept is not None and kept[0] > now:
            entry = kept[1]
        else:
            entry = (uuid.uuid4().hex[:12], read(tenant))
            if seconds:
                for old in [k for k, (expiry, _) in _snapshots.items() if expiry <= now]:
                    _snapshots.pop(old, None)
                _snapshots[key] = (now + seconds, entry)
        versions.append(entry[0])
        found.extend(entry[1])
    return found, "-".join(versions)


@dataclass
class Segment:
    """Aggregated rows of the periods in [start_s, end_s), all of them over."""

    start_s: int
    end_s: int
    rows: list[Any]
    born: float


def series(
    parts: tuple[Any, ...],
    start_s: int,
    end_s: int,
    period_s: int,
    now_s: float,
    fetch: Callable[[int, int], list[Any]],
    start_of: Callable[[Any], int],
) -> list[Any]:
    """Rows (each with a period start ``start_of(row)`` in epoch seconds) of the periods in
    [start_s, end_s), which lie on ``period_s`` boundaries; ``fetch(a, b)`` asks the broker
    for [a, b). ``parts`` name the series: tenant first, then entity and attribute."""
    seconds = ttl()
    if not seconds:
        return fetch(start_s, end_s)
    key = _key("series", *parts, period_s)
    segment: Segment | None = cache.get(key)
    wall = time.time()
    if segment is not None and (
        wall - segment.born > CLOSED_SECONDS
        or not segment.start_s <= start_s <= segment.end_s
        or segment.end_s > end_s
    ):
        segment = None
    known = [r for r in segment.rows if start_of(r) >= start_s] if segment else []
    fresh_from = segment.end_s if segment else start_s
    fresh = cached_fetch(parts, fresh_from, end_s, period_s, fetch, seconds)
    closed_until = min(end_s, int(now_s - GRACE_SECONDS) // period_s * period_s)
    if closed_until > fresh_from:
        kept = known + [r for r in fresh if start_of(r) < closed_until]
        born = segment.born if segment else wall
        stored = Segment(start_s, closed_until, kept, born)
        cache.set(key, stored, max(1, int(CLOSED_SECONDS - (wall - born))))
        # the open periods, under the key the next request for this window looks up
        open_rows = [r for r in fresh if start_of(r) >= closed_until]
        cache.set(_window_key(parts, period_s, closed_until, end_s), open_rows, seconds)
    return known + fresh


def _window_key(parts: tuple[Any, ...], period_s: int, start_s: int, end_s: int) -> str:
    return _key("window", *parts, generation(str(parts[0])), period_s, start_s, end_s)


def cached_fetch(
    parts: tuple[Any, ...],
    start_s: int,
    end_s: int,
    period_s: int,
    fetch: Callable[[int, int], list[Any]],
    seconds: int,
) -> list[Any]:
    """``fetch(start_s, end_s)``, reused for ``seconds`` (a page and its CSV, many viewers)
    or until :func:`invalidate` of the tenant ``parts[0]``."""
    if start_s >= end_s:
        return []
    key = _window_key(parts, period_s, start_s, end_s)
    found: list[Any] | None = cache.get(key)
    if found is None:
        found = fetch(start_s, end_s)
        cache.set(key, found, seconds)
    return found
