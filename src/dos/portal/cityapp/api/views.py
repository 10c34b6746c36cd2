"""App API views: a city's app configuration and the OpenAPI description."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from dos.portal.cityapp.access import (
    Refusal,
    authenticate,
    cached_payload,
    conditional,
    language_of,
)
from dos.portal.cityapp.models import CONTENT_ENDPOINTS, Adoption, AppSettings
from dos.portal.tenancy.models import City


def problem(
    status: int, title: str, detail: str, headers: dict[str, str] | None = None
) -> HttpResponse:
    """An RFC 9457 problem document."""
    response = JsonResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status=status,
        content_type="application/problem+json",
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def refused(refusal: Refusal) -> HttpResponse:
    titles = {401: "Unauthorized", 403: "Forbidden", 429: "Too Many Requests"}
    return problem(
        refusal.status, titles.get(refusal.status, "Error"), refusal.description, refusal.headers
    )


def endpoint_urls(city: City, keys: list[str]) -> dict[str, str]:
    """Where the app finds each content endpoint a module uses (only those DOS serves)."""
    from dos.portal.cityapp.api.content import available

    urls: dict[str, str] = {}
    served = available()
    for key in keys:
        if key == "open311":
            urls[key] = f"/open311/v2/services.json?jurisdiction_id={city.slug}"
        elif key in served:
            urls[key] = f"/api/app/v1/{city.slug}/{CONTENT_ENDPOINTS[key]}"
    return urls


def config_document(city: City, app: AppSettings, language: str) -> dict[str, Any]:
    """The app configuration of ``city`` as the app reads it."""
    adoptions = (
        Adoption.objects.filter(city=city, enabled=True)
        .select_related("module", "module__owner", "version")
        .order_by("position", "module__key")
    )
    return {
        "city": {
            "slug": city.slug,
            "name": city.name,
            "latitude": city.latitude,
            "longitude": city.longitude,
        },
        "app_name": app.app_name,
        "languages": app.languages,
        "default_language": app.languages[0],
        "language": language,
        "theme": {
            "primary_colour": city.primary_colour,
            "secondary_colour": city.secondary_colour,
            "logo": city.logo.url if city.logo else None,
            **app.theme,
        },
        "menu": [
            {
                "module": a.module.key,
                "name": a.module.label(language),
                "description": a.module.text(language),
                "version": a.version.version,
                "owner": a.module.owner.slug if a.module.owner else None,
                "position": a.position,
                "configuration": a.configuration,
                "endpoints": endpoint_urls(city, a.version.endpoints),
            }
            for a in adoptions
        ],
    }


def city_or_problem(slug: str) -> City | HttpResponse:
    city = City.objects.filter(slug=slug).first()
    if city is None:
        return problem(404, "Not Found", f"unknown city {slug}")
    return city


#: What the configuration is made of: the city and its app (settings, adoptions, modules).
CONFIG_APPS = ("tenancy", "cityapp")


@require_safe
def config(request: HttpRequest, city_slug: str) -> HttpResponse:
    """``GET /api/app/v1/{city}/config``: theme, menu and languages, with an ETag."""
    app = AppSettings.objects.select_related("city").filter(city__slug=city_slug).first()
    if app is None:
        city = city_or_problem(city_slug)
        if isinstance(city, HttpResponse):
            return city
        return problem(404, "Not Found", f"{city.name} has no city app yet")
    city = app.city
    try:
        authenticate(request, city, required=True)
    except Refusal as refusal:
        return refused(refusal)
    language = language_of(request)
    if language not in app.languages:
        language = app.languages[0]
    body, tag = cached_payload(
        ("config", city.pk, language),
        lambda: json.dumps(config_document(city, app, language), ensure_ascii=False).encode(),
        apps=CONFIG_APPS,
    )
    response = HttpResponse(body, content_type="application/json")
    response["Content-Language"] = language
    return conditional(request, response, etag=tag)


@require_safe
def openapi(request: HttpRequest) -> HttpResponse:
    """``GET /api/app/v1/openapi.json``: the OpenAPI 3.1 description of every endpoint."""
    from dos.portal.cityapp.api.openapi import description

    return conditional(
        request, JsonResponse(description(), json_dumps_params={"ensure_ascii": False}), max_age=300
    )
