"""Retention policies of the temporal history, per tenant and entity type.

A policy says how long raw attribute instances are kept (an ISO 8601 duration such as ``P2Y``
or ``P30D``, or ``forever``) and how long the hourly and daily rollups that replace them are
kept (a duration, ``forever`` or ``none``). ``tenant`` ``*`` is every tenant and
``entity_type`` ``*`` every type of the tenant; the most specific policy wins: (tenant, type),
(tenant, ``*``), (``*``, type), (``*``, ``*``). Instances of entities that no policy covers
are kept. :mod:`dos.broker.temporal.rollup` applies the policies.

An entity type is an expanded IRI, or a short name (``WeatherObserved``) that matches every
type IRI ending in ``/WeatherObserved`` or ``#WeatherObserved``, whatever @context defined it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from dos.broker.errors import NgsiError
from dos.broker.temporal.times import from_ms, now_ms

FOREVER = "forever"
NONE = "none"
ANY = "*"
HOUR_MS = 3_600_000
DAY_MS = 86_400_000
_DURATION = re.compile(
    r"^P(?!$)(?:(?P<y>\d+)Y)?(?:(?P<mo>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<h>\d+)H)?(?:(?P<mi>\d+)M)?(?:(?P<s>\d+)S)?)?$"
)
_TENANT = re.compile(r"^(\*|[A-Za-z0-9][A-Za-z0-9_-]{0,62})?$")
_TYPE = re.compile(r"^(\*|[^\s*]{1,512})$")


@dataclass(frozen=True)
class Policy:
    """One stored policy; durations as given (``P2Y``, ``forever``, ``none``)."""

    tenant: str
    entity_type: str
    raw: str
    hourly: str = FOREVER
    daily: str = NONE
    modified_at: str = ""


def check_duration(text: str, what: str, *, allow_none: bool) -> str:
    """``text`` normalised (``forever``/``none`` in lower case), or BadRequestData."""
    lowered = text.strip().lower()
    if lowered == FOREVER or (allow_none and lowered == NONE):
        return lowered
    match = _DURATION.match(text.strip().upper())
    choices = "'forever' or 'none'" if allow_none else "'forever'"
    if match is None:
        raise NgsiError(
            "BadRequestData",
            f"{what}: {text!r} is not an ISO 8601 duration like P2Y, P30D or PT12H, nor {choices}",
        )
    if not any(int(v) for v in match.groupdict(default="0").values()):
        raise NgsiError("BadRequestData", f"{what}: {text!r} is zero; give a positive duration")
    return text.strip().upper()


def _minus_months(moment: datetime, months: int) -> datetime:
    total = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(total, 12)
    if year < 1:
        return datetime(1, 1, 1, tzinfo=UTC)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def cutoff_ms(duration: str, now: int, *, align_ms: int) -> int | None:
    """The instant before which data older than ``duration`` (counted back from ``now``) lies,
    rounded down to a multiple of ``align_ms`` so that only whole hours (days) are removed;
    None for ``forever`` (``none`` keeps nothing: ``now``)."""
    if duration == FOREVER:
        return None
    if duration == NONE:
        return now - now % align_ms
    match = _DURATION.match(duration)
    assert match is not None, duration
    part = {k: int(v) for k, v in match.groupdict(default="0").items()}
    moment = datetime.fromtimestamp(now / 1000, UTC)
    moment = _minus_months(moment, part["y"] * 12 + part["mo"])
    moment -= timedelta(
        weeks=part["w"], days=part["d"], hours=part["h"], minutes=part["mi"], seconds=part["s"]
    )
    edge = int(moment.timestamp() * 1000)
    return edge - edge % align_ms


def check_policy(
    tenant: str, entity_type: str, raw: str, hourly: str = FOREVER, daily: str = NONE
) -> Policy:
    """A valid :class:`Policy` from operator input, or BadRequestData naming the problem."""
    if not _TENANT.match(tenant):
        raise NgsiError(
            "BadRequestData", f"tenant {tenant!r} is not a tenant name (letters, digits, -, _) or *"
        )
    if not _TYPE.match(entity_type):
        raise NgsiError(
            "BadRequestData", f"entity type {entity_type!r} must be a type name, an IRI or *"
        )
    policy = Policy(
        tenant,
        entity_type,
        check_duration(raw, "raw", allow_none=False),
        check_duration(hourly, "hourly", allow_none=True),
        check_duration(daily, "daily", allow_none=True),
    )
    now = now_ms()
    keeps = {name: cutoff_ms(getattr(policy, name), now, align_ms=1) for name in ("raw", "hourly")}
    if policy.hourly != NONE and keeps["raw"] is not None:
        hourly_edge = keeps["hourly"]
        if hourly_edge is not None and hourly_edge > keeps["raw"]:
            raise NgsiError(
                "BadRequestData",
                f"hourly: {policy.hourly} is shorter than raw {policy.raw}; hourly rollups "
                "are made from raw values as they expire, so keep them at least as long",
            )
    if policy.raw == FOREVER and (policy.hourly, policy.daily) != (FOREVER, NONE):
        raise NgsiError(
            "BadRequestData", "hourly/daily: raw values are kept forever, nothing is rolled up"
        )
    return policy


def type_matches(policy_type: str, type_iri: str) -> bool:
    """Whether a policy's entity type covers an entity type IRI (see module docstring)."""
    if policy_type in (ANY, type_iri):
        return True
    if ":" in policy_type:
        return False
    return type_iri.endswith(("/" + policy_type, "#" + policy_type))


