"""Processes, their phases and the per-city participation rules."""

from __future__ import annotations

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dos.portal.participation import phases
from dos.portal.tenancy.models import City


class CityRules(models.Model):
    """A city's participation rules: pre-check of content and the support threshold."""

    city = models.OneToOneField(City, on_delete=models.CASCADE, related_name="participation_rules")
    precheck_ideas = models.BooleanField(
        _("pre-check ideas"),
        default=True,
        help_text=_("Ideas are published only after a moderator has checked them."),
    )
    precheck_comments = models.BooleanField(
        _("pre-check comments"),
        default=False,
        help_text=_("Comments are published only after a moderator has checked them."),
    )
    support_threshold = models.PositiveIntegerField(
        _("supports needed"), default=75, validators=[MinValueValidator(1)]
    )
    support_weeks = models.PositiveIntegerField(
        _("weeks to collect supports"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(104)],
    )

    class Meta:
        verbose_name = _("participation rules")
        verbose_name_plural = _("participation rules")

    def __str__(self) -> str:
        return str(_("Participation rules of %(city)s") % {"city": self.city})

    @classmethod
    def for_city(cls, city: City) -> CityRules:
        """The city's rules, created with the defaults when the city has none yet."""
        rules, _created = cls.objects.get_or_create(city=city)
        return rules


class Process(models.Model):
    """A participation process of a city, or of the whole region when ``city`` is empty."""

    city = models.ForeignKey(
        City,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="processes",
        help_text=_("Empty: a process of the whole region."),
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("process")
        verbose_name_plural = _("processes")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("participation:process", kwargs={"slug": self.slug})

    def dos_city_ids(self) -> set[int] | None:
        return {self.city_id} if self.city_id else None

    def phase_on(self, day: datetime.date | None = None) -> Phase | None:
        """The phase running on ``day`` (today by default), or None between phases."""
        day = day or timezone.localdate()
        for phase in self.phases.all():
            if phase.starts_on <= day <= phase.ends_on:
                return phase
        return None

    @property
    def current_phase(self) -> Phase | None:
        if not hasattr(self, "_current_phase"):
            self._current_phase = self.phase_on()
        return self._current_phase

    def allows(self, what: str) -> bool:
        """Whether the current phase lets citizens do ``what`` (see :mod:`phases`)."""
        phase = self.current_phase
        return phases.allows(phase.kind if phase else None, what)


class Phase(models.Model):
    """A dated phase of a process; its kind says what citizens can do in it."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("kind"), max_length=20, choices=phases.PHASE_CHOICES)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="phase_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.starts_on}–{self.ends_on})"

    def dos_city_ids(self) -> set[int] | None:
        return self.process.dos_city_ids()

    @property
    def what_citizens_can_do(self) -> str:
        return str(phases.DESCRIPTIONS[self.kind])
