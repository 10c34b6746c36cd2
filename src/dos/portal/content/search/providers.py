"""The content app's own searchable kinds, and those of other installed apps it knows.

Another app can join the search by calling :func:`dos.portal.content.search.register` in its
AppConfig.ready(); the kinds of apps that do not (yet) do so are registered here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch
from django.utils.translation import gettext_lazy as _

from dos.portal.content.sanitize import plain_text
from dos.portal.content.search.registry import SearchDocument, SearchKind, register


def _post_document(post: Any) -> SearchDocument | None:
    from dos.portal.content.models import Post

    if post.status != Post.Status.PUBLISHED or post.published_at is None:
        return None
    tags = " ".join(tag.name for tag in post.tags.all()) if post.pk else ""
    return SearchDocument(
        title=post.title,
        summary=post.teaser,
        text=f"{plain_text(post.body)} {tags}",
        url=post.get_absolute_url(),
        city_id=post.city_id,
        visible_from=post.published_at,
    )


def _posts(kind: str) -> Iterable[Any]:
    from dos.portal.content.models import Post

    return Post.objects.filter(kind=kind).select_related("city").prefetch_related("tags")


def _page_document(page: Any) -> SearchDocument | None:
    if not page.is_published:
        return None
    return SearchDocument(
        title=page.title,
        text=plain_text(page.body),
        url=page.get_absolute_url(),
        city_id=page.city_id,
    )


def _pages() -> Iterable[Any]:
    from dos.portal.content.models import Page

    return Page.objects.select_related("city")


def _project_document(project: Any) -> SearchDocument | None:
    try:
        url = project.get_absolute_url()
    except NoReverseMatch:  # the strategy app's public pages are not routed (yet)
        return None
    cities = project.dos_city_ids() if project.pk else None
    fields = " ".join(field.name for field in project.action_fields.all()) if project.pk else ""
    return SearchDocument(
        title=f"{project.code} {project.title}",
        summary=project.summary,
        text=f"{plain_text(project.description)} {project.lead_department} {fields}",
        url=url,
        # A joint project (several cities) is found from every city: stored as region-wide.
        city_id=next(iter(cities)) if cities and len(cities) == 1 else None,
    )


def _projects() -> Iterable[Any]:
    from dos.portal.strategy.models import Project

    return Project.objects.prefetch_related("cities", "action_fields")


def register_defaults() -> None:
    """Register news, blog posts and pages (called from ContentConfig.ready)."""
    from dos.portal.content.models import Page, Post

    register(
        SearchKind(
            kind="news",
            label=_("News"),
            model=Post,
            document=_post_document,
            objects=lambda: _posts("news"),
            order=20,
            matches=lambda post: post.kind == "news",
            watch_m2m=("tags",),
        )
    )
    register(
        SearchKind(
            kind="blog",
            label=_("Blog"),
            model=Post,
            document=_post_document,
            objects=lambda: _posts("blog"),
            order=30,
            matches=lambda post: post.kind == "blog",
            watch_m2m=("tags",),
        )
    )
    register(
        SearchKind(
            kind="page",
            label=_("Pages"),
            model=Page,
            document=_page_document,
            objects=_pages,
            order=40,
        )
    )

    if apps.is_installed("dos.portal.strategy"):
        from dos.portal.strategy.models import Project

        register(
            SearchKind(
                kind="project",
                label=_("Projects"),
                model=Project,
                document=_project_document,
                objects=_projects,
                order=10,
                watch_m2m=("cities", "action_fields"),
            )
        )
