"""Describing datasets by hand: data stewards and city admins of the dataset's city only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dos.portal.accounts.roles import CITY_ADMIN, DATA_STEWARD, EDITOR
from dos.portal.opendata.actions import (
    dataset_create,
    dataset_delete,
    dataset_update,
    distribution_add,
)
from dos.portal.opendata.models import Dataset
from tests.factories import UserFactory, dortmund, schwerte, user_with_role
from tests.portal.opendata.factories import DatasetFactory

pytestmark = pytest.mark.django_db


def test_dortmund_steward_describes_a_dataset() -> None:
    do = dortmund()
    steward = user_with_role(DATA_STEWARD, do)
    dataset = dataset_create(
        steward,
        slug="haushalt-dortmund",
        title="Haushaltsplan Dortmund",
        description="Erträge und Aufwendungen.",
        city=do,
        contact_email="opendata@dortmund.de",
        themes="ECON,GOVE",
        keywords="Haushalt",
    )
    distribution_add(
        steward, dataset, title="Tabelle", url="https://daten.example.org/h.csv", format="CSV"
    )
    stored = Dataset.objects.get(slug="haushalt-dortmund")
    assert stored.source == Dataset.MANUAL and stored.licence == "dl-de/zero-2-0"
    assert [d.url for d in stored.downloads()] == ["https://daten.example.org/h.csv"]
    dataset_update(user_with_role(CITY_ADMIN, do), stored, title="Haushalt 2025")
    assert Dataset.objects.get(pk=stored.pk).title == "Haushalt 2025"


def test_schwerte_steward_and_citizen_are_refused_on_a_dortmund_dataset() -> None:
    dataset = DatasetFactory(city=dortmund(), title="Alt")
    for actor in (
        user_with_role(DATA_STEWARD, schwerte()),
        user_with_role(EDITOR, dataset.city),
        UserFactory(),
    ):
        with pytest.raises(PermissionDenied):
            dataset_update(actor, dataset, title="Neu")
        with pytest.raises(PermissionDenied):
            dataset_delete(actor, dataset)
        with pytest.raises(PermissionDenied):
            distribution_add(actor, dataset, title="x", url="https://e.org/x", format="CSV")
    assert Dataset.objects.get(pk=dataset.pk).title == "Alt"
    assert not dataset.distributions.exists()


def test_steward_cannot_move_a_dataset_to_another_city() -> None:
    do, sw = dortmund(), schwerte()
    dataset = DatasetFactory(city=do)
    with pytest.raises(PermissionDenied):
        dataset_update(user_with_role(DATA_STEWARD, do), dataset, city=sw)
    assert Dataset.objects.get(pk=dataset.pk).city == do


def test_bad_input_is_named_and_nothing_saved() -> None:
    do = dortmund()
    steward = user_with_role(DATA_STEWARD, do)
    with pytest.raises(ValidationError) as info:
        dataset_create(
            steward,
            slug="Kein Slug",
            title="x",
            description="y",
            city=do,
            contact_email="keine-adresse",
            themes="KLIMA",
        )
    assert {"slug", "contact_email", "themes"} <= set(info.value.message_dict)
    assert not Dataset.objects.exists()
    generated = DatasetFactory(city=do, source=Dataset.GENERATED, entity_type="WeatherObserved")
    with pytest.raises(ValueError, match="generated"):
        distribution_add(steward, generated, title="x", url="https://e.org/x", format="CSV")
