"""Who is calling the app API and Open311, how often, and what they already have cached:
client keys, per-key rate limits, ETags, cached payloads and the answer language."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header

from dos.portal.cityapp.models import ClientKey, RateWindow
from dos.portal.tenancy.models import City
from dos.portal.web import generations

#: Requests per minute from one address without a client key (reads only).
ANONYMOUS_PER_MINUTE = 600
KEY_HEADER = "X-Api-Key"


@dataclass
class Refusal(Exception):
    """The request may not proceed: HTTP status, a description, extra headers."""

    status: int
    description: str
    headers: dict[str, str]


def raw_key(request: HttpRequest) -> str | None:
    """The client key from the ``X-Api-Key`` header or an ``api_key`` parameter."""
    value = (
        request.headers.get(KEY_HEADER)
        or request.GET.get("api_key")
        or (request.POST.get("api_key") if request.method == "POST" else None)
    )
    return value or None


def authenticate(
    request: HttpRequest, city: City | None, *, required: bool, raw: str | None = None
) -> ClientKey | None:
    """The caller's client key, checked against ``city`` and its rate limit.

    Raises :class:`Refusal`: 401 for a missing (when ``required``), unknown or revoked key,
    403 for a key of another city, 429 with ``Retry-After`` past the key's rate limit.
    """
    raw = raw_key(request) or raw or None
    if raw is None:
        if required:
            raise Refusal(401, "api_key is required", {"WWW-Authenticate": KEY_HEADER})
        throttle(f"ip:{request.META.get('REMOTE_ADDR', '')}", ANONYMOUS_PER_MINUTE)
        return None
    key = ClientKey.objects.filter(key_hash=ClientKey.digest(raw)).first()
    if key is None:
        raise Refusal(401, "api_key is not valid", {"WWW-Authenticate": KEY_HEADER})
    if key.revoked_at is not None:
        raise Refusal(401, "api_key has been revoked", {"WWW-Authenticate": KEY_HEADER})
    if city is not None and key.city_id != city.pk:
        raise Refusal(403, f"api_key does not belong to jurisdiction {city.slug}", {})
    throttle(f"key:{key.pk}", key.rate_limit)
    return key


def throttle(bucket: str, per_minute: int) -> None:
    """Count one request in ``bucket``'s current minute; :class:`Refusal` 429 past the limit.

    The count is one atomic upsert in the database, so all server processes share it: a key
    gets ``per_minute`` requests a minute however many workers answer it (a fixed window: up
    to twice the limit can pass around a minute's turn, never more).
    """
    now = time.time()
    minute = int(now // 60)
    table = connection.ops.quote_name(RateWindow._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (bucket, minute, hits) VALUES (%s, %s, 1) "
            f"ON CONFLICT (bucket, minute) DO UPDATE SET hits = {table}.hits + 1 "
            f"RETURNING hits",
            [bucket[:80], minute],
        )
        count = cursor.fetchone()[0]
        if count == 1:  # the bucket's first request this minute: forget past minutes
            cursor.execute(f"DELETE FROM {table} WHERE minute < %s", [minute - 1])
    if count > per_minute:
        retry = max(1, 60 - int(now % 60))
        raise Refusal(429, "rate limit exceeded", {"Retry-After": str(retry)})


def with_nul(pairs: Iterable[tuple[str, object]]) -> str | None:
    """The name of the first parameter whose value holds a NUL character, if any.

    No text column of PostgreSQL can hold one, so such a value is refused up front (400)
    instead of failing in the database.
    """
    for name, value in pairs:
        if "\x00" in str(name) or "\x00" in str(value):
            return str(name).replace("\x00", "\\0")
    return None


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def cached_payload(
    parts: Iterable[object],
    render: Callable[[], bytes],
    *,
    apps: Iterable[str] = (),
    seconds: int = 300,
) -> tuple[bytes, str]:
    """The body ``render()`` makes and its ETag, reused while nothing it is made of changed.

    ``parts`` name the payload (endpoint, city, language, parameters); ``apps`` are the portal
    apps whose data it shows: a write to any of them (in any process) changes their
    :mod:`~dos.portal.web.generations` token and with it the cache key. ``seconds`` bounds
    the reuse for what changes without a write (the time of day, live sensor values).
    """
    apps = tuple(apps)
    tokens = generations.current(apps) if apps else ""
    name = "|".join([*(str(part) for part in parts), tokens])
    key = "cityapp:payload:" + hashlib.sha256(name.encode()).hexdigest()
    found: tuple[bytes, str] | None = cache.get(key)
    if found is None:
        body = render()
        found = (body, etag_of(body))
        cache.set(key, found, seconds)
    return found


def conditional(
    request: HttpRequest, response: HttpResponse, *, max_age: int = 60, etag: str | None = None
) -> HttpResponse:
    """Add ETag and cache headers; answer 304 when the client's copy is current.

    ``etag``: the tag of the body when known (from :func:`cached_payload`), else it is hashed.
    """
    tag = etag or etag_of(response.content)
    response["ETag"] = tag
    response["Cache-Control"] = f"public, max-age={max_age}"
    response["Vary"] = "Accept-Language, X-Api-Key"
    wanted = request.headers.get("If-None-Match", "")
    candidates = {part.strip().removeprefix("W/") for part in wanted.split(",") if part.strip()}
    if "*" in candidates or tag in candidates:
        not_modified = HttpResponse(status=304)
        for header in ("ETag", "Cache-Control", "Vary"):
            not_modified[header] = response[header]
        return not_modified
    return response


def language_of(request: HttpRequest) -> str:
    """``?lang=`` if given (de or en), else the best of Accept-Language, else German."""
    asked = request.GET.get("lang")
    if asked in ("de", "en"):
        return asked
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return "de"
