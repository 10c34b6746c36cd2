"""Content endpoints of the app API: ``GET /api/app/v1/{city}/{endpoint}``.

Each endpoint is a provider in :data:`PROVIDERS` that lists the city's public items in one
language; this module adds what they share: the key check, filters by ``?q=``, pagination,
ETag and cache headers. A provider exists only for content whose app is installed.

Rendered pages are cached (see :func:`~dos.portal.cityapp.access.cached_payload`): until the
data of the provider's app changes, at most :data:`TIMELY_SECONDS` for lists that change with
the time of day, and :data:`LIVE_SECONDS` for live values of the urban data platform.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from dos.portal.cityapp.access import (
    Refusal,
    authenticate,
    cached_payload,
    conditional,
    language_of,
    with_nul,
)
from dos.portal.cityapp.api.live import BrokerUnavailable
from dos.portal.tenancy.models import City

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20

Provider = Callable[[City, str, HttpRequest], list[dict[str, Any]]]

#: endpoint → (installed app it needs, "module:function" of the provider)
PROVIDERS: dict[str, tuple[str, str]] = {
    "news": ("dos.portal.content", "dos.portal.cityapp.api.providers:news"),
    "pages": ("dos.portal.content", "dos.portal.cityapp.api.providers:pages"),
    "events": ("dos.portal.events", "dos.portal.cityapp.api.providers:events"),
    "places": ("dos.portal.events", "dos.portal.cityapp.api.providers:places"),
    "projects": ("dos.portal.strategy", "dos.portal.cityapp.api.providers:projects"),
    "ideas": ("dos.portal.participation", "dos.portal.cityapp.api.providers:ideas"),
    "environment": ("dos.portal.cityapp", "dos.portal.cityapp.api.live:environment"),
    "parking": ("dos.portal.cityapp", "dos.portal.cityapp.api.live:parking"),
}

#: Lists that change as time passes (a post's publication time comes, an event ends): their
#: cached pages are reused for this many seconds at most.
TIMELY = {"news", "events"}
TIMELY_SECONDS = 30
#: Live values read from the urban data platform, reused for this many seconds.
LIVE = {"environment", "parking"}
LIVE_SECONDS = 30

#: Filters of each endpoint besides page, page_size, q and lang (for the OpenAPI description).
FILTERS: dict[str, dict[str, dict[str, Any]]] = {
    "news": {"tag": {"type": "string"}},
    "events": {
        "from": {"type": "string", "format": "date"},
        "to": {"type": "string", "format": "date"},
    },
    "projects": {"phase": {"type": "string"}, "action_field": {"type": "string"}},
    "environment": {"measure": {"type": "string"}},
    "ideas": {"status": {"type": "string"}},
}


def available() -> set[str]:
    """The content endpoints this installation serves."""
    return {key for key, (app, _path) in PROVIDERS.items() if apps.is_installed(app)}


def _provider(endpoint: str) -> Provider | None:
    if endpoint not in available():
        return None
    from importlib import import_module

    module, function = PROVIDERS[endpoint][1].split(":")
    provider: Provider = getattr(import_module(module), function)
    return provider


def _positive(request: HttpRequest, name: str, default: int, limit: int) -> int:
    value = request.GET.get(name)
    if value is None:
        return default
    if not value.isdigit() or not 1 <= int(value) <= limit:
        raise ValueError(f"{name} must be a whole number from 1 to {limit}")
    return int(value)


@require_safe
def listing(request: HttpRequest, city_slug: str, endpoint: str) -> HttpResponse:
    """One page of a content endpoint: ``{"count", "page", "page_size", "next", "results"}``."""
    from dos.portal.cityapp.api.views import city_or_problem, problem, refused

    city = city_or_problem(city_slug)
    if isinstance(city, HttpResponse):
        return city
    provider = _provider(endpoint)
    if provider is None:
        return problem(404, "Not Found", f"no content endpoint {endpoint}")
    if (name := with_nul(request.GET.items())) is not None:
        return problem(400, "Bad Request", f"{name} must not contain NUL characters")
    try:
        authenticate(request, city, required=True)
    except Refusal as refusal:
        return refused(refusal)
    try:
        page = _positive(request, "page", 1, 100_000)
        size = _positive(request, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        language = language_of(request)
        parameters = sorted(
            (name, value)
            for name, value in request.GET.items()
            if name not in ("api_key", "page", "page_size", "lang")
        )
        app_label = PROVIDERS[endpoint][0].rsplit(".", 1)[-1]
        if endpoint in LIVE:
            depends: tuple[str, ...] = ()
            seconds = LIVE_SECONDS
        else:
            depends = ("tenancy", app_label)
            seconds = TIMELY_SECONDS if endpoint in TIMELY else 300
        body, tag = cached_payload(
            (endpoint, city.pk, language, page, size, parameters, int(time.time() // seconds)),
            lambda: _page(request, provider, city, endpoint, language, page, size),
            apps=depends,
            seconds=seconds,
        )
    except ValueError as exc:
        return problem(400, "Bad Request", str(exc))
    except BrokerUnavailable as exc:
        return problem(
            503, "Service Unavailable", f"urban data platform: {exc}", {"Retry-After": "30"}
        )
    response = HttpResponse(body, content_type="application/json")
    response["Content-Language"] = language
    return conditional(request, response, max_age=30, etag=tag)


def _page(
    request: HttpRequest,
    provider: Provider,
    city: City,
    endpoint: str,
    language: str,
    page: int,
    size: int,
) -> bytes:
    """One page of the provider's items, filtered by ``?q=``, as the JSON body."""
    items = provider(city, language, request)
    query = request.GET.get("q", "").strip().lower()
    if query:
        items = [
            item
            for item in items
            if query
            in " ".join(
                v for k, v in item.items() if isinstance(v, str) and k != "language"
            ).lower()
        ]
    start = (page - 1) * size
    base = f"/api/app/v1/{city.slug}/{endpoint}?page_size={size}&lang={language}"
    body = {
        "count": len(items),
        "page": page,
        "page_size": size,
        "language": language,
        "next": f"{base}&page={page + 1}" if start + size < len(items) else None,
        "previous": f"{base}&page={page - 1}" if page > 1 else None,
        "results": items[start : start + size],
    }
    return json.dumps(body, ensure_ascii=False, cls=DjangoJSONEncoder).encode()
