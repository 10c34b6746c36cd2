"""Atom feeds (region, city, action field) and the sitemap."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree

from django.test import Client
from django.utils import timezone

from dos.portal.accounts.permissions import SYSTEM
from dos.portal.content import actions
from dos.portal.strategy.models import ActionField
from tests.portal.content.conftest import People
from tests.portal.content.helpers import published_post

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(client: Client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}title") is not None and root.find(f"{ATOM}updated") is not None
    return [entry.findtext(f"{ATOM}title") or "" for entry in root.iter(f"{ATOM}entry")]


def test_news_and_blog_feeds_per_region_and_city(people: People, client: Client) -> None:
    published_post("Dortmund", city=people.dortmund, tags=["Klima"])
    published_post("Schwerte", city=people.schwerte)
    published_post("Blog Schwerte", kind="blog", city=people.schwerte)
    published_post("Später", at=timezone.now() + timedelta(days=1))
    assert sorted(entries(client, "/aktuelles/feed/")) == ["Dortmund", "Schwerte"]
    assert entries(client, "/dortmund/aktuelles/feed/") == ["Dortmund"]
    assert entries(client, "/schwerte/blog/feed/") == ["Blog Schwerte"]
    root = ElementTree.fromstring(client.get("/dortmund/aktuelles/feed/").content)
    entry = root.find(f"{ATOM}entry")
    assert entry is not None
    assert entry.find(f"{ATOM}link").get("href").endswith("/dortmund/aktuelles/dortmund/")
    assert entry.find(f"{ATOM}category").get("term") == "Klima"


def test_feed_per_action_field(people: People, client: Client) -> None:
    field = ActionField.objects.create(
        code="SV", slug="sicherheit", name="Sicherheit und Vertrauen"
    )
    other = ActionField.objects.create(code="DP", slug="daten", name="Daten und Plattformen")
    published_post("Sensorik", city=people.dortmund, action_fields=[field])
    published_post("Datenplattform", action_fields=[other])
    assert entries(client, "/aktuelles/feed/handlungsfeld/sicherheit/") == ["Sensorik"]
    assert entries(client, "/dortmund/aktuelles/feed/handlungsfeld/daten/") == ["Datenplattform"]
    assert client.get("/aktuelles/feed/handlungsfeld/unbekannt/").status_code == 404


def test_sitemap_lists_public_pages(people: People, client: Client) -> None:
    post = published_post("Sichtbar", city=people.dortmund)
    hidden = actions.post_create(SYSTEM, kind="news", title="Entwurf", teaser="T")
    actions.page_save(SYSTEM, slug="ueber-die-strategie", title="Über", body="<p>x</p>")
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    urls = {loc.text.split("testserver", 1)[1] for loc in root.iter(f"{ns}loc")}
    assert {"/", "/dortmund/", "/schwerte/", "/aktuelles/", "/impressum/"} <= urls
    assert post.get_absolute_url() in urls
    assert "/seite/ueber-die-strategie/" in urls
    assert hidden.get_absolute_url() not in urls


def test_sitemap_lists_strategy_pages(people: People, client: Client) -> None:
    field = ActionField.objects.create(code="SV", slug="sicherheit", name="Sicherheit")
    root = ElementTree.fromstring(client.get("/sitemap.xml").content)
    locs = [loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert any(loc.endswith(field.get_absolute_url()) for loc in locs)
