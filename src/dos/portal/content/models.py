"""News and blog posts, their images and tags, editable pages, official documents, search index."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dos.portal.tenancy.models import City
from dos.portal.web.translated import EnglishVersion


class Tag(models.Model):
    """A keyword that groups posts across cities (e.g. "Sensorik", "Beteiligung")."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True, allow_unicode=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class PostQuerySet(models.QuerySet["Post"]):
    def visible(self, now: datetime | None = None) -> PostQuerySet:
        """Published posts whose publication time has come (scheduled ones stay hidden)."""
        return self.filter(status=Post.Status.PUBLISHED, published_at__lte=now or timezone.now())

    def for_city(self, city: City | None) -> PostQuerySet:
        """A city's own posts and the region-wide ones; all posts for the region (no city)."""
        if city is None:
            return self
        return self.filter(models.Q(city=city) | models.Q(city__isnull=True))


class Post(EnglishVersion, models.Model):
    """A news item or blog post of one city or of the whole region (``city`` empty).

    Workflow: draft → in review → published. A published post with ``published_at`` in the
    future is scheduled: it stays invisible (lists, detail, feeds, search) until that time.
    Title, teaser and text may have an English version (``*_en``, see :class:`EnglishVersion`).
    """

    english_fields = ("title", "teaser", "body")

    class Kind(models.TextChoices):
        NEWS = "news", _("News")
        BLOG = "blog", _("Blog")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NEWS)
    city = models.ForeignKey(
        City,
        verbose_name=_("city"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
        help_text=_("Empty: the post belongs to the whole region."),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200)
    teaser = models.TextField(_("teaser"), max_length=600)
    body = models.TextField(
        _("text"), blank=True, help_text=_("Rich text; unsafe markup is removed.")
    )
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    teaser_en = models.TextField(_("teaser (English)"), max_length=600, blank=True)
    body_en = models.TextField(
        _("text (English)"), blank=True, help_text=_("Rich text; unsafe markup is removed.")
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="posts")
    action_fields = models.ManyToManyField(
        "strategy.ActionField", verbose_name=_("action fields"), blank=True, related_name="posts"
    )
    projects = models.ManyToManyField(
        "strategy.Project", verbose_name=_("projects"), blank=True, related_name="posts"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        help_text=_("A time in the future schedules the publication."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [models.UniqueConstraint(fields=["kind", "slug"], name="post_kind_slug")]
        indexes = [models.Index(fields=["kind", "status", "published_at"])]

    def __str__(self) -> str:
        return self.title

    def dos_city_ids(self) -> set[int] | None:
        return {self.city_id} if self.city_id else None

    @property
    def is_visible(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    def get_absolute_url(self) -> str:
        name = f"content:{self.kind}_detail"
        if self.city_id:
            return reverse(f"city_{name}", kwargs={"city": self.city.slug, "slug": self.slug})
        return reverse(name, kwargs={"slug": self.slug})


class PostImage(models.Model):
    """An image of a post, re-encoded without metadata (EXIF); the alt text is required."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(_("file"), upload_to="content/images/%Y/")
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    alt_text = models.CharField(
        _("alternative text"),
        max_length=300,
        help_text=_("Describes the image for people who cannot see it."),
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self) -> str:
        return self.alt_text

    def dos_city_ids(self) -> set[int] | None:
        return self.post.dos_city_ids()

    def get_absolute_url(self) -> str:
        return reverse("content:image", kwargs={"pk": self.pk})


class Page(models.Model):
    """An editable page (imprint, privacy, accessibility statement, about the strategy …).

    A region page whose slug is one of the footer pages (``imprint``, ``privacy``,
    ``accessibility``, ``licence``) replaces the built-in text of that footer link.
    """

    class Navigation(models.TextChoices):
        NONE = "none", _("Not in the navigation")
        MAIN = "main", _("Main navigation")

    city = models.ForeignKey(
        City,
        verbose_name=_("city"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pages",
        help_text=_("Empty: a page of the whole region."),
    )
    slug = models.SlugField(_("slug"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Rich text; unsafe markup is removed."))
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    navigation = models.CharField(
        _("navigation position"), max_length=10, choices=Navigation.choices, default=Navigation.NONE
    )
    navigation_order = models.PositiveIntegerField(_("order in the navigation"), default=50)
    is_published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["navigation_order", "title"]
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        constraints = [
            models.UniqueConstraint(fields=["city", "slug"], name="page_city_slug"),
            models.UniqueConstraint(
                fields=["slug"], condition=models.Q(city=None), name="page_region_slug"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def dos_city_ids(self) -> set[int] | None:
        return {self.city_id} if self.city_id else None

    def localized(self, language: str | None) -> tuple[str, str]:
        """Title and body in ``language`` (English when written, German otherwise)."""
        if language == "en" and self.body_en:
            return self.title_en or self.title, self.body_en
        return self.title, self.body

    def get_absolute_url(self) -> str:
        from dos.portal.content.pages import FOOTER_ROUTES

        if self.city_id is None and self.slug in FOOTER_ROUTES:
            return reverse(FOOTER_ROUTES[self.slug])
        if self.city_id:
            return reverse(
                "city_content:page_detail", kwargs={"city": self.city.slug, "slug": self.slug}
            )
        return reverse("content:page_detail", kwargs={"slug": self.slug})


class Document(models.Model):
    """An official document offered for download (e.g. the adopted strategy as PDF)."""

    city = models.ForeignKey(
        City,
        verbose_name=_("city"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        help_text=_("Empty: a document of the whole region."),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    file = models.FileField(_("file"), upload_to="content/documents/%Y/")
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title

    def dos_city_ids(self) -> set[int] | None:
        return {self.city_id} if self.city_id else None

    @property
    def type_label(self) -> str:
        from dos.portal.content.uploads import DOCUMENT_TYPES

        spec = DOCUMENT_TYPES.get(self.content_type)
        return spec.label if spec else self.content_type

    def get_absolute_url(self) -> str:
        return reverse("content:document_download", kwargs={"pk": self.pk})


class SearchEntry(models.Model):
    """One searchable object (post, page, project …) as the search index stores it.

    The text columns feed the engine's full-text index: on SQLite an FTS5 table over the
    ``stemmed_*`` columns (German Snowball stems computed in Python), on PostgreSQL a generated
    ``tsvector`` column (``to_tsvector('german', …)``). See :mod:`dos.portal.content.search`.
    """

    kind = models.CharField(max_length=30)
    object_id = models.CharField(max_length=64)
    city = models.ForeignKey(
        City, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    stemmed_title = models.TextField(blank=True)
    stemmed_body = models.TextField(blank=True)
    url = models.CharField(max_length=500)
    visible_from = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="searchentry_object")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"
