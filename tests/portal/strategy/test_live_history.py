"""Live KPIs over the history of a real in-process broker (NGSI-LD temporal API): days at
or above a threshold, and average/minimum/maximum over every value of the period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync

from dos.broker.client import BrokerClient
from dos.config import load
from dos.portal.accounts.permissions import SYSTEM
from dos.portal.strategy import actions, live
from tests.factories import dortmund, schwerte
from tests.portal.strategy.factories import ProjectFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 7, 15, 12, tzinfo=dt.UTC)
Write = Callable[[str, str, float, dt.datetime], None]


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[tuple[BrokerClient, Write]]:
    """A fresh broker and a writer of one temperature measure (entity upsert → history)."""
    from dos.broker import app as broker_app
    from dos.broker.store.sqlite import SqliteStore

    store = SqliteStore(tmp_path / "broker.sqlite3")
    store.migrate()
    app = broker_app.create_app(load({"DOS_DATA_DIR": str(tmp_path)}), store=store)
    client = BrokerClient(app=app)

    def write(tenant: str, station: str, value: float, at: dt.datetime) -> None:
        entity: dict[str, Any] = {
            "id": f"urn:ngsi-ld:WeatherObserved:{station}",
            "type": "WeatherObserved",
            "temperature": {
                "type": "Property",
                "value": value,
                "observedAt": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        }
        async_to_sync(client.upsert_entities)([entity], tenant=tenant, update=True)

    yield client, write
    async_to_sync(client.aclose)()
    store.close()


def _kpi(aggregation: str = "days_above", period: str = "year", **fields: Any) -> Any:
    project = fields.pop("project", None) or ProjectFactory(cities=[dortmund(), schwerte()])
    return actions.kpi_create(
        SYSTEM,
        project,
        name="Hitzetage ≥ 30 °C an den Klimastationen",
        unit="Tage",
        source="live",
        entity_type="WeatherObserved",
        attribute="temperature",
        aggregation=aggregation,
        period=period,
        threshold=30 if aggregation == "days_above" else None,
        **fields,
    )


def _july(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, 7, day, hour, tzinfo=dt.UTC)


def _five_days(write: Write) -> None:
    """Five days in two cities; the days 1, 3 and 5 reach 30 °C at some station."""
    for day, a, b in ((1, 31.0, 32.0), (2, 29.0, 27.0), (3, 28.0, 30.0), (4, 26.0, 25.0)):
        write("dortmund", "a", a, _july(day))
        write("dortmund", "a", 18.0, _july(day, 22))
        write("schwerte", "b", b, _july(day, 14))
    write("schwerte", "b", 35.0, _july(5))


def test_hot_days_are_counted_once_across_stations_and_cities(broker) -> None:
    client, write = broker
    _five_days(write)
    kpi = _kpi()
    assert live.compute(kpi, client, NOW) == Decimal(3)
    entry = actions.kpi_refresh(SYSTEM, kpi, client, today=dt.date(2026, 7, 15))
    assert entry is not None and entry.value == Decimal(3) and entry.computed
    assert kpi.values.get().value == Decimal(3)


def test_the_period_bounds_the_days(broker) -> None:
    client, write = broker
    _five_days(write)
    write("dortmund", "a", 36.0, dt.datetime(2025, 12, 31, 22, 30, tzinfo=dt.UTC))  # 23:30 CET
    write("dortmund", "a", 33.0, dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC))  # 00:30 CET
    write("dortmund", "a", 40.0, _july(16))  # after now
    assert live.compute(_kpi(), client, NOW) == Decimal(4)  # 1 January local counts, 31 Dec not
    assert live.compute(_kpi(period="week"), client, NOW) is None  # no value in the week
    write("dortmund", "a", 22.0, _july(10))
    assert live.compute(_kpi(period="week"), client, NOW) == Decimal(0)  # values, none hot
    assert live.compute(_kpi(period="week"), client, _july(6)) == Decimal(3)
    assert live.compute(_kpi(period="all"), client, _july(17)) == Decimal(
        6
    )  # 31 Dec, 1 Jan, 1, 3, 5 and 16 July


def test_no_value_in_the_period_is_none(broker) -> None:
    client, write = broker
    write("dortmund", "a", 31.0, dt.datetime(2025, 7, 1, 12, tzinfo=dt.UTC))
    kpi = _kpi()
    assert live.compute(kpi, client, NOW) is None
    assert actions.kpi_refresh(SYSTEM, kpi, client) is None
    assert not kpi.values.exists()


def test_tenants_do_not_see_each_other(broker) -> None:
    client, write = broker
    _five_days(write)
    write("unna", "c", 39.0, _july(2))
    write("unna", "c", 39.0, _july(4))
    assert live.compute(_kpi(), client, NOW) == Decimal(3)
    assert live.compute(_kpi(city=dortmund()), client, NOW) == Decimal(1)
    assert live.compute(_kpi(city=schwerte()), client, NOW) == Decimal(3)


def test_average_minimum_maximum_take_every_value_of_the_period_sum_the_current_ones(
    broker,
) -> None:
    client, write = broker
    write("dortmund", "a", 50.0, _july(13))  # before the last 24 hours
    write("dortmund", "a", 20.0, _july(14, 13))
    write("dortmund", "a", 22.0, _july(15, 9))  # latest of a
    write("schwerte", "b", 27.0, _july(15, 10))
    assert live.compute(_kpi("avg", "day"), client, NOW) == Decimal(23)  # (20+22+27)/3
    assert live.compute(_kpi("min", "day"), client, NOW) == Decimal(20)
    assert live.compute(_kpi("max", "day"), client, NOW) == Decimal(27)
    assert live.compute(_kpi("sum", "day"), client, NOW) == Decimal(49)  # current: 22 + 27
    assert live.compute(_kpi("max", "week"), client, NOW) == Decimal(50)
    assert live.compute(_kpi("latest", "day"), client, NOW) == Decimal("24.5")  # 22 and 27
    assert live.compute(_kpi("avg", "day"), client, _july(1)) is None
