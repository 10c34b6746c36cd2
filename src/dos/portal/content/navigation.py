"""Navigation entries of the content app: news, blog, search and pages placed in the menu."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
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
    return found + _page_items(city.pk if city is not None else None, get_language())


def _page_items(city_id: int | None, language: str) -> list[NavItem]:
    """Pages placed in the main menu; cached because every page of the portal shows them.

    The cache is dropped whenever a page is saved or deleted (see ``_forget_pages``).
    """
    key = f"content:nav:{cache.get_or_set(VERSION_KEY, 1)}:{city_id}:{language}"
    found: list[NavItem] | None = cache.get(key)
    if found is None:
        pages = Page.objects.filter(
            navigation=Page.Navigation.MAIN, is_published=True, city_id=city_id
        ).select_related("city")
        found = []
        for page in pages:
            title, _body = page.localized(language)
            found.append(NavItem(title, page.get_absolute_url(), order=70 + page.navigation_order))
        cache.set(key, found, 300)
    return found


VERSION_KEY = "content:nav:version"


@receiver([post_save, post_delete], sender=Page)
def _forget_pages(**kwargs: object) -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2)
