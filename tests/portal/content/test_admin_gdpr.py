"""The back office goes through the actions; GDPR export and erasure of authorship."""

from __future__ import annotations

from django.test import Client

from dos.portal.accounts.privacy import collect_exports, erase_everywhere
from dos.portal.content import actions
from dos.portal.content.models import Post
from tests.portal.content.conftest import People

BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


def test_editor_writes_and_submits_in_the_back_office(people: People, client: Client) -> None:
    client.force_login(people.editor, backend=BACKEND)
    response = client.post(
        "/admin/content/post/add/",
        {
            "kind": "news",
            "city": people.dortmund.pk,
            "title": "Neue Sensoren",
            "slug": "",
            "teaser": "Kurz",
            "body": "<p>Text</p><script>alert(1)</script>",
            "tag_names": "Sensorik, Klima",
            "published_at_0": "",
            "published_at_1": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get()
    assert (post.slug, post.body, post.status) == ("neue-sensoren", "<p>Text</p>", "draft")
    assert sorted(t.name for t in post.tags.all()) == ["Klima", "Sensorik"]
    client.post(
        "/admin/content/post/",
        {"action": "submit", "_selected_action": [post.pk]},
    )
    assert Post.objects.get().status == "review"
    client.post("/admin/content/post/", {"action": "publish", "_selected_action": [post.pk]})
    assert Post.objects.get().status == "review"  # editors do not publish
    client.force_login(people.reviewer, backend=BACKEND)
    client.post("/admin/content/post/", {"action": "publish", "_selected_action": [post.pk]})
    assert Post.objects.get().status == "published"


def test_back_office_lists_only_own_city(people: People, client: Client) -> None:
    actions.post_create(
        people.editor, kind="news", title="Meldung aus Dortmund", teaser="T", city=people.dortmund
    )
    actions.post_create(
        people.schwerte_editor,
        kind="news",
        title="Meldung aus Schwerte",
        teaser="T",
        city=people.schwerte,
    )
    client.force_login(people.schwerte_editor, backend=BACKEND)
    html = client.get("/admin/content/post/").content.decode()
    assert "Meldung aus Schwerte" in html and "Meldung aus Dortmund" not in html
    assert client.get("/admin/content/post/").status_code == 200
    client.force_login(people.citizen, backend=BACKEND)
    assert client.get("/admin/content/post/").status_code == 302  # no back office


def test_gdpr_export_and_erase(people: People) -> None:
    post = actions.post_create(
        people.editor, kind="blog", title="Mein Beitrag", teaser="T", city=people.dortmund
    )
    actions.post_publish(people.reviewer, post)
    exported = collect_exports(people.editor)["content"]
    assert exported["posts_written"][0]["title"] == "Mein Beitrag"
    assert collect_exports(people.reviewer)["content"]["posts_published"][0]["title"] == (
        "Mein Beitrag"
    )
    erase_everywhere(people.editor)
    stored = Post.objects.get(pk=post.pk)
    assert stored.created_by is None and stored.title == "Mein Beitrag"


def test_back_office_forms_render_for_editors(people: People, client: Client) -> None:
    client.force_login(people.editor, backend=BACKEND)
    for model in ("post", "postimage", "page", "document"):
        assert client.get(f"/admin/content/{model}/add/").status_code == 200, model


def test_wrong_document_type_is_reported_at_the_field(people: People, client: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dos.portal.content.models import Document

    client.force_login(people.editor, backend=BACKEND)
    response = client.post(
        "/admin/content/document/add/",
        {
            "city": people.dortmund.pk,
            "title": "Strategie",
            "description": "",
            "upload": SimpleUploadedFile("strategie.pdf", b"MZ\x90\x00 not a pdf"),
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Dateityp ist nicht erlaubt" in errors["upload"][0]
    assert not Document.objects.exists()
    response = client.post(
        "/admin/content/document/add/",
        {
            "city": people.dortmund.pk,
            "title": "Strategie",
            "description": "Beschluss",
            "upload": SimpleUploadedFile("strategie.pdf", b"%PDF-1.7\n%%EOF\n"),
        },
    )
    assert response.status_code == 302
    stored = Document.objects.get()
    assert (stored.title, stored.content_type, stored.uploaded_by) == (
        "Strategie",
        "application/pdf",
        people.editor,
    )
