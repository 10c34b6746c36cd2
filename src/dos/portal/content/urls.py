"""Region routes of the content app (``/aktuelles/``, ``/blog/``, ``/suche/`` …)."""

from django.urls import path

from dos.portal.content import feeds, sitemaps, views

app_name = "content"

urlpatterns = [
    path("aktuelles/", views.post_list, {"kind": "news"}, name="news_list"),
    path("aktuelles/feed/", feeds.PostFeed(), {"kind": "news"}, name="news_feed"),
    path(
        "aktuelles/feed/handlungsfeld/<slug:action_field>/",
        feeds.PostFeed(),
        {"kind": "news"},
        name="news_field_feed",
    ),
    path("aktuelles/<slug:slug>/", views.post_detail, {"kind": "news"}, name="news_detail"),
    path("blog/", views.post_list, {"kind": "blog"}, name="blog_list"),
    path("blog/feed/", feeds.PostFeed(), {"kind": "blog"}, name="blog_feed"),
    path(
        "blog/feed/handlungsfeld/<slug:action_field>/",
        feeds.PostFeed(),
        {"kind": "blog"},
        name="blog_field_feed",
    ),
    path("blog/<slug:slug>/", views.post_detail, {"kind": "blog"}, name="blog_detail"),
    path("seite/<slug:slug>/", views.page_detail, name="page_detail"),
    path("dokumente/", views.document_list, name="document_list"),
    path("dokumente/<int:pk>/download/", views.document_download, name="document_download"),
    path("medien/bild/<int:pk>/", views.image, name="image"),
    path("suche/", views.search, name="search"),
    path("sitemap.xml", sitemaps.sitemap_view, name="sitemap"),
]
