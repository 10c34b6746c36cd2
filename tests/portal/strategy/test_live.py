"""Live KPIs computed through a broker client, and KPIs published as NGSI-LD entities."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dos.portal.accounts.permissions import SYSTEM
from dos.portal.accounts.roles import EDITOR
from dos.portal.strategy import actions, live
from tests.factories import CityFactory, UserFactory, dortmund, schwerte, user_with_role
from tests.portal.strategy.factories import ProjectFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 7, 15, 12, tzinfo=dt.UTC)


class FakeBroker:
    """Answers like dos.broker.client.BrokerClient from a dict tenant → entities."""

    def __init__(self, data):
        self.data = data
        self.queries = []
        self.upserted = {}

    async def query_entities(self, *, tenant="", type=None, attrs=None, limit=100, offset=0):
        self.queries.append((tenant, type, attrs))
        found = [e for e in self.data.get(tenant, []) if e["type"] == type]
        return found[offset : offset + limit]

    async def upsert_entities(self, entities, *, tenant="", update=False):
        self.upserted.setdefault(tenant, []).extend(entities)
        return [e["id"] for e in entities]


def station(n, value, observed="2026-07-15T10:00:00Z"):
    return {
        "id": f"urn:ngsi-ld:WeatherObserved:{n}",
        "type": "WeatherObserved",
        "temperature": {"type": "Property", "value": value, "observedAt": observed},
    }


@pytest.fixture
def kpi():
    project = ProjectFactory(cities=[dortmund(), schwerte()])
    return actions.kpi_create(
        SYSTEM,
        project,
        name="Mittlere Temperatur",
        unit="°C",
        source="live",
        entity_type="WeatherObserved",
        attribute="temperature",
        aggregation="avg",
        period="day",
    )


def test_latest_values_over_both_cities_in_the_period(kpi) -> None:
    actions.kpi_update(SYSTEM, kpi, aggregation="latest")
    broker = FakeBroker(
        {
            "dortmund": [station(1, 20.0), station(2, 24.0), station(3, 99.0, "2026-07-01T00:00Z")],
            "schwerte": [station(4, 22.5)],
        }
    )
    assert live.compute(kpi, broker, NOW) == Decimal("22.1667")
    assert {q[0] for q in broker.queries} == {"dortmund", "schwerte"}


def test_refresh_stores_a_computed_value_and_checks_permission(kpi) -> None:
    actions.kpi_update(SYSTEM, kpi, aggregation="latest")
    broker = FakeBroker({"dortmund": [station(1, 30.0, observed=None)]})
    entry = actions.kpi_refresh(SYSTEM, kpi, broker, today=dt.date(2026, 7, 15))
    assert (entry.value, entry.computed) == (Decimal("30.0000"), True)
    assert list(kpi.values.values_list("date", flat=True)) == [dt.date(2026, 7, 15)]
    with pytest.raises(PermissionDenied):
        actions.kpi_refresh(UserFactory(), kpi, broker)
    with pytest.raises(PermissionDenied):
        actions.kpi_refresh(user_with_role(EDITOR, CityFactory(slug="unna")), kpi, broker)


def test_days_above_needs_a_threshold_named_at_the_field(kpi) -> None:
    with pytest.raises(ValidationError) as err:
        actions.kpi_update(SYSTEM, kpi, aggregation="days_above", period="year", threshold=None)
    assert list(err.value.message_dict) == ["threshold"]
    kpi.refresh_from_db()
    assert kpi.aggregation == "avg"


def test_kpis_are_published_as_key_performance_indicators(kpi) -> None:
    actions.kpi_value_record(SYSTEM, kpi, date=dt.date(2026, 7, 1), value="21.5")
    broker = FakeBroker({})
    assert live.publish([kpi], broker) == 1
    entity = broker.upserted["dortmund"][0]
    assert entity["type"] == "KeyPerformanceIndicator"
    assert entity["kpiValue"]["value"] == 21.5 and entity["kpiValue"]["unitText"] == "°C"
    assert entity["id"] == f"urn:ngsi-ld:KeyPerformanceIndicator:dos-strategy-{kpi.pk}"
    assert set(broker.upserted) == {"dortmund", "schwerte"}
