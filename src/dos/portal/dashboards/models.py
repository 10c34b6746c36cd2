"""What the dashboards keep in the portal database, shared by every process.

- :class:`LiveValue`: the latest sensor values the broker notified the portal of (the map's
  live channel), so a notification received by one process reaches the map pages served by
  any other.
- :class:`OccupancyHour`: the occupied and observed spot-seconds of one car park in one hour,
  computed once from the spots' history so that typical occupancy needs only the new hours.
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


class OccupancyHour(models.Model):
    """Occupied and observed spot-seconds of one car park of a city's tenant in one UTC hour."""

    tenant = models.CharField(_("tenant"), max_length=100)
    car_park = models.CharField(_("car park"), max_length=200)
    hour = models.DateTimeField(_("hour (start, UTC)"))
    occupied = models.FloatField(_("occupied spot-seconds"))
    observed = models.FloatField(_("observed spot-seconds"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "car_park", "hour"], name="dashboards_occupancyhour_one_per_hour"
            )
        ]
        indexes = [models.Index(fields=["tenant", "hour"])]
        verbose_name = _("occupancy hour")
        verbose_name_plural = _("occupancy hours")

    def __str__(self) -> str:
        return f"{self.tenant} {self.car_park} {self.hour:%Y-%m-%d %H}:00"
