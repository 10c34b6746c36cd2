"""Template tags other pages use to show content (``{% latest_news %}`` on the home pages)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from dos.portal.content.models import Post
from dos.portal.content.views import visible_posts

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


@register.inclusion_tag("content/includes/related_posts.html")
def related_posts(obj: Any, count: int = 5) -> dict[str, Any]:
    """Visible news and blog posts linked to a strategy project or action field (``obj``)."""
    posts = (
        Post.objects.visible()
        .filter(**{_LINK_FIELD[obj._meta.model_name]: obj})
        .select_related("city")
        .prefetch_related("tags")
        .order_by("-published_at", "-pk")[:count]
    )
    return {"posts": list(posts)}


_LINK_FIELD = {"project": "projects", "actionfield": "action_fields"}