def resolve(policies: list[Policy], tenant: str, types: list[str]) -> Policy | None:
    """The policy for an entity of ``tenant`` with ``types``: the most specific level that has
    a matching policy; among several matches (an entity with several types) the one that keeps
    raw values longest, so that no policy's promise is broken."""
    levels = [(tenant, True), (tenant, False), (ANY, True), (ANY, False)]
    for level_tenant, typed in levels:
        found = [
            p
            for p in policies
            if p.tenant == level_tenant
            and (p.entity_type != ANY) == typed
            and any(type_matches(p.entity_type, t) for t in types)
        ]
        if found:
            return max(found, key=_raw_kept)
    return None


def _raw_kept(policy: Policy) -> int:
    """How far back a policy keeps raw values (larger: longer; forever largest)."""
    now = now_ms()
    edge = cutoff_ms(policy.raw, now, align_ms=1)
    return now + 1 if edge is None else now - edge


# -- storage ----------------------------------------------------------------------------
_COLUMNS = "tenant, entity_type, raw, hourly, daily, modified_at"


def policy_list(session: Any, tenant: str | None = None) -> list[Policy]:
    """Stored policies (of one tenant, with those for all tenants), by tenant and type."""
    sql = f"SELECT {_COLUMNS} FROM retention_policies"
    params: list[Any] = []
    if tenant is not None:
        sql += " WHERE tenant IN (?, ?)"
        params = [tenant, ANY]
    rows = session.x(sql + " ORDER BY tenant, entity_type", params).fetchall()
    return [Policy(*row) for row in rows]


def policy_set(session: Any, policy: Policy) -> bool:
    """Store ``policy`` (replacing the one of its tenant and type); True when it is new.

    The tenant must exist (or be ``*``, or the default tenant ``""``).
    """
    if policy.tenant not in (ANY, "") and not session.tenant_exists(policy.tenant):
        raise NgsiError("NonexistentTenant", f"tenant {policy.tenant!r} does not exist")
    stamp = from_ms(now_ms())
    existed = session.x(
        "DELETE FROM retention_policies WHERE tenant = ? AND entity_type = ? RETURNING tenant",
        (policy.tenant, policy.entity_type),
    ).fetchone()
    session.x(
        "INSERT INTO retention_policies (tenant, entity_type, raw, hourly, daily, created_at, "
        "modified_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (policy.tenant, policy.entity_type, policy.raw, policy.hourly, policy.daily, stamp, stamp),
    )
    return existed is None


def policy_delete(session: Any, tenant: str, entity_type: str) -> None:
    """Remove a policy (its instances are kept from now on), or ResourceNotFound."""
    row = session.x(
        "DELETE FROM retention_policies WHERE tenant = ? AND entity_type = ? RETURNING tenant",
        (tenant, entity_type),
    ).fetchone()
    if row is None:
        raise NgsiError(
            "ResourceNotFound", f"no retention policy for tenant {tenant!r} and type {entity_type}"
        )
