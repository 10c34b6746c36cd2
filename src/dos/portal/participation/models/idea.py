"""Ideas, their public status history, supports and paper signatures, and districts."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dos.portal.participation.models.process import Process
from dos.portal.tenancy.models import City


class IdeaStatus(models.TextChoices):
    """The public life of an idea; every change is recorded as a :class:`StatusChange`."""

    SUBMITTED = "submitted", _("Submitted")
    PRECHECK = "precheck", _("In pre-check")
    COLLECTING = "collecting", _("Collecting supports")
    THRESHOLD_REACHED = "threshold_reached", _("Threshold reached")
    REFERRED = "referred", _("Referred to committee")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    IMPLEMENTED = "implemented", _("Implemented")
    CLOSED = "closed", _("Closed: not enough supports")


#: Statuses a moderator may set by an official answer, from each status.
ANSWER_TRANSITIONS: dict[str, frozenset[str]] = {
    IdeaStatus.SUBMITTED: frozenset({IdeaStatus.PRECHECK, IdeaStatus.DECLINED}),
    IdeaStatus.PRECHECK: frozenset({IdeaStatus.COLLECTING, IdeaStatus.DECLINED}),
    IdeaStatus.COLLECTING: frozenset({IdeaStatus.COLLECTING}),
    IdeaStatus.THRESHOLD_REACHED: frozenset({IdeaStatus.REFERRED}),
    IdeaStatus.REFERRED: frozenset({IdeaStatus.REFERRED, IdeaStatus.ACCEPTED, IdeaStatus.DECLINED}),
    IdeaStatus.ACCEPTED: frozenset({IdeaStatus.ACCEPTED, IdeaStatus.IMPLEMENTED}),
    IdeaStatus.DECLINED: frozenset({IdeaStatus.DECLINED}),
    IdeaStatus.IMPLEMENTED: frozenset({IdeaStatus.IMPLEMENTED}),
    IdeaStatus.CLOSED: frozenset({IdeaStatus.CLOSED}),
}

#: Statuses in which an idea can be supported.
SUPPORTABLE = frozenset({IdeaStatus.COLLECTING})


class District(models.Model):
    """A district of a city with its outline (GeoJSON Polygon or MultiPolygon, WGS 84)."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="districts")
    name = models.CharField(_("name"), max_length=120)
    geometry = models.TextField(_("outline (GeoJSON)"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        constraints = [models.UniqueConstraint(fields=["city", "name"], name="district_unique")]

    def __str__(self) -> str:
        return self.name

    def shape(self):  # type: ignore[no-untyped-def]
        from shapely.geometry import shape

        return shape(json.loads(self.geometry))


def idea_image_path(instance: Idea, filename: str) -> str:
    return f"participation/ideas/{instance.city_id}/{filename}"


class Idea(models.Model):
    """A citizen's idea in a process; public once published and not hidden."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="ideas")
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="ideas")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ideas"
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=5000)
    action_field = models.ForeignKey(
        "strategy.ActionField",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas",
        verbose_name=_("action field"),
    )
    project = models.ForeignKey(
        "strategy.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_ideas",
        verbose_name=_("project"),
        help_text=_("The project an accepted idea became."),
    )
    latitude = models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    district = models.ForeignKey(
        District, on_delete=models.SET_NULL, null=True, blank=True, related_name="ideas"
    )
    image = models.ImageField(_("image"), upload_to=idea_image_path, blank=True)
    image_alt = models.CharField(_("image description"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=IdeaStatus.choices, default=IdeaStatus.SUBMITTED
    )
    published = models.BooleanField(_("published"), default=False)
    hidden = models.BooleanField(_("hidden by moderation"), default=False)
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)
    support_count = models.PositiveIntegerField(_("supports"), default=0, editable=False)
    support_deadline = models.DateTimeField(_("supports due by"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        indexes = [models.Index(fields=["process", "published", "hidden", "status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("participation:idea", kwargs={"pk": self.pk})

    @property
    def is_public(self) -> bool:
        return self.published and not self.hidden


class StatusChange(models.Model):
    """One step of an idea's public status history, with the official answer given with it."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(_("status"), max_length=20, choices=IdeaStatus.choices)
    answer = models.TextField(_("official answer"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status history")

    def __str__(self) -> str:
        return f"{self.idea}: {self.get_status_display()}"

    def dos_city_ids(self) -> set[int]:
        return {self.idea.city_id}


class Support(models.Model):
    """A verified user's support of an idea (at most one per user and idea)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_supports"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [models.UniqueConstraint(fields=["idea", "user"], name="support_once")]

    def __str__(self) -> str:
        return f"{self.user} → {self.idea}"


class PaperSignature(models.Model):
    """Signatures collected on paper, added by a moderator with a count and a note."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="paper_signatures")
    count = models.PositiveIntegerField(
        _("number of signatures"), validators=[MinValueValidator(1), MaxValueValidator(100000)]
    )
    note = models.CharField(_("note"), max_length=300)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("paper signatures")
        verbose_name_plural = _("paper signatures")

    def __str__(self) -> str:
        return f"{self.count} × {self.idea}"

    def dos_city_ids(self) -> set[int]:
        return {self.idea.city_id}
