"""Venues, events (single or part of a series) and registrations with a waiting list."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dos.portal.strategy.models import ActionField, Project
from dos.portal.tenancy.models import City
from dos.portal.web.translated import EnglishVersion


class Venue(EnglishVersion, models.Model):
    """A place where events happen, e.g. the Citizen Science Lab “Projektor” in Dortmund.

    The accessibility fields are yes/no/unknown (``None`` = not checked yet), so the page never
    claims step-free access nobody has verified. Name, description and accessibility notes
    may have an English version (``*_en``).
    """

    english_fields = ("name", "description", "accessibility_notes")

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="venues")
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    address = models.CharField(_("address"), max_length=300)
    latitude = models.FloatField(
        _("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    website = models.URLField(_("website"), blank=True)
    step_free_access = models.BooleanField(_("step-free access"), null=True, blank=True)
    accessible_toilet = models.BooleanField(_("accessible toilet"), null=True, blank=True)
    induction_loop = models.BooleanField(_("induction loop"), null=True, blank=True)
    accessibility_notes = models.TextField(
        _("accessibility notes"),
        blank=True,
        help_text=_("E.g. entrance, lift, parking for disabled people, quiet room."),
    )
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    accessibility_notes_en = models.TextField(_("accessibility notes (English)"), blank=True)

    class Meta:
        ordering = ["city__position", "name"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/{self.city.slug}/veranstaltungen/orte/{self.slug}/"


class EventSeries(EnglishVersion, models.Model):
    """A recurrence rule (weekly or monthly, with a count or an end date) whose occurrences
    are generated as ordinary events copied from the series' first event."""

    english_fields = ("title",)

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("weekly")
        MONTHLY = "monthly", _("monthly")

    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    interval = models.PositiveSmallIntegerField(
        _("interval"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Every n-th week or month."),
    )
    count = models.PositiveSmallIntegerField(
        _("number of dates"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(104)],
    )
    until = models.DateField(_("last date"), null=True, blank=True)

    class Meta:
        verbose_name = _("event series")
        verbose_name_plural = _("event series")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if (self.count is None) == (self.until is None):
            raise ValidationError(
                _("Give either the number of dates or the last date of the series.")
            )

    def dos_city_ids(self) -> set[int] | None:
        first = self.events.order_by("starts_at").first()
        return {first.city_id} if first and first.city_id else None


class EventQuerySet(models.QuerySet["Event"]):
    def published(self) -> EventQuerySet:
        return self.filter(status=Event.Status.PUBLISHED)

    def upcoming(self) -> EventQuerySet:
        """Published events that have not ended yet, soonest first."""
        return self.published().filter(ends_at__gte=timezone.now()).order_by("starts_at", "pk")


class Event(EnglishVersion, models.Model):
    """An event at a venue or online, of one city or (without a city) of the whole region.

    ``organiser`` names a department or role (“Smart City Office Dortmund”), never a person.
    ``capacity`` empty means unlimited; ``waiting_list_limit`` 0 means no waiting list.
    Title, summary and description may have an English version (``*_en``).
    """

    english_fields = ("title", "summary", "description")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        help_text=_("Empty: an event of the whole region."),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Simple HTML; scripts and images are removed.")
    )
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary_en = models.CharField(_("summary (English)"), max_length=300, blank=True)
    description_en = models.TextField(
        _("description (English)"),
        blank=True,
        help_text=_("Simple HTML; scripts and images are removed."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    venue = models.ForeignKey(
        Venue,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("venue"),
    )
    online_url = models.URLField(_("online link"), blank=True)
    organiser = models.CharField(
        _("organiser"),
        max_length=200,
        help_text=_("A department or role, e.g. Smart City Office Dortmund – not a person."),
    )
    action_fields = models.ManyToManyField(
        ActionField, blank=True, related_name="events", verbose_name=_("action fields")
    )
    projects = models.ManyToManyField(
        Project, blank=True, related_name="events", verbose_name=_("projects")
    )
    registration_required = models.BooleanField(_("registration required"), default=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    waiting_list_limit = models.PositiveIntegerField(
        _("waiting list places"), default=20, help_text=_("0: no waiting list.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    series = models.ForeignKey(
        EventSeries,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("series"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        if self.city_id:
            return f"/{self.city.slug}/veranstaltungen/{self.slug}/"
        return f"/veranstaltungen/{self.slug}/"

    def clean(self) -> None:
        errors: dict[str, str] = self.english_errors()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The end must be after the start.")
        if not self.venue_id and not self.online_url:
            errors["venue"] = _("Choose a venue or give an online link.")
        if self.venue_id and self.city_id and self.venue.city_id != self.city_id:
            errors["venue"] = _("The venue lies in another city than the event.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def seats_left(self) -> int | None:
        """Free seats (``None``: unlimited); uses the ``seats_taken`` annotation of lists."""
        if self.capacity is None:
            return None
        taken = getattr(self, "seats_taken", None)
        if taken is None:
            taken = self.registrations.confirmed().count()
        return max(self.capacity - taken, 0)


class RegistrationQuerySet(models.QuerySet["Registration"]):
    def active(self) -> RegistrationQuerySet:
        return self.exclude(status=Registration.Status.CANCELLED)

    def confirmed(self) -> RegistrationQuerySet:
        return self.filter(status=Registration.Status.CONFIRMED)

    def waiting(self) -> RegistrationQuerySet:
        """The waiting list, first come first served."""
        return self.filter(status=Registration.Status.WAITING).order_by("waiting_since", "pk")


class Registration(models.Model):
    """A user's registration for an event: a seat, a place on the waiting list, or cancelled.

    One row per user and event; registering again after cancelling reuses it.
    """

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        WAITING = "waiting", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    waiting_since = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="registration_once_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.event} – {self.user}"

    def dos_city_ids(self) -> set[int] | None:
        return {self.event.city_id} if self.event.city_id else None
