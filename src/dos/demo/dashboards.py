"""The dashboards' stored figures: the typical parking occupancy of the backfilled weeks, so
the first visitor of a parking dashboard does not wait for four weeks of spot history."""

from __future__ import annotations

import time
from typing import Any


def load(say: Any) -> None:
    """Compute (or bring up to date) the stored occupancy hours of every city with parking."""
    from dos.portal.dashboards import occupancy, sensors
    from dos.portal.tenancy.models import City

    for city in City.objects.order_by("slug"):
        spots = sensors.sensors_of([city.tenant], ("ParkingSpot",))
        if not spots:
            continue
        started = time.perf_counter()
        start, end = occupancy.window(sensors.now())
        hours = occupancy.store_hours(city.tenant, spots, start, end)
        say(
            f"dashboards: typical parking occupancy of {city.slug}: {hours} hours of "
            f"{len(spots)} spots computed ({time.perf_counter() - started:.1f} s)"
        )
