"""English versions of posts: written through the actions and the back office (sanitised like
the German text), shown on English pages and feeds, German where none was written."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from dos.portal.accounts.permissions import SYSTEM
from dos.portal.content import actions
from dos.portal.content.models import Post
from tests.portal.content.conftest import People
from tests.portal.content.helpers import published_post

BACKEND = "allauth.account.auth_backends.AuthenticationBackend"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _bilingual(people: People) -> Post:
    return published_post(
        "Klimamessnetz komplett",
        city=people.dortmund,
        teaser="Alle Standorte sind ausgestattet.",
        body="<p>80 Stationen</p>",
        title_en="Climate network complete",
        teaser_en="All sites are equipped.",
        body_en="<p>80 stations</p><script>alert(1)</script><img src=x onerror=alert(2)>",
    )


def test_english_texts_are_sanitised_like_the_german(people: People) -> None:
    post = _bilingual(people)
    assert post.body_en == "<p>80 stations</p>"
    actions.post_update(SYSTEM, post, body_en='<p onclick="x()">Hi<style>p{}</style></p>')
    post.refresh_from_db()
    assert post.body_en == "<p>Hi</p>"
    assert (post.text("title", "en"), post.text("title", "de")) == (
        "Climate network complete",
        "Klimamessnetz komplett",
    )


def test_english_texts_need_the_english_title(people: People) -> None:
    with pytest.raises(ValidationError) as caught:
        actions.post_create(
            SYSTEM, kind="news", title="T", teaser="T", teaser_en="Only a teaser in English"
        )
    assert "title_en" in caught.value.message_dict
    assert not Post.objects.exists()


def test_pages_in_english_with_german_fallback(people: People, client: Client) -> None:
    _bilingual(people)
    published_post("Nur auf Deutsch", city=people.dortmund, teaser="Kein Englisch.")
    detail = client.get("/dortmund/aktuelles/klimamessnetz-komplett/", **EN).content.decode()
    assert "<h1>Climate network complete</h1>" in detail
    assert "All sites are equipped." in detail and "<p>80 stations</p>" in detail
    assert "Klimamessnetz" not in detail
    listing = client.get("/dortmund/aktuelles/", **EN).content.decode()
    assert "Climate network complete" in listing and "All sites are equipped." in listing
    # The post without English shows its German texts, marked as German for screen readers.
    assert '<h2 lang="de"><a href="/dortmund/aktuelles/nur-auf-deutsch/">Nur auf Deutsch' in (
        listing
    )
    fallback = client.get("/dortmund/aktuelles/nur-auf-deutsch/", **EN).content.decode()
    assert '<h1 lang="de">Nur auf Deutsch</h1>' in fallback
    german = client.get("/dortmund/aktuelles/klimamessnetz-komplett/").content.decode()
    assert "<h1>Klimamessnetz komplett</h1>" in german and "Climate" not in german
    # The language cookie chooses English too.
    client.cookies["dos_language"] = "en"
    assert (
        "<h1>Climate network complete</h1>"
        in client.get("/dortmund/aktuelles/klimamessnetz-komplett/").content.decode()
    )


def test_feed_in_english(people: People, client: Client) -> None:
    _bilingual(people)
    english = client.get("/dortmund/aktuelles/feed/", **EN).content.decode()
    assert "<title>Climate network complete</title>" in english
    assert "All sites are equipped." in english
    german = client.get("/dortmund/aktuelles/feed/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "<title>Klimamessnetz komplett</title>" in german


def test_editor_writes_the_english_version_in_the_back_office(
    people: People, client: Client
) -> None:
    post = actions.post_create(
        people.editor, kind="news", title="Neue Sensoren", teaser="Kurz", city=people.dortmund
    )
    client.force_login(people.editor, backend=BACKEND)
    form = client.get(f"/admin/content/post/{post.pk}/change/").content.decode()
    assert "Englisch (optional)" in form and 'name="title_en"' in form
    assert 'name="teaser_en"' in form and 'name="body_en"' in form
    data = {
        "city": people.dortmund.pk,
        "title": "Neue Sensoren",
        "slug": "neue-sensoren",
        "teaser": "Kurz",
        "body": "",
        "title_en": "New sensors",
        "teaser_en": "Short",
        "body_en": "<p>Text</p><script>alert(1)</script>",
        "tag_names": "",
        "published_at_0": "",
        "published_at_1": "",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
    }
    response = client.post(f"/admin/content/post/{post.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    post.refresh_from_db()
    assert (post.title_en, post.teaser_en, post.body_en) == ("New sensors", "Short", "<p>Text</p>")
    # An English teaser without an English title is refused at the field.
    refused = client.post(
        f"/admin/content/post/{post.pk}/change/", {**data, "title_en": "", "teaser_en": "X"}
    )
    assert refused.status_code == 200
    assert "Titel (Englisch)" in refused.content.decode()
    post.refresh_from_db()
    assert post.teaser_en == "Short"


def test_gdpr_export_and_erasure_are_unchanged_by_english_versions(people: People) -> None:
    from dos.portal.accounts.privacy import collect_exports, erase_everywhere

    post = actions.post_create(
        people.editor,
        kind="blog",
        title="Mein Beitrag",
        teaser="T",
        city=people.dortmund,
        title_en="My post",
        teaser_en="T",
    )
    exported = collect_exports(people.editor)["content"]["posts_written"]
    assert exported == [
        {"kind": "blog", "title": "Mein Beitrag", "url": post.get_absolute_url(), "status": "draft"}
    ]
    erase_everywhere(people.editor)
    stored = Post.objects.get(pk=post.pk)
    assert stored.created_by is None and (stored.title, stored.title_en) == (
        "Mein Beitrag",
        "My post",
    )
