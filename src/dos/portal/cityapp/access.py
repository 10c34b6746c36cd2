"""Who is calling the app API and Open311, how often, and what they already have cached:
client keys, per-key rate limits, ETags and the answer language."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header

from dos.portal.cityapp.models import ClientKey
from dos.portal.tenancy.models import City

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
    """Count one request in ``bucket``'s current minute; :class:`Refusal` 429 past the limit."""
    now = time.time()
    window = int(now // 60)
    name = f"cityapp:rate:{bucket}:{window}"
    cache.add(name, 0, timeout=70)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=70)
        count = 1
    if count > per_minute:
        retry = max(1, 60 - int(now % 60))
        raise Refusal(429, "rate limit exceeded", {"Retry-After": str(retry)})


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def conditional(request: HttpRequest, response: HttpResponse, *, max_age: int = 60) -> HttpResponse:
    """Add ETag and cache headers; answer 304 when the client's copy is current."""
    tag = etag_of(response.content)
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
