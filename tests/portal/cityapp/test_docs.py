"""Every curl example in docs/cityapp.md runs against the Django test client and answers the
status the doc promises."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dos.portal.accounts.permissions import SYSTEM
from dos.portal.cityapp.actions import request_submit
from tests.portal.cityapp.conftest import jpeg_with_gps

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[3] / "docs" / "cityapp.md"
EXAMPLE = re.compile(r"^(curl .*?)\s+# → (\d{3})$", re.MULTILINE)


def examples() -> list[tuple[str, int]]:
    blocks = re.findall(r"```bash\n(.*?)```", DOC.read_text(), re.DOTALL)
    return [(cmd, int(status)) for block in blocks for cmd, status in EXAMPLE.findall(block)]


def run(client: Any, command: str, values: dict[str, str]) -> Any:
    words = shlex.split(command)[1:]
    for name, value in sorted(values.items(), key=lambda kv: -len(kv[0])):
        words = [word.replace(f"${name}", value) for word in words]
    method, headers, form, files, url = "GET", {}, {}, {}, ""
    i = 0
    while i < len(words):
        word = words[i]
        if word == "-s":
            pass
        elif word == "-X":
            i += 1
            method = words[i]
        elif word == "-H":
            i += 1
            name, _, value = words[i].partition(": ")
            headers["HTTP_" + name.upper().replace("-", "_")] = value
        elif word in ("-d", "-F"):
            i += 1
            name, _, value = words[i].partition("=")
            if value.startswith("@"):
                files[name] = SimpleUploadedFile(
                    value[1:], jpeg_with_gps(), content_type="image/jpeg"
                )
            else:
                form[name] = value
        else:
            url = word
        i += 1
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if method == "POST":
        return client.post(path, {**form, **files}, **headers)
    return client.get(path, **headers)


def test_doc_has_examples_for_every_endpoint() -> None:
    commands = " ".join(cmd for cmd, _ in examples())
    for route in (
        "openapi.json",
        "/config",
        "services.json",
        "services/",
        "requests.json",
        "requests/",
        "tokens/",
        "-F media=@",
        "services.xml",
        "requests.xml",
    ):
        assert route in commands, route


def test_doc_shows_every_content_endpoint(db: Any) -> None:
    from dos.portal.cityapp.api.content import available

    commands = " ".join(cmd for cmd, _ in examples())
    for endpoint in sorted(available()):
        assert f"/api/app/v1/dortmund/{endpoint}" in commands, endpoint


@pytest.fixture
def _broker_store() -> None:
    from django.conf import settings

    from dos.broker.store import open_store

    store = open_store(settings.CONFIG)
    store.migrate()
    store.close()


@pytest.mark.usefixtures("_broker_store")
def test_doc_examples_run(client: Any, apps: dict[str, Any]) -> None:
    report = request_submit(
        SYSTEM, apps["dortmund"]["services"]["pothole"], address_string="Markt 1"
    )
    values = {
        "DOS": "http://testserver",
        "KEY": apps["dortmund"]["raw"],
        "SCHWERTE_KEY": apps["schwerte"]["raw"],
        "REQUEST_ID": str(report.pk),
        "TOKEN": report.token,
    }
    config = client.get("/api/app/v1/dortmund/config", HTTP_X_API_KEY=values["KEY"])
    values["ETAG"] = config["ETag"]
    found = examples()
    assert len(found) >= 18
    for command, status in found:
        response = run(client, command, values)
        assert response.status_code == status, (command, response.content[:300])
