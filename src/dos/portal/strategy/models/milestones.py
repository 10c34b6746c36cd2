"""Milestones of a project."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from dos.portal.strategy.models.core import Project


class Milestone(models.Model):
    """A step of a project with its planned and, once reached, its actual date."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    planned_date = models.DateField(_("planned date"))
    actual_date = models.DateField(_("actual date"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)

    class Meta:
        ordering = ["planned_date", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.done and not self.actual_date:
            raise ValidationError({"actual_date": _("Enter the date the milestone was reached.")})
        if self.actual_date and not self.done:
            raise ValidationError({"done": _("A milestone with an actual date is done.")})

    def dos_city_ids(self) -> set[int] | None:
        return self.project.dos_city_ids()

    @property
    def delay_days(self) -> int | None:
        """Days between planned and actual date (positive: late)."""
        if self.actual_date is None:
            return None
        return (self.actual_date - self.planned_date).days
