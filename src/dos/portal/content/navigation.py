"""Navigation entries of the content app: news, blog, search and pages placed in the menu."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dos.portal.content.models import Page
from dos.portal.web.navigation import NavItem


def items(request: HttpRequest) -> list[NavItem]:
    city = getattr(request, "city", None)
    if city is not None:
        prefix, kwargs = "city_content", {"city": city.slug}
    else:
        prefix, kwargs = "content", {}
    found = [
        NavItem(_("News"), reverse(f"{prefix}:news_list", kwargs=kwargs), order=60),
        NavItem(_("Blog"), reverse(f"{prefix}:blog_list", kwargs=kwargs), order=61),
        NavItem(_("Documents"), reverse(f"{prefix}:document_list", kwargs=kwargs), order=80),
        NavItem(_("Search"), reverse(f"{prefix}:search", kwargs=kwargs), order=90),
    ]
    pages = Page.objects.filter(
        navigation=Page.Navigation.MAIN, is_published=True, city=city
    ).select_related("city")
    language = get_language()
    for page in pages:
        title, _body = page.localized(language)
        found.append(NavItem(title, page.get_absolute_url(), order=70 + page.navigation_order))
    return found
