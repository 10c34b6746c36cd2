"""Series: weekly and monthly dates with a count or a last date, in local wall-clock time."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dos.portal.accounts.permissions import SYSTEM
from dos.portal.accounts.roles import EDITOR
from dos.portal.events import actions
from dos.portal.events.models import Event, EventSeries
from dos.portal.strategy.models import ActionField
from tests.factories import schwerte, user_with_role
from tests.portal.events.factories import EventFactory

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def test_weekly_series_keeps_the_local_time_across_summer_time() -> None:
    start = datetime(2030, 3, 19, 18, 0, tzinfo=BERLIN)  # DST starts 31 March 2030
    first = EventFactory(slug="offenes-labor", starts_at=start, ends_at=start.replace(hour=20))
    field = ActionField.objects.create(code="BT", slug="bildung", name="Bildung")
    first.action_fields.add(field)
    series = EventSeries(title="Offenes Labor", frequency="weekly", count=4)
    dates = actions.series_generate(SYSTEM, first, series)
    assert [timezone.localtime(e.starts_at, BERLIN).strftime("%d.%m. %H:%M") for e in dates] == [
        "19.03. 18:00",
        "26.03. 18:00",
        "02.04. 18:00",
        "09.04. 18:00",
    ]
    assert all(timezone.localtime(e.ends_at, BERLIN).hour == 20 for e in dates)
    assert Event.objects.filter(series=series).count() == 4
    assert list(dates[3].action_fields.all()) == [field]
    assert dates[2].slug == "offenes-labor-2030-04-02"
    # running it again updates instead of duplicating
    actions.series_generate(SYSTEM, first, series)
    assert Event.objects.filter(series=series).count() == 4


def test_monthly_series_until_a_date() -> None:
    start = datetime(2030, 1, 10, 17, 0, tzinfo=BERLIN)
    first = EventFactory(starts_at=start, ends_at=start.replace(hour=19))
    series = EventSeries(title="Sensor-Bautag", frequency="monthly", until=date(2030, 4, 30))
    dates = actions.series_generate(SYSTEM, first, series)
    assert [timezone.localtime(e.starts_at, BERLIN).date() for e in dates] == [
        date(2030, 1, 10),
        date(2030, 2, 10),
        date(2030, 3, 10),
        date(2030, 4, 10),
    ]


def test_series_needs_count_or_until_and_the_permission() -> None:
    first = EventFactory()
    with pytest.raises(ValidationError, match="Anzahl der Termine"):
        actions.series_generate(SYSTEM, first, EventSeries(title="x", frequency="weekly"))
    with pytest.raises(PermissionDenied):
        actions.series_generate(
            user_with_role(EDITOR, schwerte()),
            first,
            EventSeries(title="x", frequency="weekly", count=2),
        )
    assert not EventSeries.objects.exists()
