"""Region and city home pages and the fixed footer pages."""

from __future__ import annotations

from django.apps import apps
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from dos.portal.tenancy.models import City
from dos.portal.web.pagecache import public_page

FOOTER_PAGES = ("imprint", "privacy", "accessibility", "licence")


@require_safe
@public_page
def region_home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/region_home.html", {"city_list": City.objects.all()})


@require_safe
@public_page
def city_home(request: HttpRequest, city: str) -> HttpResponse:
    return render(request, "web/city_home.html")


@require_safe
@public_page
def footer_page(request: HttpRequest, page: str) -> HttpResponse:
    # An editable page of the content app (same slug as ``page``) replaces the built-in text.
    if apps.is_installed("dos.portal.content"):
        from dos.portal.content.pages import footer_page_response

        editable = footer_page_response(request, page)
        if editable is not None:
            return editable
    # Long legal texts are written per language rather than as translation strings.
    language = "en" if get_language() == "en" else "de"
    return render(request, f"web/pages/{page}.{language}.html")


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)
