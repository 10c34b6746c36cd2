"""Open311 GeoReport v2: every endpoint read back, the standard's errors, keys, isolation."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dos.portal.cityapp.models import ServiceRequest
from tests.portal.cityapp.conftest import jpeg_with_gps

pytestmark = pytest.mark.django_db


def post(client: Any, raw: str, fmt: str = "json", **data: Any) -> Any:
    body = {"jurisdiction_id": "dortmund", "api_key": raw, "service_code": "pothole", **data}
    return client.post(f"/open311/v2/requests.{fmt}", body)


def assert_error(response: Any, status: int, words: str) -> None:
    assert response.status_code == status
    body = response.json()
    assert body[0]["code"] == status and words in body[0]["description"]


def test_services_json_and_xml(client: Any, apps: dict[str, Any]) -> None:
    response = client.get("/open311/v2/services.json?jurisdiction_id=dortmund&lang=en")
    assert response.status_code == 200
    codes = {s["service_code"]: s for s in response.json()}
    assert codes["pothole"]["service_name"] == "Pothole"
    assert codes["illegal-dumping"]["metadata"] is True
    assert codes["pothole"]["type"] == "realtime"
    xml = client.get("/open311/v2/services.xml?jurisdiction_id=dortmund")
    assert xml["Content-Type"].startswith("text/xml")
    root = ET.fromstring(xml.content)
    assert root.tag == "services"
    assert [s.findtext("service_code") for s in root.findall("service")] == [
        "pothole",
        "illegal-dumping",
    ]
    assert root.find("service[service_code='illegal-dumping']/metadata").text == "true"


def test_service_definition(client: Any, apps: dict[str, Any]) -> None:
    body = client.get("/open311/v2/services/illegal-dumping.json?jurisdiction_id=dortmund").json()
    assert body["service_code"] == "illegal-dumping"
    attribute = body["attributes"][0]
    assert attribute["code"] == "waste_type" and attribute["required"] is True
    assert attribute["values"] == [{"key": "bulky", "name": "Sperrmüll"}]
    root = ET.fromstring(
        client.get("/open311/v2/services/illegal-dumping.xml?jurisdiction_id=dortmund").content
    )
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/values/value/key").text == "bulky"


def test_unknown_service_code(client: Any, apps: dict[str, Any]) -> None:
    assert_error(client.get("/open311/v2/services/nope.json?jurisdiction_id=dortmund"), 404, "nope")
    assert_error(
        post(client, apps["dortmund"]["raw"], service_code="nope", lat="51.5", long="7.4"),
        404,
        "service_code nope",
    )


def test_post_request_and_read_back(client: Any, apps: dict[str, Any]) -> None:
    response = post(
        client,
        apps["dortmund"]["raw"],
        lat="51.51",
        long="7.46",
        description="Loch",
        email="reporter@example.test",
        first_name="Erika",
    )
    assert response.status_code == 201
    created = response.json()[0]
    report = ServiceRequest.objects.get(pk=created["service_request_id"])
    assert report.token == created["token"]
    assert report.email == "reporter@example.test"
    assert report.agency_responsible == "Tiefbauamt"
    listed = client.get("/open311/v2/requests.json?jurisdiction_id=dortmund").json()
    assert [r["service_request_id"] for r in listed] == [str(report.pk)]
    one = client.get(f"/open311/v2/requests/{report.pk}.json?jurisdiction_id=dortmund").json()
    assert one[0]["status"] == "open" and one[0]["lat"] == 51.51
    assert one[0]["description"] == "Loch"
    text = json.dumps(listed) + json.dumps(one)
    assert "reporter@example.test" not in text and "Erika" not in text
    token = client.get(f"/open311/v2/tokens/{report.token}.json?jurisdiction_id=dortmund").json()
    assert token == [{"service_request_id": str(report.pk), "token": report.token}]
    xml = ET.fromstring(
        client.get(f"/open311/v2/requests/{report.pk}.xml?jurisdiction_id=dortmund").content
    )
    assert xml.tag == "service_requests"
    assert xml.find("request/service_request_id").text == str(report.pk)
    assert (
        b"reporter@example.test"
        not in client.get("/open311/v2/requests.xml?jurisdiction_id=dortmund").content
    )


def test_post_xml_answer(client: Any, apps: dict[str, Any]) -> None:
    response = post(client, apps["dortmund"]["raw"], fmt="xml", address_string="Markt 1")
    assert response.status_code == 201
    root = ET.fromstring(response.content)
    assert root.find("request/token").text == ServiceRequest.objects.get().token


def test_post_json_body_with_attributes(client: Any, apps: dict[str, Any]) -> None:
    body = {
        "jurisdiction_id": "dortmund",
        "api_key": apps["dortmund"]["raw"],
        "service_code": "illegal-dumping",
        "address_string": "Wall 3",
        "attribute": {"waste_type": "bulky"},
    }
    response = client.post(
        "/open311/v2/requests.json", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201
    assert ServiceRequest.objects.get().attributes == {"waste_type": "bulky"}


def test_required_attribute_missing(client: Any, apps: dict[str, Any]) -> None:
    response = post(
        client, apps["dortmund"]["raw"], service_code="illegal-dumping", lat="51.5", long="7.4"
    )
    assert_error(response, 400, "waste_type is required")
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({}, "location is required"),
        ({"lat": "51.5"}, "together"),
        ({"lat": "95", "long": "7"}, "lat must be between"),
        ({"lat": "51", "long": "east"}, "long must be a decimal"),
        ({"lat": "nan", "long": "7"}, "lat must be between"),
    ],
)
def test_bad_location(client: Any, apps: dict[str, Any], data: dict[str, str], words: str) -> None:
    assert_error(post(client, apps["dortmund"]["raw"], **data), 400, words)
    assert not ServiceRequest.objects.exists()


def test_malformed_json_and_xml(client: Any, apps: dict[str, Any]) -> None:
    bad_json = client.post(
        "/open311/v2/requests.json", "{not json", content_type="application/json"
    )
    assert_error(bad_json, 400, "not valid JSON")
    bad_xml = client.post(
        "/open311/v2/requests.json", "<request><a>", content_type="application/xml"
    )
    assert_error(bad_xml, 400, "not well-formed XML")
    bomb = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><request><a>&a;</a></request>'
    assert_error(
        client.post("/open311/v2/requests.json", bomb, content_type="application/xml"),
        400,
        "DOCTYPE",
    )
    xml_errors = client.post("/open311/v2/requests.xml", "{", content_type="application/json")
    root = ET.fromstring(xml_errors.content)
    assert root.tag == "errors" and root.find("error/code").text == "400"


def test_xml_body_accepted(client: Any, apps: dict[str, Any]) -> None:
    raw = apps["dortmund"]["raw"]
    body = (
        f"<service_request><jurisdiction_id>dortmund</jurisdiction_id><api_key>{raw}</api_key>"
        "<service_code>pothole</service_code><lat>51.5</lat><long>7.4</long></service_request>"
    )
    response = client.post("/open311/v2/requests.json", body, content_type="application/xml")
    assert response.status_code == 201
    assert ServiceRequest.objects.get().lat == 51.5


def test_photo_metadata_stripped(client: Any, apps: dict[str, Any]) -> None:
    photo = SimpleUploadedFile("p.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = post(client, apps["dortmund"]["raw"], lat="51.5", long="7.4", media=photo)
    assert response.status_code == 201
    report = ServiceRequest.objects.get()
    listed = client.get(f"/open311/v2/requests/{report.pk}.json?jurisdiction_id=dortmund").json()
    url = listed[0]["media_url"]
    assert url.endswith(".jpg")
    served = client.get(url[url.index("/open311/") :])
    assert served.status_code == 200
    image = Image.open(io.BytesIO(b"".join(served.streaming_content)))
    assert image.format == "JPEG" and image.size == (64, 48)
    assert dict(image.getexif()) == {}


def test_oversized_and_wrong_media(client: Any, apps: dict[str, Any], monkeypatch: Any) -> None:
    from dos.portal.cityapp.open311 import photo

    monkeypatch.setattr(photo, "MAX_BYTES", 1000)
    big = SimpleUploadedFile(
        "big.jpg", jpeg_with_gps((400, 400)) + b"\0" * 2000, content_type="image/jpeg"
    )
    assert_error(
        post(client, apps["dortmund"]["raw"], lat="51.5", long="7.4", media=big), 413, "larger"
    )
    text = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    assert_error(
        post(client, apps["dortmund"]["raw"], lat="51.5", long="7.4", media=text),
        400,
        "not a readable image",
    )
    assert not ServiceRequest.objects.exists()


def test_key_required_and_revoked(client: Any, apps: dict[str, Any]) -> None:
    from dos.portal.accounts.permissions import SYSTEM
    from dos.portal.cityapp.actions import client_key_revoke

    assert_error(post(client, "", lat="51.5", long="7.4"), 401, "api_key is required")
    assert_error(post(client, "dosapp_wrong", lat="51.5", long="7.4"), 401, "not valid")
    client_key_revoke(SYSTEM, apps["dortmund"]["key"])
    assert_error(post(client, apps["dortmund"]["raw"], lat="51.5", long="7.4"), 401, "revoked")
    assert not ServiceRequest.objects.exists()


def test_schwerte_key_cannot_post_to_dortmund(client: Any, apps: dict[str, Any]) -> None:
    assert_error(
        post(client, apps["schwerte"]["raw"], lat="51.5", long="7.4"), 403, "jurisdiction dortmund"
    )
    assert not ServiceRequest.objects.exists()
    ok = post(client, apps["schwerte"]["raw"], jurisdiction_id="schwerte", lat="51.44", long="7.56")
    assert ok.status_code == 201
    report_id = ok.json()[0]["service_request_id"]
    hidden = client.get(f"/open311/v2/requests/{report_id}.json?jurisdiction_id=dortmund")
    assert_error(hidden, 404, "not found")
    assert client.get("/open311/v2/requests.json?jurisdiction_id=dortmund").json() == []


def test_rate_limit(client: Any, apps: dict[str, Any]) -> None:
    key = apps["dortmund"]["key"]
    key.rate_limit = 2
    key.save()
    for _ in range(2):
        assert post(client, apps["dortmund"]["raw"], lat="51.5", long="7.4").status_code == 201
    refused = post(client, apps["dortmund"]["raw"], lat="51.5", long="7.4")
    assert_error(refused, 429, "rate limit")
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert ServiceRequest.objects.count() == 2


def test_request_filters(client: Any, apps: dict[str, Any]) -> None:
    from dos.portal.accounts.permissions import SYSTEM
    from dos.portal.cityapp.actions import request_update

    raw = apps["dortmund"]["raw"]
    first = post(client, raw, lat="51.5", long="7.4").json()[0]["service_request_id"]
    second = post(
        client,
        raw,
        service_code="illegal-dumping",
        lat="51.5",
        long="7.4",
        **{"attribute[waste_type]": "bulky"},
    ).json()[0]["service_request_id"]
    request_update(
        SYSTEM, ServiceRequest.objects.get(pk=second), state="resolved", status_notes="weg"
    )
    base = "/open311/v2/requests.json?jurisdiction_id=dortmund"
    ids = lambda q: [r["service_request_id"] for r in client.get(base + q).json()]  # noqa: E731
    assert ids("&status=closed") == [second]
    assert ids("&status=open") == [first]
    assert ids("&service_code=pothole") == [first]
    assert ids(f"&service_request_id={first},{second}") == [second, first]
    assert ids("&start_date=2000-01-01T00:00:00Z&end_date=2000-02-01T00:00:00Z") == []
    closed = client.get(base + "&status=closed").json()[0]
    assert closed["status_notes"] == "weg"
    assert_error(client.get(base + "&start_date=yesterday"), 400, "start_date")
    assert_error(client.get(base + "&status=pending"), 400, "status")


def test_jurisdiction_and_format_errors(client: Any, apps: dict[str, Any]) -> None:
    assert_error(client.get("/open311/v2/services.json"), 400, "jurisdiction_id is required")
    assert_error(client.get("/open311/v2/services.json?jurisdiction_id=atlantis"), 404, "atlantis")
    assert_error(
        client.get("/open311/v2/services.html?jurisdiction_id=dortmund"), 400, "format html"
    )


def test_apps_post_without_csrf_token(apps: dict[str, Any]) -> None:
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert post(strict, apps["dortmund"]["raw"], lat="51.5", long="7.4").status_code == 201
