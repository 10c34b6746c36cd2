"""Public news and blog pages, pages, footer fallback, home include, query budgets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from dos.portal.accounts.permissions import SYSTEM
from dos.portal.content import actions
from dos.portal.content.models import Page
from tests.portal.content.conftest import People
from tests.portal.content.helpers import published_post


def test_news_lists_per_region_and_city(people: People, client: Client) -> None:
    published_post("Dortmunder Nachricht", city=people.dortmund)
    published_post("Schwerter Nachricht", city=people.schwerte)
    published_post("Regionale Nachricht")
    published_post("Ein Blogbeitrag", kind="blog", city=people.dortmund)
    region = client.get("/aktuelles/").content.decode()
    assert all(t in region for t in ("Dortmunder", "Schwerter", "Regionale Nachricht"))
    assert "Ein Blogbeitrag" not in region
    dortmund = client.get("/dortmund/aktuelles/").content.decode()
    assert "Dortmunder Nachricht" in dortmund and "Regionale Nachricht" in dortmund
    assert "Schwerter Nachricht" not in dortmund
    blog = client.get("/dortmund/blog/").content.decode()
    assert "Ein Blogbeitrag" in blog and "Dortmunder Nachricht" not in blog


def test_detail_and_canonical_address(people: People, client: Client) -> None:
    post = published_post(
        "Klimamessnetz komplett", city=people.dortmund, body="<p>80 Stationen</p>"
    )
    response = client.get("/dortmund/aktuelles/klimamessnetz-komplett/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Klimamessnetz komplett</h1>" in html and "<p>80 Stationen</p>" in html
    assert client.get("/aktuelles/klimamessnetz-komplett/")["Location"] == post.get_absolute_url()
    assert client.get("/schwerte/aktuelles/klimamessnetz-komplett/").status_code == 301
    assert client.get("/dortmund/blog/klimamessnetz-komplett/").status_code == 404


def test_drafts_and_scheduled_posts_are_not_public(people: People, client: Client) -> None:
    draft = actions.post_create(
        SYSTEM, kind="news", title="Entwurf", teaser="T", city=people.dortmund
    )
    later = published_post(
        "Geplante Nachricht", city=people.dortmund, at=timezone.now() + timedelta(hours=3)
    )
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(later.get_absolute_url()).status_code == 404
    assert "Geplante Nachricht" not in client.get("/dortmund/aktuelles/").content.decode()
    assert "Geplante Nachricht" not in client.get("/dortmund/").content.decode()
    # the editor sees a preview
    client.force_login(people.editor, backend="allauth.account.auth_backends.AuthenticationBackend")
    preview = client.get(later.get_absolute_url())
    assert preview.status_code == 200
    assert "Vorschau" in preview.content.decode()


def test_scheduled_post_appears_when_due(people: People, client: Client, monkeypatch) -> None:
    at = timezone.now() + timedelta(hours=3)
    published_post("Später sichtbar", city=people.dortmund, at=at)
    assert "Später sichtbar" not in client.get("/aktuelles/").content.decode()
    monkeypatch.setattr(timezone, "now", lambda: at + timedelta(minutes=1))
    assert "Später sichtbar" in client.get("/aktuelles/").content.decode()


def test_pagination_and_tag_filter(people: People, client: Client) -> None:
    for number in range(12):
        published_post(f"Meldung {number:02d}", tags=["Klima"] if number % 2 else [])
    first = client.get("/aktuelles/").content.decode()
    assert "Seite 1 von 2" in first and "Meldung 11" in first and "Meldung 00" not in first
    second = client.get("/aktuelles/?seite=2").content.decode()
    assert "Meldung 00" in second
    tagged = client.get("/aktuelles/?tag=klima").content.decode()
    assert "Meldung 01" in tagged and "Meldung 02" not in tagged
    assert client.get("/aktuelles/?tag=gibt-es-nicht").status_code == 404


@pytest.mark.parametrize("url", ["/aktuelles/", "/dortmund/aktuelles/", "/dortmund/blog/", "/"])
def test_list_queries_do_not_grow_with_posts(people: People, client: Client, url: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    kind = "blog" if "blog" in url else "news"

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for number in range(2):
        published_post(f"P{number}", kind=kind, city=people.dortmund, tags=["A", "B"])
    count()  # warm the caches (menu pages) first
    few = count()
    for number in range(2, 25):
        published_post(f"P{number}", kind=kind, city=people.dortmund, tags=["A", "B"])
    assert count() == few
    # the region home also carries the other apps' sections (strategy, events, …)
    assert few <= (25 if url == "/" else 10)


def test_latest_news_on_region_and_city_home(people: People, client: Client) -> None:
    published_post("Neuigkeit aus Schwerte", city=people.schwerte)
    home = client.get("/").content.decode()
    assert "Aktuelle Nachrichten" in home and "Neuigkeit aus Schwerte" in home
    assert "Neuigkeit aus Schwerte" not in client.get("/dortmund/").content.decode()


def test_editable_page_replaces_footer_text_and_falls_back(people: People, client: Client) -> None:
    builtin = client.get("/impressum/").content.decode()
    assert "<h1>Impressum</h1>" in builtin
    page = actions.page_save(
        SYSTEM,
        slug="imprint",
        title="Impressum der Region",
        body="<p>Angaben gemäß § 5 DDG</p>",
        title_en="Legal notice",
        body_en="<p>Provider</p>",
    )
    html = client.get("/impressum/").content.decode()
    assert "<h1>Impressum der Region</h1>" in html and "§ 5 DDG" in html
    client.cookies["dos_language"] = "en"
    assert "<h1>Legal notice</h1>" in client.get("/impressum/").content.decode()
    actions.page_delete(SYSTEM, page)
    client.cookies["dos_language"] = "de"
    assert "<h1>Impressum</h1>" in client.get("/impressum/").content.decode()


def test_page_in_the_navigation(people: People, client: Client) -> None:
    actions.page_save(
        SYSTEM,
        slug="ueber-die-strategie",
        title="Über die Strategie",
        body="<p>Vision</p>",
        navigation=Page.Navigation.MAIN,
    )
    home = client.get("/").content.decode()
    assert 'href="/seite/ueber-die-strategie/"' in home
    assert "Vision" in client.get("/seite/ueber-die-strategie/").content.decode()
    actions.page_save(SYSTEM, slug="ueber-die-strategie", is_published=False, title="Ü", body="x")
    assert client.get("/seite/ueber-die-strategie/").status_code == 404
    assert 'href="/seite/ueber-die-strategie/"' not in client.get("/").content.decode()


def test_related_posts_tag_for_projects_and_action_fields(people: People) -> None:
    from django.template import Context, Template

    from dos.portal.strategy.models import ActionField

    field = ActionField.objects.create(code="SV", slug="sicherheit", name="Sicherheit")
    other = ActionField.objects.create(code="DP", slug="daten", name="Daten")
    published_post("Verknüpfte Meldung", action_fields=[field])
    published_post("Andere Meldung", action_fields=[other])
    template = Template("{% load content_tags %}{% related_posts field %}")
    html = template.render(Context({"field": field}))
    assert "Verknüpfte Meldung" in html and "Andere Meldung" not in html
