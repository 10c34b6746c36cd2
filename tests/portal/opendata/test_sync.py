"""dataset_sync: one generated dataset per city and entity type, idempotent, permissions."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from dos.cli import main
from dos.portal.accounts.permissions import SYSTEM
from dos.portal.accounts.roles import CITY_ADMIN, DATA_STEWARD
from dos.portal.opendata.actions import dataset_sync
from dos.portal.opendata.models import Dataset
from tests.factories import UserFactory, dortmund, schwerte, user_with_role
from tests.portal.opendata.conftest import parking, upsert, weather

pytestmark = pytest.mark.django_db


def test_sync_creates_a_dataset_per_city_and_type_and_is_idempotent(broker: Any) -> None:
    do, sw = dortmund(), schwerte()
    upsert([weather(n) for n in range(3)], "dortmund")
    upsert([parking(n) for n in range(2)] + [weather(1, "schwerte")], "schwerte")

    first = dataset_sync(SYSTEM)

    assert sorted(first.created) == [
        "dortmund-weatherobserved",
        "schwerte-parkingspot",
        "schwerte-weatherobserved",
    ]
    klima = Dataset.objects.get(slug="dortmund-weatherobserved")
    assert klima.title == "Klimamessnetz Dortmund"
    assert klima.city == do and klima.entity_type == "WeatherObserved"
    assert klima.source == Dataset.GENERATED and klima.licence == "dl-de/zero-2-0"
    assert klima.geocoding_uri() == (
        "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/05913000"
    )
    assert klima.theme_list == ["ENVI"] and "Klima" in klima.keyword_list
    assert klima.frequency == "UPDATE_CONT"
    assert {"temperature", "relativeHumidity", "location"} <= set(klima.attribute_names)
    assert Dataset.objects.get(slug="schwerte-parkingspot").city == sw

    klima.title = "Klimamessnetz der Stadt Dortmund"  # a steward's edit survives a sync
    klima.save()
    again = dataset_sync(SYSTEM)
    assert again.created == [] and again.updated == []
    assert Dataset.objects.count() == 3
    assert Dataset.objects.get(slug="dortmund-weatherobserved").title == (
        "Klimamessnetz der Stadt Dortmund"
    )


def test_sync_of_a_city_without_entities_creates_nothing(broker: Any) -> None:
    dortmund()
    assert dataset_sync(SYSTEM).created == []
    assert not Dataset.objects.exists()


def test_sync_permissions(broker: Any) -> None:
    do, sw = dortmund(), schwerte()
    upsert([weather(1)], "dortmund")
    with pytest.raises(PermissionDenied):
        dataset_sync(user_with_role(DATA_STEWARD, sw), [do])
    with pytest.raises(PermissionDenied):
        dataset_sync(UserFactory(), [do])
    assert not Dataset.objects.exists()
    result = dataset_sync(user_with_role(CITY_ADMIN, do), [do])
    assert result.created == ["dortmund-weatherobserved"]


def test_cli_sync(broker: Any, capsys: pytest.CaptureFixture[str]) -> None:
    dortmund()
    upsert([weather(1)], "dortmund")
    assert main(["opendata", "sync", "--city", "dortmund"]) == 0
    assert "created dortmund-weatherobserved" in capsys.readouterr().out
    assert main(["opendata", "sync", "--city", "hagen"]) == 2
    assert "unknown city: hagen" in capsys.readouterr().err
