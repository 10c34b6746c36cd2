"""The only code that changes content: posts, their images, pages, documents, the index.

Every function checks its named permission first (see :mod:`.permissions`) and validates
everything before it writes, inside one transaction: a refused or invalid call saves nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from dos.portal.accounts.permissions import has_perm, require
from dos.portal.content import search
from dos.portal.content.models import Document, Page, Post, PostImage, Tag
from dos.portal.content.sanitize import clean_html
from dos.portal.content.uploads import check_document, process_image
from dos.portal.tenancy.models import City

POST_FIELDS = (
    "title",
    "slug",
    "teaser",
    "body",
    "title_en",
    "teaser_en",
    "body_en",
    "city",
    "published_at",
)
#: Rich-text fields, cleaned with :func:`clean_html` whenever they are written.
HTML_FIELDS = frozenset({"body", "body_en"})
Status = Post.Status


def _actor_user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) is not None else None


def _unique_slug(kind: str, title: str, slug: str | None, exclude: int | None) -> str:
    base = slugify(slug or title)[:180] or "beitrag"
    candidate, number = base, 2
    others = Post.objects.filter(kind=kind).exclude(pk=exclude)
    while others.filter(slug=candidate).exists():
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def _tags(names: list[str] | tuple[str, ...]) -> list[Tag]:
    found = []
    for name in dict.fromkeys(n.strip() for n in names if n.strip()):
        slug = slugify(name)[:60]
        if not slug:
            raise ValidationError({"tags": _("“%(tag)s” is not a usable tag.") % {"tag": name}})
        tag = Tag.objects.filter(slug=slug).first() or Tag.objects.create(name=name[:60], slug=slug)
        found.append(tag)
    return found


def _set_links(post: Post, links: dict[str, Any]) -> None:
    if "tags" in links:
        post.tags.set(_tags(list(links["tags"])))
    for name in ("action_fields", "projects"):
        if name in links and hasattr(post, name):
            getattr(post, name).set(links[name])


def _reindex(post: Post) -> None:
    search.index_object(post, post.kind)


@transaction.atomic
def post_create(
    actor: Any,
    *,
    kind: str,
    title: str,
    teaser: str,
    body: str = "",
    city: City | None = None,
    slug: str | None = None,
    published_at: datetime | None = None,
    title_en: str = "",
    teaser_en: str = "",
    body_en: str = "",
    **links: Any,
) -> Post:
    """Write a new post as a draft (``content.add_post`` for its city or the region).

    ``published_at`` is a wished publication time for the reviewer; ``*_en`` are the optional
    English texts; ``links`` may hold ``tags`` (names), ``action_fields`` and ``projects``.
    """
    post = Post(
        kind=kind,
        city=city,
        title=title,
        teaser=teaser,
        body=clean_html(body),
        title_en=title_en,
        teaser_en=teaser_en,
        body_en=clean_html(body_en),
        published_at=published_at,
    )
    require(actor, "content.add_post", post)
    post.slug = _unique_slug(kind, title, slug, None)
    post.created_by = _actor_user(actor)
    post.full_clean()
    post.save()
    _set_links(post, links)
    _reindex(post)
    return post


@transaction.atomic
def post_update(actor: Any, post: Post, **fields: Any) -> Post:
    """Change a post (``content.change_post``; a published one also ``content.publish_post``).

    Moving a post to another city needs the permission in both cities. On a draft,
    ``published_at`` is the wished publication time that the reviewer's publish honours.
    """
    require(actor, "content.change_post", post)
    if post.status == Status.PUBLISHED:
        require(actor, "content.publish_post", post)
    links = {
        name: fields.pop(name) for name in ("tags", "action_fields", "projects") if name in fields
    }
    unknown = set(fields) - set(POST_FIELDS)
    if unknown:
        raise TypeError(f"unknown post fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(post, name, clean_html(value) if name in HTML_FIELDS else value)
    if "city" in fields:
        require(actor, "content.change_post", post)
    if "slug" in fields:
        post.slug = _unique_slug(post.kind, post.title, post.slug, post.pk)
    post.full_clean()
    post.save()
    _set_links(post, links)
    _reindex(post)
    return post


def _transition(post: Post, allowed_from: set[str], to: str) -> None:
    if post.status not in allowed_from:
        raise ValidationError(
            {
                "status": _("A post that is “%(status)s” cannot become “%(to)s”.")
                % {"status": post.get_status_display(), "to": Status(to).label}
            }
        )
    post.status = to


@transaction.atomic
def post_submit(actor: Any, post: Post) -> Post:
    """Hand a draft to the reviewers (draft → in review; ``content.change_post``)."""
    require(actor, "content.change_post", post)
    _transition(post, {Status.DRAFT}, Status.REVIEW)
    post.save(update_fields=["status", "updated_at"])
    return post


@transaction.atomic
def post_publish(actor: Any, post: Post, at: datetime | None = None) -> Post:
    """Publish a post now or at ``at`` (scheduled); ``content.publish_post``.

    A reviewer may publish from review or directly from draft (their own post, say). Without
    ``at``, a wished time in the future set on the post is kept; otherwise it goes out now.
    """
    require(actor, "content.publish_post", post)
    if at is not None and timezone.is_naive(at):
        raise ValidationError({"published_at": _("The publication time needs a time zone.")})
    _transition(post, {Status.DRAFT, Status.REVIEW}, Status.PUBLISHED)
    wished = post.published_at if post.published_at and post.published_at > timezone.now() else None
    post.published_at = at or wished or timezone.now()
    post.reviewed_by = _actor_user(actor)
    post.save(update_fields=["status", "published_at", "reviewed_by", "updated_at"])
    _reindex(post)
    return post


@transaction.atomic
def post_reject(actor: Any, post: Post) -> Post:
    """Send a post in review back to its authors (in review → draft; ``content.publish_post``)."""
    require(actor, "content.publish_post", post)
    _transition(post, {Status.REVIEW}, Status.DRAFT)
    post.save(update_fields=["status", "updated_at"])
    return post


@transaction.atomic
def post_unpublish(actor: Any, post: Post) -> Post:
    """Withdraw a published or scheduled post (→ draft; ``content.publish_post``)."""
    require(actor, "content.publish_post", post)
    _transition(post, {Status.PUBLISHED}, Status.DRAFT)
    post.published_at = None
    post.save(update_fields=["status", "published_at", "updated_at"])
    _reindex(post)
    return post


@transaction.atomic
def post_delete(actor: Any, post: Post) -> None:
    """Delete a post and its images (``content.delete_post``; published: also publish)."""
    require(actor, "content.delete_post", post)
    if post.status == Status.PUBLISHED:
        require(actor, "content.publish_post", post)
    files = [image.file for image in post.images.all()]
    search.remove_object(post, post.kind)
    post.delete()
    transaction.on_commit(lambda: [f.delete(save=False) for f in files])


@transaction.atomic
def post_image_add(
    actor: Any, post: Post, upload: IO[bytes], *, alt_text: str, caption: str = ""
) -> PostImage:
    """Attach an image to a post (``content.change_post``): checked, re-encoded without EXIF."""
    require(actor, "content.change_post", post)
    if post.status == Status.PUBLISHED:
        require(actor, "content.publish_post", post)
    if not (alt_text or "").strip():
        raise ValidationError(
            {"alt_text": _("Describe the image: the alternative text is required.")}
        )
    processed = process_image(upload)
    image = PostImage(
        post=post,
        alt_text=alt_text.strip(),
        caption=caption.strip(),
        content_type=processed.content_type,
        width=processed.width,
        height=processed.height,
        position=post.images.count(),
    )
    image.full_clean(exclude=["file"])
    image.file.save(processed.content.name or "image", processed.content, save=False)
    image.save()
    return image


@transaction.atomic
def post_image_update(actor: Any, image: PostImage) -> PostImage:
    """Save a changed alt text, caption or position of an image (``content.change_post``)."""
    require(actor, "content.change_post", image.post)
    if image.post.status == Status.PUBLISHED:
        require(actor, "content.publish_post", image.post)
    image.alt_text = (image.alt_text or "").strip()
    image.full_clean()
    image.save(update_fields=["alt_text", "caption", "position"])
    return image


@transaction.atomic
def post_image_delete(actor: Any, image: PostImage) -> None:
    """Remove an image from its post (``content.change_post``)."""
    require(actor, "content.change_post", image.post)
    stored = image.file
    image.delete()
    transaction.on_commit(lambda: stored.delete(save=False))


PAGE_FIELDS = (
    "title",
    "body",
    "title_en",
    "body_en",
    "navigation",
    "navigation_order",
    "is_published",
)


@transaction.atomic
def page_save(actor: Any, *, slug: str, city: City | None = None, **fields: Any) -> Page:
    """Create or change the page ``slug`` of ``city`` (or the region).

    Needs ``content.add_page`` for a new page and ``content.change_page`` for an existing one.
    """
    unknown = set(fields) - set(PAGE_FIELDS)
    if unknown:
        raise TypeError(f"unknown page fields: {', '.join(sorted(unknown))}")
    page = Page.objects.select_for_update().filter(city=city, slug=slug).first()
    if page is None:
        page = Page(city=city, slug=slug)
        require(actor, "content.add_page", page)
    else:
        require(actor, "content.change_page", page)
    for name, value in fields.items():
        setattr(page, name, clean_html(value) if name in ("body", "body_en") else value)
    page.updated_by = _actor_user(actor)
    page.full_clean()
    page.save()
    search.index_object(page, "page")
    return page


@transaction.atomic
def page_delete(actor: Any, page: Page) -> None:
    """Delete a page (``content.delete_page``); a footer page falls back to the built-in text."""
    require(actor, "content.delete_page", page)
    search.remove_object(page, "page")
    page.delete()


@transaction.atomic
def document_upload(
    actor: Any,
    *,
    title: str,
    upload: IO[bytes],
    filename: str,
    city: City | None = None,
    description: str = "",
) -> Document:
    """Offer an official document for download (``content.add_document``).

    Allowed are PDF, OpenDocument, Office Open XML and CSV files up to the size limit in
    :mod:`.uploads`; the type is recognised from the content.
    """
    document = Document(city=city, title=title, description=description)
    require(actor, "content.add_document", document)
    data, content_type = check_document(upload, filename)
    name = filename.replace("\\", "/").rsplit("/", 1)[-1][:200]
    document.filename = name
    document.content_type = content_type
    document.size = len(data)
    document.uploaded_by = _actor_user(actor)
    document.full_clean(exclude=["file"])
    document.file.save(name, ContentFile(data), save=False)
    document.save()
    return document


@transaction.atomic
def document_update(
    actor: Any, document: Document, *, title: str, description: str = ""
) -> Document:
    """Change a document's title and description (``content.change_document``)."""
    require(actor, "content.change_document", document)
    document.title = title
    document.description = description
    document.full_clean()
    document.save(update_fields=["title", "description"])
    return document


@transaction.atomic
def document_delete(actor: Any, document: Document) -> None:
    """Withdraw a document (``content.delete_document``)."""
    require(actor, "content.delete_document", document)
    stored = document.file
    document.delete()
    transaction.on_commit(lambda: stored.delete(save=False))


def search_rebuild(actor: Any) -> int:
    """Rebuild the whole search index (``content.rebuild_search``); returns the entry count."""
    require(actor, "content.rebuild_search", None)
    with transaction.atomic():
        return search.rebuild()


def can_publish(user: Any, post: Post) -> bool:
    """Whether ``user`` may publish ``post`` (the views show or hide the buttons)."""
    return has_perm(user, "content.publish_post", post)


__all__ = [
    "can_publish",
    "document_delete",
    "document_update",
    "document_upload",
    "page_delete",
    "page_save",
    "post_create",
    "post_delete",
    "post_image_add",
    "post_image_delete",
    "post_image_update",
    "post_publish",
    "post_reject",
    "post_submit",
    "post_unpublish",
    "post_update",
    "search_rebuild",
]
