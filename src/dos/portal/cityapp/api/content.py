"""Content endpoints of the app API: ``GET /api/app/v1/{city}/{endpoint}``.

Each endpoint is a provider in :data:`PROVIDERS` that lists the city's public items in one
language; this module adds what they share: the key check, filters by ``?q=``, pagination,
ETag and cache headers. A provider exists only for content whose app is installed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from dos.portal.cityapp.access import Refusal, authenticate, conditional, language_of
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
    try:
        authenticate(request, city, required=True)
    except Refusal as refusal:
        return refused(refusal)
    try:
        page = _positive(request, "page", 1, 100_000)
        size = _positive(request, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        language = language_of(request)
        items = provider(city, language, request)
    except ValueError as exc:
        return problem(400, "Bad Request", str(exc))
    except BrokerUnavailable as exc:
        return problem(
            503, "Service Unavailable", f"urban data platform: {exc}", {"Retry-After": "30"}
        )
    query = request.GET.get("q", "").strip().lower()
    if query:
        items = [
            item
            for item in items
            if query in " ".join(str(v) for v in item.values() if isinstance(v, str)).lower()
        ]
    start = (page - 1) * size
    results = items[start : start + size]
    base = f"/api/app/v1/{city.slug}/{endpoint}?page_size={size}&lang={language}"
    body = {
        "count": len(items),
        "page": page,
        "page_size": size,
        "next": f"{base}&page={page + 1}" if start + size < len(items) else None,
        "previous": f"{base}&page={page - 1}" if page > 1 else None,
        "results": results,
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Language"] = language
    return conditional(request, response, max_age=30)
