"""The change history of the strategy."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChangeRecord(models.Model):
    """One recorded change of a strategy object: who, when and what changed.

    ``subject`` names the object whose state is tracked (``project:12``, ``strategy:1``,
    ``actionfield:3``, ``evaluationround:2``); a change to a milestone, KPI, KPI value or
    evaluation is recorded on its project. ``snapshot`` is the subject's complete state after
    the change, so that a project can be compared with its state at any date.
    """

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        CHANGED = "changed", _("changed")
        DELETED = "deleted", _("deleted")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_label = models.CharField(_("who"), max_length=200)
    subject = models.CharField(_("object"), max_length=60, db_index=True)
    subject_label = models.CharField(_("object"), max_length=300)
    project = models.ForeignKey(
        "strategy.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="change_records",
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    changes = models.JSONField(_("what changed"), default=list)
    snapshot = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("change record")
        verbose_name_plural = _("change records")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label}: {self.subject_label}"

    def dos_city_ids(self) -> set[int] | None:
        return self.project.dos_city_ids() if self.project_id else None
