"""Resolves ``/<city>/…`` to ``request.city`` (a 404 for an unknown city)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from dos.portal.tenancy.models import City


class CityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.city = None  # type: ignore[attr-defined]
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: dict[str, Any]
    ) -> None:
        slug = kwargs.get("city")
        if slug is None:
            return
        city = City.objects.filter(slug=slug).first()
        if city is None:
            raise Http404(f"unknown city {slug}")
        request.city = city  # type: ignore[attr-defined]
