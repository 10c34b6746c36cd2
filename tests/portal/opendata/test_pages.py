"""Catalogue and dataset pages: search, filters, metadata, download links, navigation."""

from __future__ import annotations

from typing import Any

import pytest

from dos.portal.opendata.models import Dataset
from tests.factories import dortmund, schwerte
from tests.portal.opendata.factories import DatasetFactory, DistributionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue() -> None:
    DatasetFactory(
        slug="dortmund-weatherobserved",
        title="Klimamessnetz Dortmund",
        city=dortmund(),
        source=Dataset.GENERATED,
        entity_type="WeatherObserved",
        themes="ENVI",
        keywords="Klima,Wetter",
        frequency="UPDATE_CONT",
    )
    DistributionFactory(
        dataset=DatasetFactory(slug="haushalt-schwerte", title="Haushalt Schwerte", city=schwerte())
    )


def titles(response: Any) -> list[str]:
    return [dataset.title for dataset in response.context["page"]]


def test_catalogue_lists_searches_and_filters(client: Any, catalogue: None) -> None:
    response = client.get("/opendata/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Offene Daten" in html  # German UI and navigation entry
    assert '<label for="id_city">Stadt</label>' in html
    assert titles(response) == ["Haushalt Schwerte", "Klimamessnetz Dortmund"]
    assert titles(client.get("/opendata/?q=klima")) == ["Klimamessnetz Dortmund"]
    assert titles(client.get("/opendata/?city=schwerte")) == ["Haushalt Schwerte"]
    assert titles(client.get("/opendata/?theme=ENVI")) == ["Klimamessnetz Dortmund"]
    assert titles(client.get("/opendata/?keyword=Haushalt")) == ["Haushalt Schwerte"]
    bad = client.get("/opendata/?city=hagen")
    assert bad.status_code == 200 and bad.context["form"].errors["city"]


def test_dataset_page_shows_metadata_and_downloads(client: Any, catalogue: None) -> None:
    html = client.get("/opendata/dortmund-weatherobserved/").content.decode()
    assert "<h1>Klimamessnetz Dortmund</h1>" in html
    assert 'href="/opendata/dortmund-weatherobserved/aktuell.csv"' in html
    assert 'href="/opendata/dortmund-weatherobserved/aktuell.geojson"' in html
    assert "Datenlizenz Deutschland – Zero – Version 2.0" in html
    assert "municipalityKey/05913000" in html
    assert "laufend aktualisiert" in html
    manual = client.get("/opendata/haushalt-schwerte/").content.decode()
    assert 'href="https://daten.example.org/haushalt.csv"' in manual
    assert client.get("/opendata/gibt-es-nicht/").status_code == 404


def test_catalogue_query_count(
    client: Any, catalogue: None, django_assert_max_num_queries: Any
) -> None:
    for n in range(15):
        DatasetFactory(city=schwerte(), slug=f"mehr-{n}")
    with django_assert_max_num_queries(12):
        response = client.get("/opendata/")
    assert len(titles(response)) == 17
