"""The CKAN Action API subset: CKAN's envelope, package shape, search and errors."""

from __future__ import annotations

from typing import Any

import pytest

from dos.portal.opendata.models import Dataset
from tests.factories import dortmund, schwerte
from tests.portal.opendata.factories import DatasetFactory, DistributionFactory

pytestmark = pytest.mark.django_db
API = "/api/3/action"


@pytest.fixture
def catalogue() -> dict[str, Dataset]:
    do, sw = dortmund(), schwerte()
    klima = DatasetFactory(
        slug="dortmund-weatherobserved",
        title="Klimamessnetz Dortmund",
        description="Messwerte der Klimastationen.",
        city=do,
        source=Dataset.GENERATED,
        entity_type="WeatherObserved",
        themes="ENVI",
        keywords="Klima,Wetter,Dortmund",
        frequency="UPDATE_CONT",
    )
    haushalt = DatasetFactory(slug="haushalt-schwerte", title="Haushalt Schwerte", city=sw)
    DistributionFactory(dataset=haushalt)
    parken = DatasetFactory(
        slug="schwerte-parkingspot",
        title="Parkplatzsensoren Schwerte",
        city=sw,
        themes="TRAN",
        keywords="Parken,Klimafreundlich",
    )
    return {"klima": klima, "haushalt": haushalt, "parken": parken}


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["success"] is True
    assert body["help"].startswith("http://testserver/api/3/action/help_show?name=")
    return body["result"]


def test_package_list(client: Any, catalogue: dict[str, Dataset]) -> None:
    assert ok(client.get(f"{API}/package_list")) == [
        "dortmund-weatherobserved",
        "haushalt-schwerte",
        "schwerte-parkingspot",
    ]
    assert ok(client.get(f"{API}/package_list?limit=1&offset=1")) == ["haushalt-schwerte"]


def test_package_show_shape(client: Any, catalogue: dict[str, Dataset]) -> None:
    package = ok(client.get(f"{API}/package_show?id=dortmund-weatherobserved"))
    assert package["id"] == str(catalogue["klima"].uuid)
    assert package["name"] == "dortmund-weatherobserved"
    assert package["title"] == "Klimamessnetz Dortmund"
    assert package["notes"] == "Messwerte der Klimastationen."
    assert package["license_id"] == "dl-de/zero-2-0"
    assert package["organization"]["name"] == "dortmund"
    assert package["organization"]["is_organization"] is True
    assert package["owner_org"] == "dortmund"
    assert [tag["name"] for tag in package["tags"]] == ["Klima", "Wetter", "Dortmund"]
    assert [(r["format"], r["url"]) for r in package["resources"]] == [
        ("CSV", "http://testserver/opendata/dortmund-weatherobserved/aktuell.csv"),
        ("GeoJSON", "http://testserver/opendata/dortmund-weatherobserved/aktuell.geojson"),
    ]
    assert package["num_resources"] == 2
    extras = {extra["key"]: extra["value"] for extra in package["extras"]}
    assert extras["politicalGeocodingURI"].endswith("/municipalityKey/05913000")
    assert extras["contributorID"] == '["http://dcat-ap.de/def/contributors/openNRW"]'
    by_uuid = ok(client.get(f"{API}/package_show?id={catalogue['klima'].uuid}"))
    assert by_uuid["name"] == "dortmund-weatherobserved"
    # POST with a JSON body works as in CKAN
    posted = client.post(
        f"{API}/package_show", {"id": "haushalt-schwerte"}, content_type="application/json"
    )
    assert ok(posted)["resources"][0]["url"] == "https://daten.example.org/haushalt.csv"


