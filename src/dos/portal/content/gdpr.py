"""Personal data in content: who wrote, published, changed or uploaded what.

The content itself is the city's official publication and stays; on account deletion only
the link to the person is removed.
"""

from __future__ import annotations

from typing import Any

from dos.portal.content.models import Document, Page, Post


def export(user: Any) -> dict[str, Any]:
    """The posts a user wrote or published, the pages they changed, the documents they uploaded."""
    return {
        "posts_written": [
            {"kind": p.kind, "title": p.title, "url": p.get_absolute_url(), "status": p.status}
            for p in Post.objects.filter(created_by=user).select_related("city")
        ],
        "posts_published": [
            {"kind": p.kind, "title": p.title, "url": p.get_absolute_url()}
            for p in Post.objects.filter(reviewed_by=user).select_related("city")
        ],
        "pages_changed": list(Page.objects.filter(updated_by=user).values_list("title", flat=True)),
        "documents_uploaded": list(
            Document.objects.filter(uploaded_by=user).values_list("title", flat=True)
        ),
    }


def erase(user: Any) -> None:
    """Unlink the user from the content they worked on (the content stays)."""
    Post.objects.filter(created_by=user).update(created_by=None)
    Post.objects.filter(reviewed_by=user).update(reviewed_by=None)
    Page.objects.filter(updated_by=user).update(updated_by=None)
    Document.objects.filter(uploaded_by=user).update(uploaded_by=None)
