"""Atom feeds of news and blog posts: region-wide, per city and per action field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from dos.portal.content.models import Post
from dos.portal.content.views import visible_posts
from dos.portal.tenancy.models import City, Region

FEED_SIZE = 20


@dataclass(frozen=True)
class FeedScope:
    """What a feed covers: a kind of post, and a city or an action field (or neither)."""

    kind: str
    city: City | None = None
    action_field: Any = None
    path: str = "/"

    @property
    def name(self) -> str:
        if self.action_field is not None:
            return str(self.action_field)
        if self.city is not None:
            return self.city.name
        region = Region.objects.order_by("pk").first()
        return region.name if region else "DOS"


class PostFeed(Feed):  # type: ignore[type-arg]
    """The newest visible posts of one kind as Atom 1.0 (scheduled posts only once due)."""

    feed_type = Atom1Feed

    def get_object(
        self, request: HttpRequest, kind: str, action_field: str | None = None, **kwargs: Any
    ) -> FeedScope:
        field = None
        if action_field is not None:
            from dos.portal.strategy.models import ActionField

            field = get_object_or_404(ActionField, slug=action_field)
        return FeedScope(
            kind=kind, city=getattr(request, "city", None), action_field=field, path=request.path
        )

    def title(self, scope: FeedScope) -> str:
        label = _("News") if scope.kind == Post.Kind.NEWS else _("Blog")
        return f"{label} · {scope.name}"

    def subtitle(self, scope: FeedScope) -> str:
        return _("Latest posts from the smart city region.")

    def link(self, scope: FeedScope) -> str:
        return scope.path.split("feed/", 1)[0]

    def feed_url(self, scope: FeedScope) -> str:
        return scope.path

    def items(self, scope: FeedScope) -> QuerySet[Post]:
        posts = visible_posts(scope.kind, scope.city)
        if scope.action_field is not None:
            posts = posts.filter(action_fields=scope.action_field)
        return posts[:FEED_SIZE]

    def item_title(self, item: Post) -> str:
        return item.text("title")

    def item_description(self, item: Post) -> str:
        return item.text("teaser")

    def item_link(self, item: Post) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Post) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Post) -> datetime:
        return max(item.updated_at, item.published_at or item.updated_at)

    def item_categories(self, item: Post) -> list[str]:
        return [tag.name for tag in item.tags.all()]
