"""The latest sensor values the broker notified the portal of (the map's live channel).

Every ``dos serve`` process and every worker shares this table through the portal database,
so a notification received by one process reaches the map pages served by any other.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LiveValue(models.Model):
    """The latest notified values of one sensor entity of a city's tenant."""

    tenant = models.CharField(_("tenant"), max_length=100)
    entity_id = models.CharField(_("entity id"), max_length=300)
    entity_type = models.CharField(_("entity type"), max_length=100)
    values = models.JSONField(_("values"), default=dict)
    observed_at = models.DateTimeField(_("observed at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "entity_id"], name="dashboards_livevalue_one_per_entity"
            )
        ]
        indexes = [models.Index(fields=["tenant", "received_at"])]
        verbose_name = _("live value")
        verbose_name_plural = _("live values")

    def __str__(self) -> str:
        return f"{self.tenant} {self.entity_id}"
