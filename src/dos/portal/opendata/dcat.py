"""The catalogue as DCAT-AP.de (version 2) for GovData and other harvesters.

One ``dcat:Catalog`` with every dataset; each dataset carries the properties DCAT-AP.de marks
mandatory (dct:title, dct:description, dct:publisher, dcat:contactPoint,
dcatde:contributorID, dcat:distribution) and, on each distribution, dcat:accessURL,
dct:license and dct:format.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from dos.portal.opendata import vocab
from dos.portal.opendata.models import Dataset
from dos.portal.tenancy.models import Region

DCATDE = Namespace(vocab.DCATDE)
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
LANGUAGE_DE = "http://publications.europa.eu/resource/authority/language/DEU"

#: export format (URL suffix) → (rdflib serializer, media type)
FORMATS = {
    "ttl": ("turtle", "text/turtle"),
    "rdf": ("xml", "application/rdf+xml"),
    "jsonld": ("json-ld", "application/ld+json"),
}


def _bind(graph: Graph) -> None:
    for prefix, namespace in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("dcatde", DCATDE),
        ("foaf", FOAF),
        ("vcard", VCARD),
    ):
        graph.bind(prefix, namespace)


def _date(value: date) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.date)


def catalogue_graph(datasets: Iterable[Dataset], base_url: str, region: Region) -> Graph:
    """The RDF graph of the catalogue; ``base_url`` makes the URIs absolute."""
    graph = Graph()
    _bind(graph)
    catalog = URIRef(f"{base_url}/opendata/")
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal(f"Offene Daten – {region.name}", lang="de")))
    graph.add(
        (
            catalog,
            DCTERMS.description,
            Literal(
                f"Datenkatalog der {region.name}: Messdaten der städtischen Sensornetze und "
                "weitere Daten der Städte.",
                lang="de",
            ),
        )
    )
    region_agent = URIRef(f"{base_url}/")
    graph.add((catalog, DCTERMS.publisher, region_agent))
    graph.add((region_agent, RDF.type, FOAF.Agent))
    graph.add((region_agent, FOAF.name, Literal(region.name)))
    graph.add((catalog, FOAF.homepage, catalog))
    graph.add((catalog, DCTERMS.language, URIRef(LANGUAGE_DE)))
    for dataset in datasets:
        node = add_dataset(graph, dataset, base_url, region)
        graph.add((catalog, DCAT.dataset, node))
    return graph


def add_dataset(graph: Graph, dataset: Dataset, base_url: str, region: Region) -> URIRef:
    """Add one dataset with its publisher, contact point and distributions."""
    node = URIRef(base_url + dataset.get_absolute_url())
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.identifier, Literal(str(dataset.uuid))))
    graph.add((node, DCTERMS.title, Literal(dataset.title, lang="de")))
    graph.add((node, DCTERMS.description, Literal(dataset.description, lang="de")))
    graph.add((node, DCAT.landingPage, node))
    graph.add((node, DCTERMS.issued, Literal(dataset.created_at)))
    graph.add((node, DCTERMS.modified, Literal(dataset.updated_at)))
    graph.add((node, DCATDE.contributorID, URIRef(vocab.CONTRIBUTOR_ID)))

    publisher = URIRef(base_url + (dataset.city.get_absolute_url() if dataset.city else "/"))
    graph.add((node, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, Literal(dataset.publisher_name(region))))

    contact = BNode()
    graph.add((node, DCAT.contactPoint, contact))
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(f"Open Data – {dataset.publisher_name(region)}")))
    graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{dataset.contact_email}")))

    geocoding = dataset.geocoding_uri()
    if geocoding:
        graph.add((node, DCTERMS.spatial, URIRef(geocoding)))
        graph.add((node, DCATDE.politicalGeocodingURI, URIRef(geocoding)))
        graph.add(
            (node, DCATDE.politicalGeocodingLevelURI, URIRef(vocab.GEOCODING_LEVEL_MUNICIPALITY))
        )
    if dataset.temporal_start or dataset.temporal_end:
        period = BNode()
        graph.add((node, DCTERMS.temporal, period))
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if dataset.temporal_start:
            graph.add((period, DCAT.startDate, _date(dataset.temporal_start)))
        if dataset.temporal_end:
            graph.add((period, DCAT.endDate, _date(dataset.temporal_end)))
    graph.add((node, DCTERMS.accrualPeriodicity, URIRef(vocab.FREQUENCY_BASE + dataset.frequency)))
    for keyword in dataset.keyword_list:
        graph.add((node, DCAT.keyword, Literal(keyword, lang="de")))
    for theme in dataset.theme_list:
        graph.add((node, DCAT.theme, URIRef(vocab.THEME_BASE + theme)))

    licence = dataset.licence_info
    for position, download in enumerate(dataset.downloads()):
        distribution = URIRef(f"{node}#distribution-{position + 1}")
        url = download.url if "://" in download.url else base_url + download.url
        graph.add((node, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCTERMS.title, Literal(download.title, lang="de")))
        graph.add((distribution, DCAT.accessURL, URIRef(url)))
        graph.add((distribution, DCAT.downloadURL, URIRef(url)))
        graph.add((distribution, DCTERMS.format, URIRef(vocab.FILE_TYPE_BASE + download.file_type)))
        graph.add(
            (distribution, DCAT.mediaType, URIRef(vocab.MEDIA_TYPE_BASE + download.media_type))
        )
        graph.add((distribution, DCTERMS.license, URIRef(licence.uri)))
        if licence.attribution:
            graph.add(
                (
                    distribution,
                    DCATDE.licenseAttributionByText,
                    Literal(dataset.publisher_name(region)),
                )
            )
    return node


def serialize(graph: Graph, suffix: str) -> bytes:
    """The graph in the export format of ``suffix`` (``ttl``, ``rdf`` or ``jsonld``)."""
    serializer, _media_type = FORMATS[suffix]
    data = graph.serialize(format=serializer, encoding="utf-8")
    return data if isinstance(data, bytes) else data.encode()
