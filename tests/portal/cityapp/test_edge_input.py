"""Input at the edges gets the standard's error (Open311) or a problem document (app API),
never a 500 or Django's HTML error page: bodies past the size limits, NUL characters (which
PostgreSQL cannot store), dates outside what a database holds, over-long descriptions."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dos.portal.cityapp.models import Adoption, Module, ServiceRequest
from tests.portal.cityapp.conftest import jpeg_with_gps

pytestmark = pytest.mark.django_db

BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


def fields(apps: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "jurisdiction_id": "dortmund",
        "api_key": apps["dortmund"]["raw"],
        "service_code": "pothole",
        "lat": "51.5",
        "long": "7.4",
        **extra,
    }


def assert_error(response: Any, status: int, words: str) -> None:
    assert response.status_code == status, response.content[:300]
    if response["Content-Type"].startswith("text/xml"):
        error = ET.fromstring(response.content).find("error")
        assert error is not None and error.findtext("code") == str(status)
        assert words in (error.findtext("description") or "")
    else:
        body = response.json()
        assert body[0]["code"] == status and words in body[0]["description"]


def test_bodies_past_the_limits(client: Any, apps: dict[str, Any]) -> None:
    url = "/open311/v2/requests"
    huge = "x" * 3_000_000  # past DATA_UPLOAD_MAX_MEMORY_SIZE
    as_json = json.dumps(fields(apps, description=huge))
    assert_error(
        client.post(f"{url}.json", as_json, content_type="application/json"), 413, "too large"
    )
    assert_error(client.post(f"{url}.xml", fields(apps, description=huge)), 413, "too large")
    many = fields(apps, **{f"extra{i}": "1" for i in range(1200)})
    assert_error(client.post(f"{url}.json", many), 400, "too many fields")
    too_long = fields(apps, description="x" * 4001)
    assert_error(client.post(f"{url}.json", too_long), 400, "4000 characters")
    # A real photo past 5 MB (no patched limit).
    big = SimpleUploadedFile(
        "big.jpg", jpeg_with_gps() + b"\0" * (5 * 1024 * 1024), content_type="image/jpeg"
    )
    assert_error(client.post(f"{url}.xml", fields(apps, media=big)), 413, "larger than 5 MB")
    assert not ServiceRequest.objects.exists()
    ok = client.post(f"{url}.json", fields(apps, description="x" * 4000))
    assert ok.status_code == 201
    assert ServiceRequest.objects.get().description == "x" * 4000


def test_nul_characters_are_refused(client: Any, apps: dict[str, Any]) -> None:
    raw = apps["dortmund"]["raw"]
    base = "/open311/v2"
    assert_error(client.get(f"{base}/services.json?jurisdiction_id=dort%00mund"), 400, "NUL")
    query = f"{base}/requests.json?jurisdiction_id=dortmund"
    assert_error(client.get(f"{query}&service_code=%00"), 400, "service_code")
    assert_error(client.get(f"{base}/tokens/a%00b.json?jurisdiction_id=dortmund"), 400, "token")
    assert_error(
        client.get(f"{base}/services/pot%00hole.xml?jurisdiction_id=dortmund"), 400, "code"
    )
    form = fields(apps, description="Loch\x00")
    assert_error(client.post(f"{base}/requests.json", form), 400, "description")
    as_json = json.dumps(fields(apps, attribute={"depth": "\x00"}))
    answer = client.post(f"{base}/requests.json", as_json, content_type="application/json")
    assert_error(answer, 400, "attribute[depth]")
    assert not ServiceRequest.objects.exists()
    for path in ("news?tag=%00", "places?q=a%00", "events?from=%00"):
        problem = client.get(f"/api/app/v1/dortmund/{path}", HTTP_X_API_KEY=raw)
        assert problem.status_code == 400 and "NUL" in problem.json()["detail"]
    # The same words without the NUL are fine.
    assert client.get("/api/app/v1/dortmund/news?tag=a", HTTP_X_API_KEY=raw).status_code == 200


def test_dates_a_database_cannot_hold(client: Any, apps: dict[str, Any]) -> None:
    query = "/open311/v2/requests.json?jurisdiction_id=dortmund"
    for value in (
        "start_date=9999-12-31T23:59:59-23:00",
        "end_date=0001-01-02T00:00:00Z",
        "start_date=0001-01-01T00:00:00Z",
    ):
        assert_error(client.get(f"{query}&{value}"), 400, "W3C date-time")
    assert client.get(f"{query}&start_date=2000-01-01T00:00:00Z").json() == []


def test_adoption_configuration_with_nul(
    client: Any, apps: dict[str, Any], schwerte_admin: Any
) -> None:
    client.force_login(schwerte_admin, backend=BACKEND)
    news = Module.objects.get(key="news")
    answer = client.post(
        "/schwerte/app/module/news/uebernehmen/",
        {
            "version": news.latest_version().pk,  # type: ignore[union-attr]
            "configuration": '{"title": "a\\u0000"}',
            "position": 1,
        },
    )
    assert answer.status_code == 200 and "Null" in answer.text
    assert not Adoption.objects.filter(module=news).exists()
