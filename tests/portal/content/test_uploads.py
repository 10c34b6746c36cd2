"""Sanitising, images (type, size, alt text, EXIF stripped) and document uploads."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from dos.portal.accounts.permissions import SYSTEM
from dos.portal.content import actions, uploads
from dos.portal.content.models import Document, Post, PostImage
from dos.portal.content.sanitize import clean_html, plain_text
from tests.portal.content.conftest import People


@pytest.fixture(autouse=True)
def english() -> object:
    """Messages are checked in English (the msgids); the German ones are in the .po file."""
    with translation.override("en"):
        yield


def test_sanitising_removes_scripts_handlers_styles_and_images() -> None:
    dirty = (
        '<h2 onclick="steal()">Titel</h2><script>alert(1)</script><style>p{}</style>'
        '<p style="color:red">Text <a href="javascript:alert(1)">böse</a> '
        '<a href="https://www.dortmund.de/">gut</a><img src="https://tracker.example/p.gif"></p>'
        "<iframe src='https://x'></iframe><!-- Kommentar -->"
    )
    clean = clean_html(dirty)
    assert clean == (
        '<h2>Titel</h2><p>Text <a rel="noopener noreferrer">böse</a> '
        '<a href="https://www.dortmund.de/" rel="noopener noreferrer">gut</a></p>'
    )
    assert plain_text("<p>Bäume &amp; Sträucher</p><p>mehr</p>") == "Bäume & Sträucher mehr"


def test_post_body_is_stored_sanitised(people: People) -> None:
    post = actions.post_create(
        people.editor,
        kind="blog",
        title="T",
        teaser="T",
        body="<p>ok</p><script>document.cookie</script>",
        city=people.dortmund,
    )
    assert Post.objects.get(pk=post.pk).body == "<p>ok</p>"
    actions.post_update(people.editor, post, body='<p onmouseover="x()">neu</p>')
    assert Post.objects.get(pk=post.pk).body == "<p>neu</p>"


def jpeg_with_exif(size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "Kamerahersteller"  # Make
    exif[0x0131] = "Software 1.0"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_image_is_reencoded_without_exif(people: People) -> None:
    data = jpeg_with_exif()
    assert Image.open(io.BytesIO(data)).getexif()  # the original carries EXIF
    post = actions.post_create(
        people.editor, kind="news", title="T", teaser="T", city=people.dortmund
    )
    image = actions.post_image_add(
        people.editor,
        post,
        SimpleUploadedFile("foto.jpg", data, "image/jpeg"),
        alt_text="Eine Wetterstation auf einem Dach",
    )
    stored = PostImage.objects.get(pk=image.pk)
    assert (stored.content_type, stored.width, stored.height) == ("image/jpeg", 64, 48)
    with stored.file.open("rb") as handle:
        reloaded = Image.open(io.BytesIO(handle.read()))
        assert not reloaded.getexif()
        assert "exif" not in reloaded.info


def test_image_needs_alt_text_and_a_real_image(people: People) -> None:
    post = actions.post_create(
        people.editor, kind="news", title="T", teaser="T", city=people.dortmund
    )
    with pytest.raises(ValidationError) as error:
        actions.post_image_add(
            people.editor, post, SimpleUploadedFile("a.jpg", jpeg_with_exif()), alt_text=" "
        )
    assert "alt_text" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        actions.post_image_add(
            people.editor, post, SimpleUploadedFile("a.jpg", b"GIF89a...."), alt_text="Bild"
        )
    assert "JPEG, PNG or WebP" in error.value.message_dict["file"][0]
    assert not PostImage.objects.exists()


def test_oversized_image_is_refused(people: People, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_IMAGE_BYTES", 1000)
    post = actions.post_create(
        people.editor, kind="news", title="T", teaser="T", city=people.dortmund
    )
    with pytest.raises(ValidationError) as error:
        actions.post_image_add(
            people.editor,
            post,
            SimpleUploadedFile("big.jpg", jpeg_with_exif((400, 400))),
            alt_text="Bild",
        )
    assert "at most" in error.value.message_dict["file"][0]
    assert not PostImage.objects.exists()


def test_images_of_another_city_are_refused(people: People) -> None:
    post = actions.post_create(
        people.editor, kind="news", title="T", teaser="T", city=people.dortmund
    )
    with pytest.raises(PermissionDenied):
        actions.post_image_add(
            people.schwerte_editor,
            post,
            SimpleUploadedFile("a.jpg", jpeg_with_exif()),
            alt_text="B",
        )


PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def odt() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def test_document_upload_and_download(people: People, client) -> None:
    document = actions.document_upload(
        people.editor,
        title="Smart-City-Strategie DOS 2030",
        upload=io.BytesIO(PDF),
        filename="strategie.pdf",
        city=people.dortmund,
    )
    stored = Document.objects.get(pk=document.pk)
    assert (stored.content_type, stored.size, stored.filename) == (
        "application/pdf",
        len(PDF),
        "strategie.pdf",
    )
    html = client.get("/dortmund/dokumente/").content.decode()
    assert "Smart-City-Strategie DOS 2030" in html
    assert f"PDF, {len(PDF)}\xa0Bytes" in html  # size shown, with a no-break space
    response = client.get(stored.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'attachment; filename="strategie.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF


def test_document_types_are_recognised_by_content(people: People) -> None:
    doc = actions.document_upload(
        people.editor, title="Bericht", upload=io.BytesIO(odt()), filename="bericht.odt",
        city=people.dortmund,
    )  # fmt: skip
    assert doc.type_label == "ODT"
    for data, name in ((PDF, "strategie.odt"), (b"MZ\x90\x00", "tool.exe"), (odt(), "x.pdf")):
        with pytest.raises(ValidationError) as error:
            actions.document_upload(
                people.editor, title="X", upload=io.BytesIO(data), filename=name,
                city=people.dortmund,
            )  # fmt: skip
        assert "not allowed" in error.value.message_dict["file"][0]
        assert "PDF" in error.value.message_dict["file"][0]
    assert Document.objects.count() == 1


def test_oversized_document_is_refused(people: People, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_DOCUMENT_BYTES", 20)
    with pytest.raises(ValidationError) as error:
        actions.document_upload(
            people.editor, title="X", upload=io.BytesIO(PDF), filename="a.pdf", city=people.dortmund
        )
    assert "at most 20" in error.value.message_dict["file"][0]
    assert not Document.objects.exists()


def test_document_permissions(people: People) -> None:
    for who in (people.schwerte_editor, people.citizen):
        with pytest.raises(PermissionDenied):
            actions.document_upload(
                who, title="X", upload=io.BytesIO(PDF), filename="a.pdf", city=people.dortmund
            )
    doc = actions.document_upload(
        people.editor, title="X", upload=io.BytesIO(PDF), filename="a.pdf", city=people.dortmund
    )
    with pytest.raises(PermissionDenied):
        actions.document_update(people.schwerte_editor, doc, title="Y")
    actions.document_update(people.editor, doc, title="Strategie", description="Beschluss")
    assert Document.objects.get(pk=doc.pk).title == "Strategie"
    with pytest.raises(PermissionDenied):
        actions.document_delete(people.citizen, doc)
    actions.document_delete(people.editor, doc)
    assert not Document.objects.exists()


def test_image_is_served_only_once_the_post_is_public(people: People, client) -> None:
    post = actions.post_create(SYSTEM, kind="news", title="T", teaser="T", city=people.dortmund)
    image = actions.post_image_add(
        SYSTEM, post, SimpleUploadedFile("a.jpg", jpeg_with_exif()), alt_text="Bild"
    )
    assert client.get(image.get_absolute_url()).status_code == 404
    actions.post_publish(SYSTEM, post)
    response = client.get(image.get_absolute_url())
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")
    html = client.get(post.get_absolute_url()).content.decode()
    assert f'<img src="{image.get_absolute_url()}" alt="Bild" width="64" height="48"' in html
