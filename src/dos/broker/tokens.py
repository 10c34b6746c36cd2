"""Bearer tokens of the NGSI-LD API: one tenant and one scope (``read`` or ``write``) each.

The secret is shown once when created and stored only as its SHA-256 digest (the secrets are
256-bit random strings, so a fast hash is enough: there is nothing to brute-force). Lookups are
cached for a few seconds; a revoked token stops working within that time.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from typing import Any

from dos.broker.entities.operations import now
from dos.broker.store import Store

SCOPES = ("read", "write")
PREFIX = "dos_"
CACHE_SECONDS = 5.0
_cache: dict[tuple[int, str], tuple[float, dict[str, Any] | None]] = {}


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(store: Store, tenant: str, scope: str, label: str = "") -> tuple[str, str]:
    """A new token: returns (id, secret). ``tenant`` "" is the default tenant."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    secret = PREFIX + secrets.token_urlsafe(32)
    record = {
        "id": uuid.uuid4().hex[:12],
        "tenant": tenant,
        "scope": scope,
        "digest": digest(secret),
        "label": label,
        "created_at": now(),
    }
    store.write(lambda s: s.token_add(record))
    return record["id"], secret


def token_list(store: Store) -> list[dict[str, Any]]:
    """All tokens (without digests), oldest first."""
    tokens = store.read(lambda s: s.token_list())
    return [{k: v for k, v in t.items() if k != "digest"} for t in tokens]


def token_revoke(store: Store, token_id: str) -> bool:
    """Revoke a token by id; False when there is no active token with that id."""
    revoked = store.write(lambda s: s.token_revoke(token_id, now()))
    _cache.clear()
    return revoked


async def token_check(store: Store, secret: str) -> dict[str, Any] | None:
    """The active token record for a presented secret, or None."""
    key = (id(store), digest(secret))
    cached = _cache.get(key)
    moment = time.monotonic()
    if cached is not None and moment - cached[0] < CACHE_SECONDS:
        return cached[1]
    record = await store.aread(lambda s: s.token_by_digest(key[1]))
    if record is not None and record.get("revoked_at"):
        record = None
    if len(_cache) > 10_000:
        _cache.clear()
    _cache[key] = (moment, record)
    return record
