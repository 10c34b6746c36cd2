"""Editable pages behind the fixed footer links of dos.portal.web."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from dos.portal.content.models import Page

#: Footer page key (dos.portal.web.views.FOOTER_PAGES) → its URL name; a region Page with
#: that slug replaces the built-in text.
FOOTER_ROUTES = {
    "imprint": "imprint",
    "privacy": "privacy",
    "accessibility": "accessibility",
    "licence": "licence",
}


def render_page(request: HttpRequest, page: Page) -> HttpResponse:
    title, body = page.localized(get_language())
    return render(request, "content/page_detail.html", {"page": page, "title": title, "body": body})


def footer_page_response(request: HttpRequest, key: str) -> HttpResponse | None:
    """The editable region page for footer link ``key``, or None to show the built-in text."""
    page = Page.objects.filter(city__isnull=True, slug=key, is_published=True).first()
    return render_page(request, page) if page is not None else None
