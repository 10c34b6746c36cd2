"""Labels each request with its URL route, for the per-route metrics in dos.observability."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse


class RouteLabelMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        scope: dict[str, Any] | None = getattr(request, "scope", None)
        match = getattr(request, "resolver_match", None)
        if scope is not None and match is not None:
            scope["dos.route"] = "/" + match.route
        return response
