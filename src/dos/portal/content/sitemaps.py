"""sitemap.xml: the portal's public pages (home pages, lists, posts, pages, footer pages).

Other apps add a section by putting a Sitemap into :data:`SECTIONS` from their
AppConfig.ready().
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.apps import apps
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from dos.portal.content.models import Page, Post
from dos.portal.tenancy.models import City

FOOTER_ROUTE_NAMES = ("imprint", "privacy", "accessibility", "licence")


class PortalSitemap(Sitemap):  # type: ignore[type-arg]
    """Home pages, news and blog lists, search and documents, region-wide and per city."""

    changefreq = "daily"

    def items(self) -> list[str]:
        paths = [reverse("region_home")]
        for name in ("news_list", "blog_list", "document_list"):
            paths.append(reverse(f"content:{name}"))
        for slug in City.objects.values_list("slug", flat=True):
            paths.append(reverse("city_home", kwargs={"city": slug}))
            for name in ("news_list", "blog_list"):
                paths.append(reverse(f"city_content:{name}", kwargs={"city": slug}))
        paths.extend(reverse(name) for name in FOOTER_ROUTE_NAMES)
        return paths

    def location(self, item: str) -> str:
        return item


class PostSitemap(Sitemap):  # type: ignore[type-arg]
    changefreq = "weekly"

    def items(self) -> Any:
        return Post.objects.visible().select_related("city").order_by("-published_at")

    def lastmod(self, item: Post) -> datetime:
        return item.updated_at


class PageSitemap(Sitemap):  # type: ignore[type-arg]
    changefreq = "monthly"

    def items(self) -> Any:
        # Footer pages are listed by PortalSitemap already (under their fixed address).
        return (
            Page.objects.filter(is_published=True)
            .exclude(city__isnull=True, slug__in=FOOTER_ROUTE_NAMES)
            .select_related("city")
        )

    def lastmod(self, item: Page) -> datetime:
        return item.updated_at


class StrategySitemap(Sitemap):  # type: ignore[type-arg]
    """Action fields and projects of the strategy app (when it is installed)."""

    changefreq = "weekly"

    def items(self) -> list[Any]:
        from dos.portal.strategy.models import ActionField, Project

        return [*ActionField.objects.all(), *Project.objects.order_by("code")]


SECTIONS: dict[str, type[Sitemap] | Sitemap] = {  # type: ignore[type-arg]
    "portal": PortalSitemap,
    "posts": PostSitemap,
    "pages": PageSitemap,
}
if apps.is_installed("dos.portal.strategy"):
    SECTIONS["strategy"] = StrategySitemap


def sitemap_view(request: HttpRequest) -> HttpResponse:
    return sitemap(request, sitemaps=SECTIONS)
