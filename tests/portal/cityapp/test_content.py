"""Content endpoints of the app API: pagination, filters, language, ETag, isolation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from dos.portal.content.models import Post
from dos.portal.strategy.models import Phase
from tests.portal.events.factories import EventFactory, VenueFactory
from tests.portal.strategy.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def get(
    client: Any, apps: dict[str, Any], path: str, city: str = "dortmund", **headers: Any
) -> Any:
    return client.get(f"/api/app/v1/{city}/{path}", HTTP_X_API_KEY=apps[city]["raw"], **headers)


def test_events_with_registration_link_and_paging(client: Any, apps: dict[str, Any]) -> None:
    dortmund, schwerte = apps["dortmund"]["city"], apps["schwerte"]["city"]
    for day in (3, 1, 2):
        EventFactory(city=dortmund, starts_at=timezone.now() + timedelta(days=day))
    EventFactory(city=schwerte, venue=VenueFactory(city=schwerte))
    first = get(client, apps, "events?page_size=2").json()
    assert first["count"] == 3 and len(first["results"]) == 2
    assert first["next"].endswith("page=2")
    event = first["results"][0]
    assert event["registration_url"] == event["url"] + "anmelden/"
    assert event["venue"]["address"].startswith("Kleppingstraße")
    second = get(client, apps, "events?page_size=2&page=2").json()
    assert len(second["results"]) == 1 and second["previous"]
    later = (timezone.localdate() + timedelta(days=10)).isoformat()
    assert get(client, apps, f"events?from={later}").json()["count"] == 0
    bad = get(client, apps, "events?from=tomorrow")
    assert bad.status_code == 400 and "from" in bad.json()["detail"]
    assert get(client, apps, "events?page=0").status_code == 400


def test_places(client: Any, apps: dict[str, Any]) -> None:
    VenueFactory(city=apps["dortmund"]["city"], name="Projektor")
    VenueFactory(city=apps["schwerte"]["city"], name="Rathaus Schwerte")
    names = [p["name"] for p in get(client, apps, "places").json()["results"]]
    assert names == ["Projektor"]
    assert (
        get(client, apps, "places").json()["results"][0]["accessibility"]["step_free_access"]
        is True
    )


def test_projects_language_and_filters(client: Any, apps: dict[str, Any]) -> None:
    ProjectFactory(title="Smarte Schulen", cities=[apps["dortmund"]["city"]], phase="planning")
    ProjectFactory(title="Regionale Datenplattform")
    ProjectFactory(title="Nur Schwerte", cities=[apps["schwerte"]["city"]])
    english = get(client, apps, "projects?lang=en").json()
    assert {p["title"] for p in english["results"]} == {
        "Smarte Schulen",
        "Regionale Datenplattform",
    }
    labels = {p["title"]: p["phase_label"] for p in english["results"]}
    assert labels["Smarte Schulen"] == "Planning"
    german = get(client, apps, "projects?phase=planning", HTTP_ACCEPT_LANGUAGE="de").json()
    with translation.override("de"):
        assert german["results"][0]["phase_label"] == str(Phase.PLANNING.label)
    assert [p["title"] for p in get(client, apps, "projects?phase=planning").json()["results"]] == [
        "Smarte Schulen"
    ]
    assert get(client, apps, "projects?phase=nonsense").status_code == 400
    assert [p["title"] for p in get(client, apps, "projects?q=schulen").json()["results"]] == [
        "Smarte Schulen"
    ]


def test_news_visible_only(client: Any, apps: dict[str, Any]) -> None:
    now = timezone.now()
    Post.objects.create(
        city=apps["dortmund"]["city"],
        title="Neue Sensoren",
        slug="neue-sensoren",
        teaser="t",
        body="b",
        status=Post.Status.PUBLISHED,
        published_at=now - timedelta(hours=1),
    )
    Post.objects.create(
        city=apps["dortmund"]["city"],
        title="Entwurf",
        slug="entwurf",
        teaser="t",
        body="b",
        status=Post.Status.DRAFT,
    )
    Post.objects.create(
        city=apps["dortmund"]["city"],
        title="Geplant",
        slug="geplant",
        teaser="t",
        body="b",
        status=Post.Status.PUBLISHED,
        published_at=now + timedelta(days=1),
    )
    Post.objects.create(
        city=apps["schwerte"]["city"],
        title="Schwerte intern",
        slug="schwerte",
        teaser="t",
        body="b",
        status=Post.Status.PUBLISHED,
        published_at=now - timedelta(hours=1),
    )
    titles = [n["title"] for n in get(client, apps, "news").json()["results"]]
    assert titles == ["Neue Sensoren"]


def test_content_etag_and_key(client: Any, apps: dict[str, Any]) -> None:
    VenueFactory(city=apps["dortmund"]["city"])
    first = get(client, apps, "places")
    again = get(client, apps, "places", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert client.get("/api/app/v1/dortmund/places").status_code == 401
    assert (
        client.get(
            "/api/app/v1/dortmund/places", HTTP_X_API_KEY=apps["schwerte"]["raw"]
        ).status_code
        == 403
    )
    assert get(client, apps, "nothing").status_code == 404


def test_project_list_query_count(
    client: Any, apps: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for n in range(15):
        ProjectFactory(cities=[apps["dortmund"]["city"]], title=f"P{n}")
    get(client, apps, "projects")  # warm caches (content types, sessions)
    with django_assert_max_num_queries(6):
        assert get(client, apps, "projects?page_size=100").json()["count"] == 15


def test_config_query_count(
    client: Any, apps: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    # key, rate limit (and forgetting past minutes), tokens, settings, adoptions
    with django_assert_max_num_queries(6):
        assert get(client, apps, "config").status_code == 200


def test_ideas_with_status_and_official_answers(client: Any, apps: dict[str, Any]) -> None:
    from dos.portal.participation.models import Idea, StatusChange
    from tests.factories import UserFactory
    from tests.portal.participation.conftest import make_process

    dortmund = apps["dortmund"]["city"]
    process = make_process(dortmund)
    author = UserFactory()
    idea = Idea.objects.create(
        process=process,
        city=dortmund,
        author=author,
        title="Mehr Bänke am Phoenix-See",
        description="Bitte.",
        status="accepted",
        published=True,
        support_count=12,
    )
    StatusChange.objects.create(
        idea=idea, status="accepted", answer="Wir stellen im Frühjahr zehn Bänke auf."
    )
    StatusChange.objects.create(idea=idea, status="precheck", answer="")
    Idea.objects.create(
        process=process,
        city=dortmund,
        author=author,
        title="Versteckt",
        description="x",
        published=True,
        hidden=True,
    )
    Idea.objects.create(
        process=process, city=dortmund, author=author, title="Unveröffentlicht", description="x"
    )
    body = get(client, apps, "ideas?lang=en").json()
    assert [i["title"] for i in body["results"]] == ["Mehr Bänke am Phoenix-See"]
    item = body["results"][0]
    assert (
        item["status"] == "accepted"
        and item["status_label"] == "Accepted"
        and item["supports"] == 12
    )
    assert [a["answer"] for a in item["official_answers"]] == [
        "Wir stellen im Frühjahr zehn Bänke auf."
    ]
    assert get(client, apps, "ideas?status=declined").json()["count"] == 0
    assert get(client, apps, "ideas?status=maybe").status_code == 400
    assert get(client, apps, "ideas", city="schwerte").json()["count"] == 0
