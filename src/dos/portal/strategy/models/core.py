"""Action fields and projects (measures) of the strategy."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dos.portal.tenancy.models import City, hex_colour
from dos.portal.web.translated import EnglishVersion

SDG_NAMES = {
    1: _("No poverty"),
    2: _("Zero hunger"),
    3: _("Good health and well-being"),
    4: _("Quality education"),
    5: _("Gender equality"),
    6: _("Clean water and sanitation"),
    7: _("Affordable and clean energy"),
    8: _("Decent work and economic growth"),
    9: _("Industry, innovation and infrastructure"),
    10: _("Reduced inequalities"),
    11: _("Sustainable cities and communities"),
    12: _("Responsible consumption and production"),
    13: _("Climate action"),
    14: _("Life below water"),
    15: _("Life on land"),
    16: _("Peace, justice and strong institutions"),
    17: _("Partnerships for the goals"),
}


class Phase(models.TextChoices):
    IDEA = "idea", _("Idea")
    PLANNING = "planning", _("Planning")
    IMPLEMENTATION = "implementation", _("Implementation")
    EVALUATION = "evaluation", _("Evaluation")
    INTEGRATED = "integrated", _("Integrated into regular operations")
    STOPPED = "stopped", _("Stopped")


class Status(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    DELAYED = "delayed", _("Delayed")
    DONE = "done", _("Done")


class SustainableDevelopmentGoal(models.Model):
    """One of the 17 UN Sustainable Development Goals (rows 1–17 created by a migration)."""

    number = models.PositiveSmallIntegerField(
        _("number"), primary_key=True, validators=[MinValueValidator(1), MaxValueValidator(17)]
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("sustainable development goal")
        verbose_name_plural = _("sustainable development goals")

    def __str__(self) -> str:
        return f"SDG {self.number}: {self.name}"

    @property
    def name(self) -> str:
        return str(SDG_NAMES.get(self.number, ""))


class ActionField(EnglishVersion, models.Model):
    """A field of action (Handlungsfeld) grouping the strategy's projects, e.g. “Daten und
    Plattformen”. Region-level: only region-wide editors change them. Name and description
    may have an English version (``*_en``)."""

    english_fields = ("name", "description")

    code = models.CharField(
        _("code"), max_length=10, unique=True, help_text=_("Short code, e.g. ZM.")
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    colour = models.CharField(_("colour"), max_length=7, default="#1a5f9e", validators=[hex_colour])
    icon = models.CharField(
        _("icon"), max_length=40, blank=True, help_text=_("Name of an icon, e.g. database.")
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("action field")
        verbose_name_plural = _("action fields")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("strategy:action_field", args=[self.slug])

    def dos_city_ids(self) -> None:
        """Action fields belong to the whole region."""
        return None


class Project(EnglishVersion, models.Model):
    """A project or measure (Maßnahme) of the strategy with its current state.

    ``cities`` empty means the project belongs to the whole region; several cities make it a
    joint project that every one of these cities' editors may maintain. Title, summary and
    description may have an English version (``*_en``).
    """

    english_fields = ("title", "summary", "description")

    code = models.CharField(
        _("code"), max_length=20, unique=True, help_text=_("e.g. ZM 01 or DP 03.")
    )
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=600, blank=True)
    description = models.TextField(_("description"), blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary_en = models.TextField(_("summary (English)"), max_length=600, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    action_fields = models.ManyToManyField(
        ActionField, related_name="projects", verbose_name=_("action fields")
    )
    cities = models.ManyToManyField(
        City,
        blank=True,
        related_name="strategy_projects",
        verbose_name=_("cities"),
        help_text=_("Empty: the whole region. Several cities: a joint project."),
    )
    lead_department = models.CharField(_("lead department"), max_length=200, blank=True)
    partners = models.TextField(_("partners"), blank=True, help_text=_("One partner per line."))
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, default=Phase.IDEA)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ON_TRACK
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget (€)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    federally_funded = models.BooleanField(_("federally funded"), default=False)
    funding_programme = models.CharField(_("funding programme"), max_length=200, blank=True)
    funding_amount = models.DecimalField(
        _("funding amount (€)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    sdg_goals = models.ManyToManyField(
        SustainableDevelopmentGoal,
        blank=True,
        related_name="projects",
        verbose_name=_("sustainable development goals"),
    )
    contact_email = models.EmailField(
        _("contact e-mail"),
        blank=True,
        help_text=_("A role address such as smartcity@city.example, not a person's address."),
    )
    is_example = models.BooleanField(
        _("example"),
        default=False,
        help_text=_("Marks an illustrative project that is not part of the adopted strategy."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("strategy:project", args=[self.slug])

    def clean(self) -> None:
        super().clean()
        dates = (self.start_date, self.end_date)
        # Unreadable dates are reported by clean_fields; compare only real dates here.
        if all(isinstance(d, dt.date) for d in dates) and dates[1] < dates[0]:
            raise ValidationError(
                {"end_date": _("The end date must not be before the start date.")}
            )
        if self.funding_amount and not self.funding_programme:
            raise ValidationError(
                {"funding_programme": _("Name the programme that provides the funding.")}
            )

    def dos_city_ids(self) -> set[int] | None:
        """The project's cities; ``None`` for a project of the whole region."""
        if self.pk is None:
            return None
        ids = {city.pk for city in self.cities.all()}
        return ids or None

    @property
    def partner_list(self) -> list[str]:
        return [line.strip() for line in self.partners.splitlines() if line.strip()]


class ProjectImage(models.Model):
    """A picture of a project; the alternative text is required for accessibility."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("image"), upload_to="strategy/projects/")
    alt_text = models.CharField(_("alternative text"), max_length=300)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("project image")
        verbose_name_plural = _("project images")

    def __str__(self) -> str:
        return self.alt_text

    def dos_city_ids(self) -> set[int] | None:
        return self.project.dos_city_ids()


class ProjectLink(models.Model):
    """A link to more about a project (city website, repository, report)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="links")
    label = models.CharField(_("label"), max_length=200)
    url = models.URLField(_("address"), max_length=500)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("project link")
        verbose_name_plural = _("project links")

    def __str__(self) -> str:
        return self.label

    def dos_city_ids(self) -> set[int] | None:
        return self.project.dos_city_ids()
