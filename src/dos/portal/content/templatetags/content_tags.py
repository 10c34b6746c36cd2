"""Template tags other pages use to show content (``{% latest_news %}`` on the home pages)."""

from __future__ import annotations

import time
from typing import Any

from django import template
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from dos.portal.content.models import Post
from dos.portal.content.views import visible_posts
from dos.portal.web import generations

register = template.Library()


@register.inclusion_tag("content/includes/latest_news.html", takes_context=True)
def latest_news(context: dict[str, Any], count: int = 3) -> dict[str, Any]:
    """The newest visible news of the current city (and the region), or of the whole region."""
    city = context.get("city")
    if city is not None:
        list_url = reverse("city_content:news_list", kwargs={"city": city.slug})
    else:
        list_url = reverse("content:news_list")
    return {"posts": list(visible_posts("news", city)[:count]), "list_url": list_url}


#: Seconds a rendered list of related posts is reused at most: a scheduled post appears when
#: its time comes, which no write announces. Any write to posts or cities drops it at once.
RELATED_SECONDS = 60


@register.simple_tag
def related_posts(obj: Any, count: int = 5) -> SafeString:
    """Visible news and blog posts linked to a strategy project or action field (``obj``),
    rendered once per content generation (see :mod:`dos.portal.web.generations`)."""
    key = ":".join(
        [
            "content:related",
            obj._meta.model_name,
            str(obj.pk),
            str(count),
            get_language() or "",
            generations.current(("content", "tenancy")),
            str(int(time.time() // RELATED_SECONDS)),
        ]
    )
    html: SafeString | None = cache.get(key)
    if html is None:
        posts = (
            Post.objects.visible()
            .filter(**{_LINK_FIELD[obj._meta.model_name]: obj})
            .select_related("city")
            .prefetch_related("tags")
            .order_by("-published_at", "-pk")[:count]
        )
        html = render_to_string("content/includes/related_posts.html", {"posts": list(posts)})
        cache.set(key, html, RELATED_SECONDS)
    return html


_LINK_FIELD = {"project": "projects", "actionfield": "action_fields"}