def test_package_search_q_fq_rows_start_sort(client: Any, catalogue: dict[str, Dataset]) -> None:
    everything = ok(client.get(f"{API}/package_search"))
    assert everything["count"] == 3 and len(everything["results"]) == 3
    by_org = ok(client.get(f"{API}/package_search", {"fq": "organization:schwerte"}))
    assert {p["name"] for p in by_org["results"]} == {"haushalt-schwerte", "schwerte-parkingspot"}
    by_tag = ok(client.get(f"{API}/package_search", {"fq": "tags:Klima"}))
    assert [p["name"] for p in by_tag["results"]] == ["dortmund-weatherobserved"]
    both = ok(client.get(f"{API}/package_search", {"fq": "organization:schwerte tags:Parken"}))
    assert [p["name"] for p in both["results"]] == ["schwerte-parkingspot"]
    words = ok(client.get(f"{API}/package_search", {"q": "klimastationen"}))
    assert [p["name"] for p in words["results"]] == ["dortmund-weatherobserved"]
    page = ok(
        client.get(f"{API}/package_search", {"sort": "title_string desc", "rows": 1, "start": 1})
    )
    assert page["count"] == 3
    assert [p["title"] for p in page["results"]] == ["Klimamessnetz Dortmund"]
    assert ok(client.get(f"{API}/package_search", {"fq": "groups:tran"}))["count"] == 1


def test_organization_list_and_show(client: Any, catalogue: dict[str, Dataset]) -> None:
    assert ok(client.get(f"{API}/organization_list")) == ["dortmund", "schwerte"]
    full = ok(client.get(f"{API}/organization_list?all_fields=true"))
    assert [(o["name"], o["title"], o["package_count"]) for o in full] == [
        ("dortmund", "Dortmund", 1),
        ("schwerte", "Schwerte", 2),
    ]
    org = ok(client.get(f"{API}/organization_show?id=schwerte"))
    assert org["title"] == "Schwerte"
    assert sorted(p["name"] for p in org["packages"]) == [
        "haushalt-schwerte",
        "schwerte-parkingspot",
    ]


@pytest.mark.parametrize(
    ("url", "status", "error"),
    [
        (
            "package_show?id=gibt-es-nicht",
            404,
            {"__type": "Not Found Error", "message": "Dataset not found"},
        ),
        ("package_show", 409, {"__type": "Validation Error", "id": ["Missing value"]}),
        (
            "package_search?rows=-1",
            409,
            {"__type": "Validation Error", "rows": ["Must be a natural number"]},
        ),
        (
            "package_search?start=abc",
            409,
            {"__type": "Validation Error", "start": ["Must be a natural number"]},
        ),
        (
            "package_search?sort=popularity%20desc",
            409,
            {
                "__type": "Validation Error",
                "sort": ["Invalid sort field or direction: popularity desc"],
            },
        ),
        (
            "package_search?fq=author:someone",
            409,
            {"__type": "Validation Error", "fq": ["Unsupported filter: author:someone"]},
        ),
        (
            "organization_show?id=hagen",
            404,
            {"__type": "Not Found Error", "message": "Organization not found"},
        ),
        (
            "package_create",
            400,
            {
                "__type": "Bad request",
                "message": "Bad request - Action name not known: package_create",
            },
        ),
    ],
)
def test_errors_in_ckan_envelope(
    client: Any, catalogue: dict[str, Dataset], url: str, status: int, error: dict[str, Any]
) -> None:
    response = client.get(f"{API}/{url}")
    assert response.status_code == status
    body = response.json()
    assert body["success"] is False
    assert body["error"] == error
    assert "result" not in body


def test_bad_json_body_is_a_bad_request(client: Any) -> None:
    response = client.post(f"{API}/package_show", "{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["__type"] == "Bad request"


def test_help_show_serves_the_docstring(client: Any) -> None:
    assert ok(client.get(f"{API}/help_show?name=package_search")).startswith("Search datasets")


def test_package_search_query_count(
    client: Any, catalogue: dict[str, Dataset], django_assert_max_num_queries: Any
) -> None:
    for n in range(10):
        DistributionFactory(dataset=DatasetFactory(city=catalogue["klima"].city, slug=f"mehr-{n}"))
    with django_assert_max_num_queries(6):
        result = ok(client.get(f"{API}/package_search?rows=20"))
    assert result["count"] == 13
