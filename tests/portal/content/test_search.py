"""Search: German stemming, visibility, grouping by kind, city scope, the search page."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test import Client
from django.utils import timezone

from dos.portal.accounts.permissions import SYSTEM
from dos.portal.content import actions, search
from dos.portal.content.models import Post, SearchEntry
from tests.portal.content.conftest import People
from tests.portal.content.helpers import published_post


def titles(groups: list[search.ResultGroup]) -> dict[str, list[str]]:
    return {group.kind: [entry.title for entry in group.entries] for group in groups}


def test_german_stemming_baeume_finds_baum(people: People) -> None:
    published_post("Sensoren am Baum", body="<p>Ein Baum im Westpark misst seine Feuchte.</p>")
    published_post("Parkhaus", body="<p>Freie Plätze in Echtzeit.</p>")
    assert titles(search.search("Bäume")) == {"news": ["Sensoren am Baum"]}
    assert titles(search.search("bäumen")) == {"news": ["Sensoren am Baum"]}
    assert titles(search.search("Sensor")) == {"news": ["Sensoren am Baum"]}
    assert titles(search.search("Plätze Echtzeit")) == {"news": ["Parkhaus"]}
    assert search.search("Bäume Parkhaus") == []  # every word must match
    assert search.search("   ") == [] and search.search("!!") == []


def test_engine_specific_index(people: People) -> None:
    published_post("Stadtlabor eröffnet")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT search_vector::text FROM content_searchentry")
            assert "'stadtlabor'" in cursor.fetchone()[0]
        else:
            cursor.execute("SELECT title FROM content_search_fts")
            assert cursor.fetchone()[0] == "stadtlabor eroffn"  # Snowball stems, umlaut folded


def test_results_grouped_by_kind(people: People) -> None:
    published_post("Klimasensoren in Dortmund", city=people.dortmund)
    published_post("Klima im Blog", kind="blog")
    actions.page_save(SYSTEM, slug="klima", title="Klimaschutz", body="<p>Strategie</p>")
    groups = search.search("Klima")
    assert [g.kind for g in groups] == ["news", "blog", "page"]
    assert titles(groups)["page"] == ["Klimaschutz"]
    assert titles(search.search("klima", kind="blog")) == {"blog": ["Klima im Blog"]}


def test_drafts_scheduled_and_withdrawn_are_not_found(people: People) -> None:
    actions.post_create(SYSTEM, kind="news", title="Geheimer Entwurf", teaser="T")
    later = published_post("Geplanter Start", at=timezone.now() + timedelta(days=1))
    assert search.search("Entwurf") == [] and search.search("Geplanter") == []
    post = published_post("Zurückgezogene Meldung")
    assert titles(search.search("zurückgezogene")) == {"news": ["Zurückgezogene Meldung"]}
    actions.post_unpublish(SYSTEM, post)
    assert search.search("zurückgezogene") == []
    actions.post_delete(SYSTEM, later)
    assert not SearchEntry.objects.filter(title="Geplanter Start").exists()


def test_city_scope(people: People) -> None:
    published_post("Radweg Dortmund", city=people.dortmund)
    published_post("Radweg Schwerte", city=people.schwerte)
    published_post("Radweg Region")
    found = titles(search.search("Radweg", city_id=people.schwerte.pk))
    assert sorted(found["news"]) == ["Radweg Region", "Radweg Schwerte"]


def test_rebuild_restores_the_index(people: People) -> None:
    published_post("Digitaler Zwilling")
    SearchEntry.objects.all().delete()
    assert actions.search_rebuild(SYSTEM) == 1
    assert titles(search.search("Zwilling")) == {"news": ["Digitaler Zwilling"]}


def test_search_page(people: People, client: Client, django_assert_max_num_queries) -> None:
    for number in range(15):
        published_post(f"Wetterstation {number}", city=people.schwerte)
    with django_assert_max_num_queries(10):
        html = client.get("/suche/?q=Wetterstationen").content.decode()
    assert "Nachrichten" in html and "(15)" in html
    assert "Alle 15 Ergebnisse" in html
    paged = client.get("/suche/?q=Wetterstationen&art=news&seite=2").content.decode()
    assert "Seite 2 von 2" in paged
    assert "Nichts gefunden" in client.get("/schwerte/suche/?q=Luftschiff").content.decode()


def test_projects_join_the_search_and_follow_their_changes(people: People) -> None:
    from dos.portal.strategy import actions as strategy
    from dos.portal.strategy.models import ActionField

    ActionField.objects.create(code="EU", slug="energie-und-umwelt", name="Energie und Umwelt")
    project = strategy.project_create(
        SYSTEM,
        code="EU 01",
        slug="baumsensoren",
        title="Baumsensoren",
        summary="Sensoren messen die Kronenfeuchte junger Bäume.",
        action_fields=["EU"],
        cities=[people.dortmund],
    )
    groups = search.search("Baum")
    assert titles(groups) == {"project": ["EU 01 Baumsensoren"]}
    entry = groups[0].entries[0]
    assert entry.url == project.get_absolute_url() and entry.city_id == people.dortmund.pk
    assert search.search("Baum", city_id=people.schwerte.pk) == []
    strategy.project_update(SYSTEM, project, cities=[people.dortmund, people.schwerte])
    assert titles(search.search("Baum", city_id=people.schwerte.pk)) == {
        "project": ["EU 01 Baumsensoren"]
    }
    strategy.project_delete(SYSTEM, project)
    assert search.search("Baum") == []


def test_demo_content_loads_idempotently(people: People) -> None:
    from dos.demo import content as demo

    demo.load(lambda _message: None)
    demo.load(lambda _message: None)
    assert Post.objects.count() == len(demo.POSTS)
    assert Post.objects.visible().count() == len(demo.POSTS) - 1  # one is scheduled
    assert titles(search.search("Bäume")) == {"news": ["Baumsensoren helfen beim Gießen"]}
    assert titles(search.search("Strategie", kind="page")) == {"page": ["Über die Strategie"]}
