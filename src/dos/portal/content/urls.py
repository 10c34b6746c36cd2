"""Routes of the content app: the region's (``/aktuelles/``, ``/blog/``, ``/suche/`` …) and,
through :data:`shared`, a city's (``/<city>/aktuelles/`` …, see ``city_urls``)."""

from django.urls import path

from dos.portal.content import feeds, sitemaps, views

app_name = "content"


def _post_routes(kind: str, prefix: str) -> list:
    """List, feeds and detail of one kind of post under its URL prefix."""
    return [
        path(f"{prefix}/", views.post_list, {"kind": kind}, name=f"{kind}_list"),
        path(f"{prefix}/feed/", feeds.PostFeed(), {"kind": kind}, name=f"{kind}_feed"),
        path(
            f"{prefix}/feed/handlungsfeld/<slug:action_field>/",
            feeds.PostFeed(),
            {"kind": kind},
            name=f"{kind}_field_feed",
        ),
        path(f"{prefix}/<slug:slug>/", views.post_detail, {"kind": kind}, name=f"{kind}_detail"),
    ]


# The routes a city has as well as the region (request.city tells the views which).
shared = [
    *_post_routes("news", "aktuelles"),
    *_post_routes("blog", "blog"),
    path("seite/<slug:slug>/", views.page_detail, name="page_detail"),
    path("dokumente/", views.document_list, name="document_list"),
    path("suche/", views.search, name="search"),
]

urlpatterns = [
    *shared,
    path("dokumente/<int:pk>/download/", views.document_download, name="document_download"),
    path("medien/bild/<int:pk>/", views.image, name="image"),
    path("sitemap.xml", sitemaps.sitemap_view, name="sitemap"),
]
