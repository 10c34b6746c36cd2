"""Cached payloads of the app API and Open311 (issue #7): served until their data changes,
in any process, and a number of queries that does not grow with the rows listed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dos.portal.accounts.permissions import SYSTEM
from dos.portal.cityapp import actions
from dos.portal.content.models import Post
from dos.portal.strategy.models import Project
from dos.portal.web import generations
from tests.portal.events.factories import EventFactory
from tests.portal.strategy.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_minute(monkeypatch: Any) -> None:
    """Pin the clock of the rate limit and of the timed cache buckets: a minute turning
    between two counted requests would add the rate limit's clean-up query."""
    import time
    from types import SimpleNamespace

    from dos.portal.cityapp import access
    from dos.portal.cityapp.api import content

    now = (time.time() // 60) * 60 + 1
    clock = SimpleNamespace(time=lambda: now)
    monkeypatch.setattr(access, "time", clock)
    monkeypatch.setattr(content, "time", clock)


def get(client: Any, apps: dict[str, Any], path: str, **headers: Any) -> Any:
    return client.get(path, HTTP_X_API_KEY=apps["dortmund"]["raw"], **headers)


def queries(client: Any, apps: dict[str, Any], path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert get(client, apps, path).status_code == 200
    return len(captured.captured_queries)


def add_post(city: Any, n: int) -> None:
    post = Post.objects.create(
        city=city,
        title=f"Meldung {n}",
        slug=f"meldung-{n}",
        teaser="t",
        body="b",
        status=Post.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=n + 1),
    )
    post.tags.create(name=f"Tag {n}", slug=f"tag-{n}")


def add_idea(city: Any, n: int) -> None:
    from dos.portal.participation.models import Idea, StatusChange
    from tests.factories import UserFactory
    from tests.portal.participation.conftest import make_process

    process = make_process(city, slug=f"prozess-{n}")
    idea = Idea.objects.create(
        process=process,
        city=city,
        author=UserFactory(),
        title=f"Idee {n}",
        description="d",
        published=True,
    )
    StatusChange.objects.create(idea=idea, status="accepted", answer=f"Antwort {n}")


ADD = {
    "/api/app/v1/dortmund/projects": lambda city, n: ProjectFactory(cities=[city]),
    "/api/app/v1/dortmund/events": lambda city, n: EventFactory(city=city),
    "/api/app/v1/dortmund/news": add_post,
    "/api/app/v1/dortmund/ideas": add_idea,
    "/open311/v2/services.json?jurisdiction_id=dortmund": lambda city, n: actions.service_save(
        SYSTEM, city, code=f"service-{n}", name=f"Dienst {n}", department="Amt"
    ),
}


@pytest.mark.parametrize("path", list(ADD))
def test_queries_do_not_grow_with_rows(client: Any, apps: dict[str, Any], path: str) -> None:
    city = apps["dortmund"]["city"]
    ADD[path](city, 0)
    get(client, apps, path)  # the first minute's rate-limit row and content types
    cache.clear()
    few = queries(client, apps, path)
    for n in range(1, 12):
        ADD[path](city, n)
    cache.clear()
    many = queries(client, apps, path)
    assert many == few, f"{path}: {few} queries for 1 row, {many} for 12"
    assert queries(client, apps, path) <= 4  # cached: key, rate limit, tokens (and the city)


def test_config_from_cache_in_four_queries(client: Any, apps: dict[str, Any]) -> None:
    get(client, apps, "/api/app/v1/dortmund/config")
    assert queries(client, apps, "/api/app/v1/dortmund/config") <= 4


def test_change_is_served_at_once(client: Any, apps: dict[str, Any]) -> None:
    ProjectFactory(cities=[apps["dortmund"]["city"]], title="Alt", slug="p")
    path = "/api/app/v1/dortmund/projects"
    first = get(client, apps, path)
    assert [p["title"] for p in first.json()["results"]] == ["Alt"]
    project = Project.objects.get(slug="p")
    project.title = "Neu"
    project.save()
    changed = get(client, apps, path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed.json()["results"][0]["title"] == "Neu"
    assert get(client, apps, path, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 304


def test_change_by_another_process_is_served_at_once(client: Any, apps: dict[str, Any]) -> None:
    """Another process writes the data and the token; this process's cache is not told."""
    ProjectFactory(cities=[apps["dortmund"]["city"]], title="Alt", slug="p")
    path = "/api/app/v1/dortmund/projects"
    assert get(client, apps, path).json()["results"][0]["title"] == "Alt"
    Project.objects.filter(slug="p").update(title="Neu")  # no signal in this process
    assert get(client, apps, path).json()["results"][0]["title"] == "Alt"  # cached
    generations.bump("strategy")  # what the other process's save did in its transaction
    assert get(client, apps, path).json()["results"][0]["title"] == "Neu"


def test_config_follows_module_changes(client: Any, apps: dict[str, Any]) -> None:
    path = "/api/app/v1/dortmund/config"
    before = get(client, apps, path).json()
    settings_ = apps["dortmund"]["city"].app_settings
    settings_.app_name = "Dortmund-App 2"
    settings_.save()
    after = get(client, apps, path).json()
    assert before["app_name"] == "Dortmund-App" and after["app_name"] == "Dortmund-App 2"


def test_each_write_changes_its_apps_token(apps: dict[str, Any]) -> None:
    before = generations.current(["strategy", "events"])
    project = ProjectFactory()
    middle = generations.current(["strategy", "events"])
    assert middle.split(".")[0] != before.split(".")[0]
    assert middle.split(".")[1] == before.split(".")[1]
    project.cities.add(apps["dortmund"]["city"])  # a many-to-many change
    assert generations.current(["strategy"]) != middle.split(".")[0]
    token = generations.current(["strategy"])
    project.delete()
    assert generations.current(["strategy"]) != token
