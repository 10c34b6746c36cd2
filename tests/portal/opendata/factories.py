"""Factories of the open data tests."""

from __future__ import annotations

import factory

from dos.portal.opendata.models import Dataset, Distribution
from tests.factories import CityFactory


class DatasetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dataset

    slug = factory.Sequence(lambda n: f"datensatz-{n}")
    title = factory.Sequence(lambda n: f"Datensatz {n}")
    description = "Beschreibung eines Datensatzes."
    city = factory.SubFactory(CityFactory)
    contact_email = "opendata@example.org"
    keywords = "Haushalt,Finanzen"
    themes = "ECON"
    frequency = "ANNUAL"


class DistributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Distribution

    dataset = factory.SubFactory(DatasetFactory)
    title = "Tabelle"
    url = "https://daten.example.org/haushalt.csv"
    format = "CSV"
