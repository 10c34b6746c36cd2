"""Key performance indicators of projects and their dated values."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from dos.portal.strategy.kpi_catalogue import NUMERIC_ATTRIBUTES
from dos.portal.strategy.models.core import Project
from dos.portal.tenancy.models import City


class Kind(models.TextChoices):
    INPUT = "input", _("Input")
    OUTPUT = "output", _("Output")
    OUTCOME = "outcome", _("Outcome")
    IMPACT = "impact", _("Impact")


class Direction(models.TextChoices):
    INCREASE = "increase", _("Higher is better")
    DECREASE = "decrease", _("Lower is better")
    MAINTAIN = "maintain", _("Keep at target")


class Source(models.TextChoices):
    MANUAL = "manual", _("Entered by editors")
    LIVE = "live", _("Computed from the urban data platform")


class Aggregation(models.TextChoices):
    LATEST = "latest", _("Mean of the latest values")
    AVG = "avg", _("Average")
    MIN = "min", _("Minimum")
    MAX = "max", _("Maximum")
    SUM = "sum", _("Sum")
    COUNT = "count", _("Number of entities")
    DAYS_ABOVE = "days_above", _("Days with a maximum at or above the threshold")


class Period(models.TextChoices):
    DAY = "day", _("Last 24 hours")
    WEEK = "week", _("Last 7 days")
    MONTH = "month", _("Last 30 days")
    YEAR = "year", _("This calendar year")
    ALL = "all", _("All time")


class Kpi(models.Model):
    """A key performance indicator of a project, with baseline, target and direction.

    Its values are entered by editors as dated measurements, or — with ``source`` live — are
    computed from the urban data platform by the declared query (entity type, attribute,
    aggregation, period and optionally one city's tenant).
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="kpis")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.OUTPUT)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    baseline = models.DecimalField(
        _("baseline"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    target = models.DecimalField(
        _("target"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    is_key = models.BooleanField(
        _("key figure"), default=False, help_text=_("Shown on the region's home page.")
    )
    source = models.CharField(
        _("source of values"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    entity_type = models.CharField(
        _("entity type"), max_length=100, blank=True, help_text=_("e.g. WeatherObserved")
    )
    attribute = models.CharField(
        _("attribute"), max_length=100, blank=True, help_text=_("e.g. temperature")
    )
    aggregation = models.CharField(
        _("aggregation"), max_length=12, choices=Aggregation.choices, blank=True
    )
    period = models.CharField(_("period"), max_length=8, choices=Period.choices, blank=True)
    threshold = models.DecimalField(
        _("threshold"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    city = models.ForeignKey(
        City,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("city of the data"),
        help_text=_("Empty: the data of every city of the project."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.source != Source.LIVE:
            return
        errors: dict[str, str] = {}
        attributes = NUMERIC_ATTRIBUTES.get(self.entity_type)
        if attributes is None:
            errors["entity_type"] = _("Unknown entity type “%(type)s”.") % {
                "type": self.entity_type
            }
        elif self.aggregation != Aggregation.COUNT and self.attribute not in attributes:
            errors["attribute"] = _("“%(type)s” has no numeric attribute “%(attribute)s”.") % {
                "type": self.entity_type,
                "attribute": self.attribute,
            }
        if not self.aggregation:
            errors["aggregation"] = _("Choose how the values are aggregated.")
        if not self.period:
            errors["period"] = _("Choose the period the values are taken from.")
        if self.aggregation == Aggregation.DAYS_ABOVE and self.threshold is None:
            errors["threshold"] = _("Counting days above a value needs the threshold.")
        if errors:
            raise ValidationError(errors)

    def dos_city_ids(self) -> set[int] | None:
        return self.project.dos_city_ids()

    @property
    def query_label(self) -> str:
        """The declared live query in words, e.g. for the text alternative of a chart."""
        if self.source != Source.LIVE:
            return ""
        return f"{self.entity_type}.{self.attribute} · {self.get_aggregation_display()} · {self.get_period_display()}"

    def achievement(self, value: Decimal | None) -> int | None:
        """How far ``value`` has come from the baseline to the target, 0–100 %."""
        if value is None or self.target is None or self.baseline is None:
            return None
        span = self.target - self.baseline
        if span == 0:
            return 100 if value == self.target else 0
        share = (value - self.baseline) / span * 100
        return int(max(Decimal(0), min(Decimal(100), share)))


class KpiValue(models.Model):
    """One dated measurement of a KPI, entered by an editor or computed live."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="values")
    date = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)
    note = models.CharField(_("note"), max_length=300, blank=True)
    computed = models.BooleanField(_("computed live"), default=False, editable=False)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "date"], name="strategy_kpivalue_one_per_day")
        ]
        verbose_name = _("KPI value")
        verbose_name_plural = _("KPI values")

    def __str__(self) -> str:
        return f"{self.kpi} {self.date}: {self.value}"

    def dos_city_ids(self) -> set[int] | None:
        return self.kpi.dos_city_ids()
