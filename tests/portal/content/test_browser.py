"""News, a post with an image, search and documents in headless Chromium, with axe-core."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dos.portal.accounts.permissions import SYSTEM
from dos.portal.content import actions
from tests.factories import dortmund, schwerte
from tests.portal.content.helpers import published_post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (30, 110, 60)).save(out, "PNG")
    return out.getvalue()


def test_citizen_reads_news_searches_and_downloads(live_url, page, axe_violations) -> None:
    do = dortmund()
    schwerte()
    post = published_post(
        "Baumsensoren helfen beim Gießen",
        city=do,
        teaser="Sensoren messen, wie viel Wasser Bäume haben.",
        body="<p>Junge <strong>Bäume</strong> werden gezielter gegossen.</p>",
        tags=["Umwelt"],
    )
    actions.post_image_add(
        SYSTEM, post, SimpleUploadedFile("baum.png", png()), alt_text="Sensor an einem Baum"
    )
    published_post("Regionale Meldung", teaser="Für die ganze Region.")
    actions.document_upload(
        SYSTEM,
        title="Strategie DOS 2030",
        upload=io.BytesIO(b"%PDF-1.7\n%%EOF\n"),
        filename="strategie.pdf",
    )

    page.goto(live_url + "/dortmund/aktuelles/")
    assert page.get_by_role("heading", level=1).inner_text() == "Nachrichten · Dortmund"
    assert axe_violations(page) == []
    page.get_by_role("link", name="Baumsensoren helfen beim Gießen").click()
    page.wait_for_url(live_url + post.get_absolute_url())
    image = page.get_by_role("img", name="Sensor an einem Baum")
    assert image.evaluate("img => img.complete && img.naturalWidth") == 120
    assert axe_violations(page) == []

    page.goto(live_url + "/suche/")
    page.get_by_label("Suchbegriff").fill("Baum")
    page.get_by_role("button", name="Suche").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Nachrichten (1)").is_visible()
    assert page.get_by_role("link", name="Baumsensoren helfen beim Gießen").is_visible()
    assert axe_violations(page) == []

    page.goto(live_url + "/dokumente/")
    assert page.get_by_text("PDF, 15").is_visible()
    assert axe_violations(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="Strategie DOS 2030").click()
    assert download.value.suggested_filename == "strategie.pdf"

    page.goto(live_url + "/")
    assert page.get_by_role("heading", name="Aktuelle Nachrichten").is_visible()
    assert axe_violations(page) == []
