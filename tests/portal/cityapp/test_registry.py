"""Module registry, adoption with schema validation, app config API with ETag, staff pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dos.portal.accounts.permissions import SYSTEM
from dos.portal.cityapp import actions
from dos.portal.cityapp.models import Adoption, Module, ServiceRequest

pytestmark = pytest.mark.django_db

BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


def login(client: Any, user: Any) -> None:
    client.force_login(user, backend=BACKEND)


SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["booking_url", "offices"],
    "properties": {
        "booking_url": {"type": "string", "pattern": "^https://"},
        "offices": {"type": "array", "minItems": 1, "items": {"type": "string"}},
    },
}


@pytest.fixture
def appointments(dortmund: Any, schwerte: Any, dortmund_admin: Any) -> Module:
    module = actions.module_register(
        dortmund_admin,
        key="appointments",
        owner=dortmund,
        name="Terminbuchung",
        sharing=Module.PARTNERS,
        shared_with=[schwerte],
    )
    actions.module_release(
        dortmund_admin,
        module,
        version="1.0.0",
        changelog="first",
        config_schema=SCHEMA,
        endpoints=[],
    )
    return module


def test_builtin_modules_exist(db: Any) -> None:
    keys = set(Module.objects.values_list("key", flat=True))
    assert {
        "news",
        "events",
        "participation",
        "projects",
        "environment",
        "parking",
        "defect-reporting",
        "city-info",
    } <= keys


def test_register_refused_for_other_city(dortmund: Any, schwerte_admin: Any, citizen: Any) -> None:
    for user in (schwerte_admin, citizen):
        with pytest.raises(PermissionDenied):
            actions.module_register(user, key="x", owner=dortmund, name="X")
    assert not Module.objects.filter(key="x").exists()


def test_release_must_increase(
    appointments: Module, dortmund_admin: Any, schwerte_admin: Any
) -> None:
    with pytest.raises(ValidationError) as info:
        actions.module_release(
            dortmund_admin,
            appointments,
            version="0.9.0",
            changelog="",
            config_schema={},
            endpoints=[],
        )
    assert "1.0.0" in info.value.message_dict["version"][0]
    with pytest.raises(ValidationError):
        actions.module_release(
            dortmund_admin,
            appointments,
            version="1.1",
            changelog="",
            config_schema={},
            endpoints=[],
        )
    with pytest.raises(PermissionDenied):
        actions.module_release(
            schwerte_admin,
            appointments,
            version="2.0.0",
            changelog="",
            config_schema={},
            endpoints=[],
        )
    release = actions.module_release(
        dortmund_admin,
        appointments,
        version="1.10.0",
        changelog="more",
        config_schema=SCHEMA,
        endpoints=["news"],
    )
    assert appointments.latest_version() == release


def test_adoption_validated_with_field_errors(
    appointments: Module, schwerte: Any, schwerte_admin: Any
) -> None:
    with pytest.raises(ValidationError) as info:
        actions.module_adopt(
            schwerte_admin,
            schwerte,
            appointments,
            configuration={"booking_url": "http://x", "offices": [3], "colour": 1},
        )
    messages = info.value.message_dict["configuration"]
    assert any(m.startswith("/booking_url:") for m in messages)
    assert any(m.startswith("/offices/0:") for m in messages)
    assert any("colour" in m for m in messages)
    assert not Adoption.objects.exists()
    adoption = actions.module_adopt(
        schwerte_admin,
        schwerte,
        appointments,
        configuration={"booking_url": "https://s", "offices": ["Rathaus"]},
        position=5,
    )
    assert Adoption.objects.get().configuration["offices"] == ["Rathaus"]
    assert adoption.version.version == "1.0.0"


def test_private_module_cannot_be_adopted(
    appointments: Module, schwerte: Any, schwerte_admin: Any, dortmund_admin: Any, dortmund: Any
) -> None:
    actions.module_update(dortmund_admin, appointments, sharing=Module.PRIVATE)
    with pytest.raises(PermissionDenied):
        actions.module_adopt(
            schwerte_admin,
            schwerte,
            appointments,
            configuration={"booking_url": "https://s", "offices": ["R"]},
        )
    with pytest.raises(PermissionDenied):
        actions.module_adopt(
            schwerte_admin, dortmund, Module.objects.get(key="news"), configuration={}
        )


def test_config_endpoint_etag_and_language(client: Any, apps: dict[str, Any]) -> None:
    raw = apps["dortmund"]["raw"]
    url = "/api/app/v1/dortmund/config"
    response = client.get(url, HTTP_X_API_KEY=raw, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.json()
    assert body["app_name"] == "Dortmund-App" and body["language"] == "en"
    assert body["theme"]["primary_colour"] == "#1a5f9e"
    assert body["menu"][0]["module"] == "defect-reporting"
    assert body["menu"][0]["name"] == "Report a defect"
    assert body["menu"][0]["configuration"] == {"allow_photos": True}
    assert body["menu"][0]["endpoints"]["open311"].startswith("/open311/v2/services.json")
    assert "max-age" in response["Cache-Control"]
    again = client.get(
        url, HTTP_X_API_KEY=raw, HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304 and again.content == b""
    german = client.get(url + "?lang=de", HTTP_X_API_KEY=raw, HTTP_IF_NONE_MATCH=response["ETag"])
    assert german.status_code == 200 and german.json()["menu"][0]["name"] == "Mängelmelder"
    actions.module_adopt(
        SYSTEM,
        apps["dortmund"]["city"],
        Module.objects.get(key="news"),
        configuration={"page_size": 10},
        position=1,
    )
    changed = client.get(
        url, HTTP_X_API_KEY=raw, HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert changed.status_code == 200
    assert [m["module"] for m in changed.json()["menu"]] == ["news", "defect-reporting"]


def test_config_needs_own_city_key(client: Any, apps: dict[str, Any]) -> None:
    url = "/api/app/v1/dortmund/config"
    missing = client.get(url)
    assert missing.status_code == 401 and missing["Content-Type"] == "application/problem+json"
    assert client.get(url, HTTP_X_API_KEY=apps["schwerte"]["raw"]).status_code == 403
    actions.client_key_revoke(SYSTEM, apps["dortmund"]["key"])
    revoked = client.get(url, HTTP_X_API_KEY=apps["dortmund"]["raw"])
    assert revoked.status_code == 401 and "revoked" in revoked.json()["detail"]
    assert client.get("/api/app/v1/atlantis/config").status_code == 404


def test_config_rate_limit(client: Any, apps: dict[str, Any]) -> None:
    key = apps["schwerte"]["key"]
    key.rate_limit = 3
    key.save()
    codes = [
        client.get(
            "/api/app/v1/schwerte/config", HTTP_X_API_KEY=apps["schwerte"]["raw"]
        ).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def test_key_stored_hashed(apps: dict[str, Any]) -> None:
    key = apps["dortmund"]["key"]
    assert apps["dortmund"]["raw"] not in (key.key_hash, key.hint)
    assert len(key.key_hash) == 64


def test_key_actions_refused(
    apps: dict[str, Any], schwerte_admin: Any, dortmund_editor: Any
) -> None:
    for user in (schwerte_admin, dortmund_editor):
        with pytest.raises(PermissionDenied):
            actions.client_key_create(user, apps["dortmund"]["city"], label="x")
        with pytest.raises(PermissionDenied):
            actions.client_key_revoke(user, apps["dortmund"]["key"])


def test_openapi_covers_every_route(client: Any, db: Any) -> None:
    from dos.portal.cityapp import urls

    document = client.get("/api/app/v1/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    paths = set(document["paths"])
    assert "/api/app/v1/{city}/config" in paths
    for route in (
        "services.{format}",
        "services/{service_code}.{format}",
        "requests.{format}",
        "requests/{service_request_id}.{format}",
        "tokens/{token}.{format}",
        "media/{name}",
    ):
        assert f"/open311/v2/{route}" in paths
    assert len(urls.open311_patterns) == 6
    from dos.portal.cityapp.api.content import available

    for endpoint in available():
        assert f"/api/app/v1/{{city}}/{endpoint}" in paths
    assert {
        "news",
        "events",
        "places",
        "projects",
        "ideas",
        "environment",
        "parking",
        "pages",
    } <= available()
    assert "post" in document["paths"]["/open311/v2/requests.{format}"]


def test_staff_update_status_and_reporter_follows(
    client: Any, apps: dict[str, Any], dortmund_editor: Any, schwerte_editor: Any
) -> None:
    report = actions.request_submit(
        apps["dortmund"]["key"],
        apps["dortmund"]["services"]["pothole"],
        lat=51.5,
        long=7.4,
        email="r@example.test",
    )
    login(client, schwerte_editor)
    assert client.get("/dortmund/meldungen/").status_code == 403
    assert (
        client.post(f"/dortmund/meldungen/{report.pk}/", {"state": "resolved"}).status_code == 403
    )
    login(client, dortmund_editor)
    page = client.get("/dortmund/meldungen/")
    assert page.status_code == 200 and b"<svg" in page.content and b"Schlagloch" in page.content
    detail = client.get(f"/dortmund/meldungen/{report.pk}/")
    assert b"r@example.test" in detail.content
    response = client.post(
        f"/dortmund/meldungen/{report.pk}/",
        {
            "state": "in_progress",
            "status_notes": "Bautrupp bestellt",
            "agency_responsible": "Tiefbau Nord",
            "expected_datetime": "2030-01-02T10:00",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (
        report.state == ServiceRequest.IN_PROGRESS and report.agency_responsible == "Tiefbau Nord"
    )
    followed = client.get(f"/open311/v2/tokens/{report.token}.json?jurisdiction_id=dortmund").json()
    public = client.get(
        f"/open311/v2/requests/{followed[0]['service_request_id']}.json?jurisdiction_id=dortmund"
    ).json()[0]
    assert public["status_notes"] == "Bautrupp bestellt" and public["expected_datetime"].startswith(
        "2030-01-02T10:00"
    )


def test_citizen_cannot_update_report(apps: dict[str, Any], citizen: Any) -> None:
    report = actions.request_submit(
        SYSTEM, apps["dortmund"]["services"]["pothole"], address_string="Markt"
    )
    with pytest.raises(PermissionDenied):
        actions.request_update(citizen, report, state="resolved")
    report.refresh_from_db()
    assert report.state == ServiceRequest.RECEIVED


def test_app_pages_for_admins(
    client: Any,
    apps: dict[str, Any],
    appointments: Module,
    schwerte_admin: Any,
    dortmund_admin: Any,
) -> None:
    login(client, schwerte_admin)
    assert client.get("/schwerte/app/").status_code == 200
    bad = client.post(
        "/schwerte/app/module/appointments/uebernehmen/",
        {
            "version": appointments.latest_version().pk,
            "configuration": '{"offices": []}',
            "position": 3,
            "enabled": "on",
        },
    )
    assert bad.status_code == 200 and b"/offices" in bad.content
    good = client.post(
        "/schwerte/app/module/appointments/uebernehmen/",
        {
            "version": appointments.latest_version().pk,
            "configuration": '{"booking_url": "https://s", "offices": ["R"]}',
            "position": 3,
            "enabled": "on",
        },
    )
    assert good.status_code == 302
    created = client.post("/schwerte/app/schluessel/neu/", {"label": "iOS", "rate_limit": 60})
    assert b"dosapp_" in created.content
    login(client, dortmund_admin)
    usage = client.get("/dortmund/app/module/appointments/")
    assert b"Schwerte: 1.0.0" in usage.content


def test_mirror_failure_recorded_and_synced(
    apps: dict[str, Any], monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from dos.portal.cityapp import mirror

    sent: list[tuple[str, dict[str, Any]]] = []

    def broken(tenant: str, entity: dict[str, Any]) -> None:
        raise ConnectionError("broker down")

    monkeypatch.setattr(mirror, "upsert", broken)
    with django_capture_on_commit_callbacks(execute=True):
        report = actions.request_submit(
            apps["dortmund"]["key"],
            apps["dortmund"]["services"]["pothole"],
            lat=51.5,
            long=7.4,
            email="r@example.test",
        )
    report.refresh_from_db()
    assert "broker down" in report.mirror_error and report.mirrored_at is None
    monkeypatch.setattr(mirror, "upsert", lambda tenant, entity: sent.append((tenant, entity)))
    assert actions.requests_sync(SYSTEM) == (1, 0)
    tenant, entity = sent[0]
    assert tenant == "dortmund" and entity["type"] == "Open311ServiceRequest"
    assert entity["location"]["value"]["coordinates"] == [7.4, 51.5]
    assert "r@example.test" not in str(entity)
    assert actions.requests_sync(SYSTEM) == (0, 0)


def test_config_follows_city_and_module_changes(client: Any, apps: dict[str, Any]) -> None:
    from dos.portal.tenancy.actions import city_update

    raw = apps["dortmund"]["raw"]
    url = "/api/app/v1/dortmund/config"
    assert client.get(url, HTTP_X_API_KEY=raw).json()["theme"]["primary_colour"] == "#1a5f9e"
    city_update(SYSTEM, apps["dortmund"]["city"], primary_colour="#123456")
    assert client.get(url, HTTP_X_API_KEY=raw).json()["theme"]["primary_colour"] == "#123456"
    module = Module.objects.get(key="defect-reporting")
    actions.module_update(SYSTEM, module, name="Mängel melden")
    assert client.get(url, HTTP_X_API_KEY=raw).json()["menu"][0]["name"] == "Mängel melden"
