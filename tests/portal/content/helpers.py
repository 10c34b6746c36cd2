"""Small builders for content tests (through the actions, as the portal does it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dos.portal.accounts.permissions import SYSTEM
from dos.portal.content import actions
from dos.portal.content.models import Post
from dos.portal.tenancy.models import City


def published_post(
    title: str,
    *,
    city: City | None = None,
    kind: str = "news",
    body: str = "",
    teaser: str = "Kurzfassung.",
    at: datetime | None = None,
    **links: Any,
) -> Post:
    post = actions.post_create(
        SYSTEM, kind=kind, title=title, teaser=teaser, body=body, city=city, **links
    )
    return actions.post_publish(SYSTEM, post, at=at)
