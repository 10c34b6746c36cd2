"""Template tags other pages use to show content (``{% latest_news %}`` on the home pages)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

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
