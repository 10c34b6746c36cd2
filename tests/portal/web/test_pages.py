import pytest
from django.test import Client

from tests.factories import dortmund, schwerte

pytestmark = pytest.mark.django_db


@pytest.fixture
def cities() -> None:
    dortmund()
    schwerte()


def test_region_home_in_german_lists_both_cities(client: Client, cities: None) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert "Zum Inhalt springen" in html
    assert "Unsere Städte" in html
    assert 'href="/dortmund/"' in html and 'href="/schwerte/"' in html


def test_city_home_shows_the_city(client: Client, cities: None) -> None:
    html = client.get("/schwerte/").content.decode()
    assert "<h1>Schwerte</h1>" in html
    assert "05978036" in html
    assert "--brand:" in html


def test_english_after_language_switch(client: Client, cities: None) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/dortmund/"})
    assert response.status_code == 302
    assert response["Location"] == "/dortmund/"
    html = client.get("/dortmund/").content.decode()
    assert '<html lang="en">' in html
    assert "Skip to content" in html
    assert "At a glance" in html


def test_unknown_city_is_a_404_page_in_german(client: Client, cities: None) -> None:
    response = client.get("/atlantis/")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()


def test_404_page_in_english(client: Client, cities: None) -> None:
    client.cookies["dos_language"] = "en"
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.parametrize(
    ("url", "german", "english"),
    [
        ("/impressum/", "Impressum", "Imprint"),
        ("/datenschutz/", "Datenschutzerklärung", "Privacy policy"),
        ("/barrierefreiheit/", "Erklärung zur Barrierefreiheit", "Accessibility statement"),
        ("/lizenz/", "Open-Source-Lizenz", "Open source licence"),
    ],
)
def test_footer_pages_in_both_languages(
    client: Client, cities: None, url: str, german: str, english: str
) -> None:
    assert f"<h1>{german}</h1>" in client.get(url).content.decode()
    client.cookies["dos_language"] = "en"
    assert f"<h1>{english}</h1>" in client.get(url).content.decode()


def test_403_page_for_a_citizen_in_the_admin_is_a_login_redirect(client: Client) -> None:
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_500_page_is_bilingual_and_self_contained() -> None:
    from django.template.loader import get_template

    html = get_template("500.html").render({})
    assert "Serverfehler" in html and "Server error" in html


def test_home_pages_query_count_does_not_grow_with_cities(client: Client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CityFactory

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    CityFactory.create_batch(3)
    dortmund()
    count("/"), count("/dortmund/")  # warm the caches (menus) first
    few = (count("/"), count("/dortmund/"))
    CityFactory.create_batch(10)
    count("/"), count("/dortmund/")  # new cities: the header's cached list is read again once
    many = (count("/"), count("/dortmund/"))
    assert many == few
    assert max(many) <= 25


def test_header_lists_a_new_city_at_once(client: Client) -> None:
    from tests.factories import CityFactory

    dortmund()
    assert "Lünen" not in client.get("/").content.decode()
    CityFactory(slug="luenen", name="Lünen", ags="05978024")
    assert "Lünen" in client.get("/").content.decode()
