"""The DCAT-AP.de export parses in all three formats and has every mandatory property."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from dos.portal.opendata.dcat import DCATDE, VCARD
from dos.portal.opendata.models import Dataset
from tests.factories import dortmund, schwerte
from tests.portal.opendata.factories import DatasetFactory, DistributionFactory

pytestmark = pytest.mark.django_db

PARSERS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}
MEDIA = {"ttl": "text/turtle", "rdf": "application/rdf+xml", "jsonld": "application/ld+json"}
DATASET_MANDATORY = [
    DCTERMS.title,
    DCTERMS.description,
    DCTERMS.publisher,
    DCAT.contactPoint,
    DCATDE.contributorID,
    DCAT.distribution,
]
DISTRIBUTION_MANDATORY = [DCAT.accessURL, DCTERMS.license, DCTERMS.format]


@pytest.fixture
def catalogue() -> None:
    manual = DatasetFactory(
        slug="haushalt-schwerte",
        city=schwerte(),
        licence="dl-de/by-2-0",
        temporal_start=date(2020, 1, 1),
        temporal_end=date(2024, 12, 31),
    )
    DistributionFactory(dataset=manual)
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


# rdflib's JSON-LD parser builds a ConjunctiveGraph internally, which rdflib 7 deprecates.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("suffix", ["ttl", "rdf", "jsonld"])
def test_export_parses_and_has_mandatory_properties(
    client: Any, catalogue: None, suffix: str
) -> None:
    response = client.get(f"/opendata/katalog.{suffix}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(MEDIA[suffix])
    graph = Graph().parse(data=response.content, format=PARSERS[suffix])

    catalogs = list(graph.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogs) == 1
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.publisher, DCAT.dataset):
        assert graph.value(catalogs[0], prop) is not None, prop
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert datasets == set(graph.objects(catalogs[0], DCAT.dataset))
    assert len(datasets) == 2
    for dataset in datasets:
        for prop in DATASET_MANDATORY:
            assert graph.value(dataset, prop) is not None, (dataset, prop)
        contact = graph.value(dataset, DCAT.contactPoint)
        assert str(graph.value(contact, VCARD.hasEmail)).startswith("mailto:")
        for distribution in graph.objects(dataset, DCAT.distribution):
            for prop in DISTRIBUTION_MANDATORY:
                assert graph.value(distribution, prop) is not None, (distribution, prop)

    klima = URIRef("http://testserver/opendata/dortmund-weatherobserved/")
    assert graph.value(klima, DCTERMS.spatial) == URIRef(
        "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/05913000"
    )
    assert graph.value(klima, DCAT.theme) == URIRef(
        "http://publications.europa.eu/resource/authority/data-theme/ENVI"
    )
    assert graph.value(klima, DCTERMS.accrualPeriodicity) == URIRef(
        "http://publications.europa.eu/resource/authority/frequency/UPDATE_CONT"
    )
    urls = {str(graph.value(d, DCAT.accessURL)) for d in graph.objects(klima, DCAT.distribution)}
    assert urls == {
        "http://testserver/opendata/dortmund-weatherobserved/aktuell.csv",
        "http://testserver/opendata/dortmund-weatherobserved/aktuell.geojson",
    }
    licences = {graph.value(d, DCTERMS.license) for d in graph.objects(klima, DCAT.distribution)}
    assert licences == {URIRef("http://dcat-ap.de/def/licenses/dl-zero-de/2.0")}

    haushalt = URIRef("http://testserver/opendata/haushalt-schwerte/")
    period = graph.value(haushalt, DCTERMS.temporal)
    assert str(graph.value(period, DCAT.startDate)) == "2020-01-01"
    (distribution,) = graph.objects(haushalt, DCAT.distribution)
    assert graph.value(distribution, DCATDE.licenseAttributionByText) is not None


def test_unknown_export_format_is_404(client: Any) -> None:
    assert client.get("/opendata/katalog.xlsx").status_code == 404
