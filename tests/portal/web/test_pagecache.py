"""The page cache (dos.portal.web.pagecache): public pages kept for anonymous visitors, fresh
after every edit, never for or from a logged-in user.

The requests go through the ASGI layer in front of Django's ASGI handler, so the views run in
another thread: the tests commit their data (``transaction=True``) and make ORM calls through
``sync_to_async``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgiref.sync import sync_to_async
from django.core.asgi import get_asgi_application
from django.db import connection, connections
from django.test import Client

from dos.asgi import create_app
from dos.config import load
from dos.portal.accounts.permissions import SYSTEM
from dos.portal.strategy import actions
from dos.portal.strategy.models import Project
from dos.portal.web import generations
from dos.portal.web.pagecache import MARKER, PageCache
from tests.factories import dortmund
from tests.portal.strategy.factories import ProjectFactory
from tests.portal.strategy.test_admin import _editor, _form

pytestmark = pytest.mark.django_db(transaction=True)

PAGE = "/strategie/projekte/messnetz/"


@pytest.fixture
def project() -> Project:
    return ProjectFactory(slug="messnetz", title="Klimamessnetz", cities=[dortmund()])


@pytest.fixture
def cache() -> PageCache:
    return PageCache(get_asgi_application(), seconds=60, max_bytes=4 * 1024 * 1024)


@pytest.fixture(autouse=True)
async def _close_view_connections() -> AsyncIterator[None]:
    """Close, after each test, the connections the test's threads leave open, or PostgreSQL
    could not drop the test database: the ORM calls of the tests (asgiref's thread) and
    Django's error pages, which it renders in the event loop's default executor (made one
    thread here, so that the connection can be reached)."""
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=1))
    yield
    await sync_to_async(connections.close_all)()
    await loop.run_in_executor(None, connections.close_all)


async def orm(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Run ``function`` in the thread Django's views run in (the data is committed)."""
    return await sync_to_async(function)(*args, **kwargs)


def client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def test_second_anonymous_request_is_served_from_the_cache(cache, project) -> None:
    async with client(cache) as c:
        first = await c.get(PAGE)
        second = await c.get(PAGE)
        head = await c.head(PAGE)
    assert first.status_code == second.status_code == head.status_code == 200
    assert first.headers["x-cache"] == "miss"
    assert second.headers["x-cache"] == "hit"
    assert head.headers["x-cache"] == "miss"  # HEAD is kept apart from GET
    assert second.content == first.content
    assert "Klimamessnetz" in second.text
    assert MARKER.lower() not in first.headers and MARKER.lower() not in second.headers
    assert "set-cookie" not in first.headers
    assert "csrfmiddlewaretoken" not in first.text  # the header's language switch has none
    assert len(cache.entries) == 2 and 0 < cache.size <= cache.max_bytes


async def test_the_composed_app_puts_the_cache_before_the_portal(tmp_path: Path, project) -> None:
    config = load({"DOS_DATA_DIR": str(tmp_path), "DOS_SERVE_ONLY": "portal"})
    route = re.compile(
        r'dos_http_requests_total\{route="/strategie/projekte/<slug:slug>/",'
        r'method="GET",status="200"\} (\d+)'
    )

    def served(text: str) -> int:
        found = route.search(text)
        return int(found.group(1)) if found else 0

    async with client(create_app(config)) as c:
        before = served((await c.get("/metrics")).text)
        await c.get(PAGE)
        hit = await c.get(PAGE)
        after = served((await c.get("/metrics")).text)
    assert hit.headers["x-cache"] == "hit" and "x-request-id" in hit.headers
    assert after - before == 2  # a page served from the cache still counts under its route


async def test_an_edit_in_the_back_office_shows_at_the_next_request(cache, project) -> None:
    django_client = Client()
    await orm(lambda: _editor(django_client, dortmund()))
    async with client(cache) as c:
        await c.get(PAGE)
        assert (await c.get(PAGE)).headers["x-cache"] == "hit"

        def edit() -> int:
            response = django_client.post(
                f"/admin/strategy/project/{project.pk}/change/",
                _form(project, title="Stadtklima-Messnetz"),
            )
            return response.status_code

        assert await orm(edit) == 302
        after = await c.get(PAGE)
    assert after.headers["x-cache"] == "miss"
    assert "Stadtklima-Messnetz" in after.text


async def test_an_action_in_this_process_shows_at_the_next_request(cache, project) -> None:
    async with client(cache) as c:
        await c.get("/strategie/projekte/")
        assert (await c.get("/strategie/projekte/")).headers["x-cache"] == "hit"
        await orm(actions.project_update, SYSTEM, project, title="Umbenanntes Projekt")
        after = await c.get("/strategie/projekte/")
    assert after.headers["x-cache"] == "miss"
    assert "Umbenanntes Projekt" in after.text


async def test_a_write_of_another_process_shows_after_the_refresh(project) -> None:
    cache = PageCache(get_asgi_application(), seconds=60, max_bytes=1024 * 1024, refresh=0.0)
    async with client(cache) as c:
        await c.get(PAGE)

        def other_process_writes() -> None:
            # What another worker's edit leaves in the database: new title, new token
            # (written without this process's ORM signals, so local_writes stays).
            Project.objects.filter(pk=project.pk).update(title="Aus einem anderen Prozess")
            with connection.cursor() as cursor:
                cursor.execute("UPDATE web_contentgeneration SET token = 'other'")

        before = generations.local_writes()
        await orm(other_process_writes)
        assert generations.local_writes() == before
        await c.get(PAGE)  # at most this one still gets the page kept before (read begins)
        if cache._reading is not None:
            await cache._reading
        after = await c.get(PAGE)
    assert "Aus einem anderen Prozess" in after.text


async def test_a_logged_in_user_never_gets_nor_leaves_a_kept_page(cache, project) -> None:
    django_client = Client()
    await orm(lambda: _editor(django_client, dortmund()))
    session = django_client.cookies["sessionid"].value
    async with client(cache) as c:
        await c.get(PAGE)  # kept for anonymous visitors
        assert len(cache.entries) == 1
        for _ in range(2):
            mine = await c.get(PAGE, headers={"Cookie": f"sessionid={session}"})
            assert "x-cache" not in mine.headers
            assert "Log out" in mine.text or "Abmelden" in mine.text
        bearer = await c.get(PAGE, headers={"Authorization": "Bearer x"})
        assert "x-cache" not in bearer.headers
        assert len(cache.entries) == 1
        anonymous = await c.get(PAGE)
    assert anonymous.headers["x-cache"] == "hit"
    assert "Abmelden" not in anonymous.text and "Log out" not in anonymous.text


async def test_languages_are_kept_apart(cache, project) -> None:
    async with client(cache) as c:
        german = await c.get(PAGE, headers={"Accept-Language": "de-DE,de;q=0.9"})
        english = await c.get(PAGE, headers={"Accept-Language": "en-GB,en;q=0.9"})
        by_cookie = await c.get(PAGE, headers={"Cookie": "dos_language=en"})
        german_again = await c.get(PAGE)  # no preference: the default, German
    assert german.headers["x-cache"] == english.headers["x-cache"] == "miss"
    assert '<html lang="de">' in german.text and "Zum Inhalt springen" in german.text
    assert '<html lang="en">' in english.text and "Skip to content" in english.text
    assert by_cookie.headers["x-cache"] == "hit" and '<html lang="en">' in by_cookie.text
    assert german_again.headers["x-cache"] == "hit" and '<html lang="de">' in german_again.text


async def test_english_texts_are_kept_per_language(cache, project) -> None:
    """A project's English title is kept for English visitors only; writing it renews the
    English and the German page."""
    await orm(actions.project_update, SYSTEM, project, title_en="Climate network")
    english_headers = {"Accept-Language": "en"}
    async with client(cache) as c:
        german = await c.get(PAGE)
        english = await c.get(PAGE, headers=english_headers)
        english_again = await c.get(PAGE, headers=english_headers)
        german_again = await c.get(PAGE)
        await orm(actions.project_update, SYSTEM, project, title_en="City climate network")
        renewed = await c.get(PAGE, headers=english_headers)
    assert "<h1>Klimamessnetz</h1>" in german.text and "Climate network" not in german.text
    assert "<h1>Climate network</h1>" in english.text
    assert english_again.headers["x-cache"] == german_again.headers["x-cache"] == "hit"
    assert "<h1>Climate network</h1>" in english_again.text
    assert "<h1>Klimamessnetz</h1>" in german_again.text
    assert renewed.headers["x-cache"] == "miss" and "<h1>City climate network</h1>" in renewed.text


async def test_only_marked_pages_are_kept(cache, project) -> None:
    async with client(cache) as c:
        for _ in range(2):
            search = await c.get("/suche/?q=mess")
            login = await c.get("/accounts/login/")
    assert search.status_code == login.status_code == 200
    assert "x-cache" not in search.headers and "x-cache" not in login.headers
    assert "csrfmiddlewaretoken" in login.text  # a form page: Django sets the CSRF cookie
    assert cache.entries == {}


async def test_missing_pages_are_not_kept(cache, project) -> None:
    async with client(cache) as c:
        for _ in range(2):
            missing = await c.get("/strategie/projekte/gibt-es-nicht/")
            assert missing.status_code == 404 and "x-cache" not in missing.headers
    assert cache.entries == {}


def _marked_app(headers: list[tuple[bytes, bytes]], body: bytes, calls: list[str]) -> Any:
    """A portal stand-in whose marked page sets ``headers``; counts its calls."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        calls.append(scope["path"])
        base = [(b"Content-Type", b"text/html; charset=utf-8"), (MARKER.encode(), b"public")]
        await send({"type": "http.response.start", "status": 200, "headers": base + headers})
        await send({"type": "http.response.body", "body": body})

    return app


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ([(b"Set-Cookie", b"csrftoken=abc; Path=/")], b"<p>a page</p>"),
        ([(b"Cache-Control", b"private")], b"<p>a page</p>"),
        ([], b'<input type="hidden" name="csrfmiddlewaretoken" value="x">'),
    ],
    ids=["set-cookie", "private", "csrf-field"],
)
async def test_responses_that_are_not_the_same_for_everyone_are_not_kept(
    headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    calls: list[str] = []
    cache = PageCache(_marked_app(headers, body, calls), seconds=60, max_bytes=1024 * 1024)
    async with client(cache) as c:
        for _ in range(2):
            response = await c.get("/a/")
            assert response.content == body
            assert MARKER.lower() not in response.headers
    assert calls == ["/a/", "/a/"]
    assert cache.entries == {}


async def test_memory_bound_holds_least_recently_used_go_first() -> None:
    calls: list[str] = []
    cache = PageCache(_marked_app([], b"x" * 1000, calls), seconds=60, max_bytes=10_000)
    async with client(cache) as c:
        await c.get("/p0/")
        fit = cache.max_bytes // cache.size  # pages of this size that fit
        assert fit == 8
        for n in range(1, 8):
            await c.get(f"/p{n}/")
        assert (await c.get("/p0/")).headers["x-cache"] == "hit"  # now the most recent
        for n in range(8, 12):
            await c.get(f"/p{n}/")
            assert cache.size <= cache.max_bytes
        kept = [key[3] for key in cache.entries]
        assert kept == ["/p5/", "/p6/", "/p7/", "/p0/", "/p8/", "/p9/", "/p10/", "/p11/"]
        assert (await c.get("/p1/")).headers["x-cache"] == "miss"
    # A page larger than an eighth of the cache is never kept.
    big = PageCache(_marked_app([], b"y" * 1300, calls), seconds=60, max_bytes=10_000)
    async with client(big) as c:
        await c.get("/big/")
    assert big.entries == {}


def test_language_switch_works_without_a_csrf_token(project) -> None:
    django_client = Client(enforce_csrf_checks=True)
    page = django_client.get(PAGE)
    assert "csrfmiddlewaretoken" not in page.content.decode()
    assert "csrftoken" not in page.cookies
    response = django_client.post("/i18n/setlang/", {"language": "en", "next": PAGE})
    assert response.status_code == 302 and response["Location"] == PAGE
    assert '<html lang="en">' in django_client.get(PAGE).content.decode()
