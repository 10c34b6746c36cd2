"""The module registry through the portal and the admin, without code: an owner city
registers, shares and releases a module and sees who uses it; a partner adopts it with its
own configuration; a new partner city joins and adopts modules the same day."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dos.portal.accounts.roles import CITY_ADMIN
from dos.portal.cityapp import actions
from dos.portal.cityapp.models import Adoption, AppSettings, Module, ModuleVersion
from tests.portal.cityapp.conftest import make_city, user_with

pytestmark = pytest.mark.django_db

BACKEND = "allauth.account.auth_backends.AuthenticationBackend"

SCHEMA = (
    '{"type": "object", "additionalProperties": false, "required": ["districts"],'
    ' "properties": {"districts": {"type": "array", "minItems": 1,'
    ' "items": {"type": "string"}}}}'
)


def login(client: Any, user: Any) -> None:
    client.force_login(user, backend=BACKEND)


def test_owner_registers_releases_and_sees_users(
    client: Any, apps: dict[str, Any], dortmund_admin: Any, schwerte_admin: Any
) -> None:
    schwerte = apps["schwerte"]["city"]
    login(client, dortmund_admin)
    home = client.get("/dortmund/app/")
    assert b"/dortmund/app/neues-modul/" in home.content and "Modul anlegen" in home.text
    clash = client.post(
        "/dortmund/app/neues-modul/",
        {"key": "news", "name": "X", "licence": "EUPL-1.2", "sharing": "all"},
    )
    assert clash.status_code == 200 and "gibt es schon" in clash.text
    no_partner = client.post(
        "/dortmund/app/neues-modul/",
        {
            "key": "waste-calendar",
            "name": "Abfallkalender",
            "licence": "MIT",
            "sharing": "partners",
        },
    )
    assert no_partner.status_code == 200 and not Module.objects.filter(key="waste-calendar")
    created = client.post(
        "/dortmund/app/neues-modul/",
        {
            "key": "waste-calendar",
            "name": "Abfallkalender",
            "name_en": "Waste calendar",
            "licence": "MIT",
            "sharing": "partners",
            "shared_with": [schwerte.pk],
        },
    )
    assert created.status_code == 302
    assert created["Location"] == "/dortmund/app/module/waste-calendar/neue-version/"
    module = Module.objects.get(key="waste-calendar")
    assert module.owner.slug == "dortmund" and module.licence == "MIT"
    assert [c.slug for c in module.shared_with.all()] == ["schwerte"]

    release_url = "/dortmund/app/module/waste-calendar/neue-version/"
    bad = client.post(release_url, {"version": "1.0", "config_schema": '{"type": "nope"}'})
    assert bad.status_code == 200 and "1.2.0" in bad.text and "JSON Schema" in bad.text
    assert client.post(release_url, {"version": "1.0.0", "config_schema": "[1]"}).status_code == 200
    good = client.post(
        release_url,
        {
            "version": "1.0.0",
            "changelog": "Erste Fassung",
            "config_schema": SCHEMA,
            "endpoints": ["pages"],
        },
    )
    assert good.status_code == 302
    lower = client.post(release_url, {"version": "0.9.0", "config_schema": "{}"})
    assert lower.status_code == 200 and "muss höher sein als 1.0.0" in lower.text
    release = ModuleVersion.objects.get(module=module)
    assert release.version == "1.0.0" and release.endpoints == ["pages"]
    assert release.config_schema["required"] == ["districts"]

    # Schwerte may neither edit nor release Dortmund's module, but adopts it in the portal.
    login(client, schwerte_admin)
    assert client.get("/schwerte/app/module/waste-calendar/bearbeiten/").status_code == 404
    assert client.post("/schwerte/app/module/waste-calendar/neue-version/").status_code == 404
    assert b"Abfallkalender" in client.get("/schwerte/app/").content
    adopt_page = client.get("/schwerte/app/module/waste-calendar/uebernehmen/")
    assert "Schema der Version 1.0.0" in adopt_page.text and "districts" in adopt_page.text
    wrong = client.post(
        "/schwerte/app/module/waste-calendar/uebernehmen/",
        {"version": release.pk, "configuration": '{"districts": []}', "position": 20},
    )
    assert wrong.status_code == 200 and "/districts:" in wrong.text
    not_object = client.post(
        "/schwerte/app/module/waste-calendar/uebernehmen/",
        {"version": release.pk, "configuration": "[]", "position": 20},
    )
    assert not_object.status_code == 200 and "JSON-Objekt" in not_object.text
    adopted = client.post(
        "/schwerte/app/module/waste-calendar/uebernehmen/",
        {
            "version": release.pk,
            "configuration": '{"districts": ["Ergste"]}',
            "position": 20,
            "enabled": "on",
        },
    )
    assert adopted.status_code == 302
    menu = client.get("/api/app/v1/schwerte/config", HTTP_X_API_KEY=apps["schwerte"]["raw"]).json()[
        "menu"
    ]
    entry = next(m for m in menu if m["module"] == "waste-calendar")
    assert entry["configuration"] == {"districts": ["Ergste"]} and entry["owner"] == "dortmund"
    assert entry["endpoints"] == {"pages": "/api/app/v1/schwerte/pages"}

    # The owner city's admin sees in the portal who uses the module and which version.
    login(client, dortmund_admin)
    assert "Schwerte (1.0.0)" in client.get("/dortmund/app/").text
    detail = client.get("/dortmund/app/module/waste-calendar/")
    assert "Schwerte: 1.0.0" in detail.text and "Neue Version veröffentlichen" in detail.text
    edited = client.post(
        "/dortmund/app/module/waste-calendar/bearbeiten/",
        {"name": "Abfuhrkalender", "licence": "MIT", "sharing": "private"},
    )
    assert edited.status_code == 302
    module.refresh_from_db()
    assert module.name == "Abfuhrkalender" and module.sharing == Module.PRIVATE


def test_withdrawn_sharing_keeps_existing_users(
    client: Any, apps: dict[str, Any], dortmund_admin: Any, schwerte_admin: Any
) -> None:
    dortmund, schwerte = apps["dortmund"]["city"], apps["schwerte"]["city"]
    module = actions.module_register(dortmund_admin, key="bins", owner=dortmund, name="Tonnen")
    actions.module_release(
        dortmund_admin, module, version="1.0.0", changelog="", config_schema={}, endpoints=[]
    )
    actions.module_adopt(schwerte_admin, schwerte, module, configuration={}, position=5)
    actions.module_update(dortmund_admin, module, sharing=Module.PRIVATE)
    # Schwerte keeps the module and may still change or remove it ...
    actions.module_adopt(schwerte_admin, schwerte, module, configuration={}, position=7)
    assert Adoption.objects.get(city=schwerte, module=module).position == 7
    login(client, schwerte_admin)
    assert client.get("/schwerte/app/module/bins/").status_code == 200
    assert client.post("/schwerte/app/module/bins/entfernen/").status_code == 302
    assert not Adoption.objects.filter(city=schwerte, module=module).exists()
    # ... but cannot adopt it again while it is private.
    with pytest.raises(PermissionDenied):
        actions.module_adopt(schwerte_admin, schwerte, module, configuration={})
    assert client.get("/schwerte/app/module/bins/").status_code == 403


def test_new_partner_city_joins_and_adopts_the_same_day(client: Any, apps: dict[str, Any]) -> None:
    unna = make_city("unna", "Unna", "05978040", 51.5347, 7.6889)
    admin = user_with("admin@unna.test", CITY_ADMIN, unna)
    login(client, admin)
    page = client.get("/unna/app/")
    assert page.status_code == 200 and "Partnerschaft beizutreten" in page.text
    assert client.get("/api/app/v1/unna/config").status_code == 404
    joined = client.post("/unna/app/", {"app_name": "Unna-App", "languages": ["de"]})
    assert joined.status_code == 302
    assert AppSettings.objects.get(city=unna).languages == ["de"]
    shown = client.post("/unna/app/schluessel/neu/", {"label": "Android", "rate_limit": 60})
    raw = re.search(r"dosapp_[A-Za-z0-9_-]+", shown.text).group(0)  # type: ignore[union-attr]
    news = Module.objects.get(key="news")
    adopted = client.post(
        "/unna/app/module/news/uebernehmen/",
        {
            "version": news.latest_version().pk,  # type: ignore[union-attr]
            "configuration": "{}",
            "position": 1,
            "enabled": "on",
        },
    )
    assert adopted.status_code == 302
    config = client.get("/api/app/v1/unna/config", HTTP_X_API_KEY=raw)
    assert config.status_code == 200
    body = config.json()
    assert body["app_name"] == "Unna-App" and body["languages"] == ["de"]
    assert [m["module"] for m in body["menu"]] == ["news"]
    assert body["menu"][0]["endpoints"] == {"news": "/api/app/v1/unna/news"}
    assert client.get("/api/app/v1/unna/news", HTTP_X_API_KEY=raw).status_code == 200
    # Unna's key is Unna's only.
    assert client.get("/api/app/v1/dortmund/config", HTTP_X_API_KEY=raw).status_code == 403


def test_admin_adoption_is_validated_too(
    client: Any, apps: dict[str, Any], dortmund_admin: Any, schwerte_admin: Any
) -> None:
    dortmund, schwerte = apps["dortmund"]["city"], apps["schwerte"]["city"]
    private = actions.module_register(dortmund_admin, key="intern", owner=dortmund, name="Intern")
    actions.module_release(
        dortmund_admin,
        private,
        version="1.0.0",
        changelog="",
        config_schema={"type": "object", "required": ["x"]},
        endpoints=[],
    )
    actions.module_update(dortmund_admin, private, sharing=Module.PRIVATE)
    login(client, schwerte_admin)
    form = {
        "city": schwerte.pk,
        "module": private.pk,
        "version": private.latest_version().pk,  # type: ignore[union-attr]
        "configuration": '{"x": 1}',
        "position": 3,
        "enabled": "on",
    }
    refused = client.post("/admin/cityapp/adoption/add/", form)
    assert refused.status_code == 200 and "nicht für Schwerte freigegeben" in refused.text
    news = Module.objects.get(key="news")
    events = Module.objects.get(key="events")
    mixed = {**form, "module": news.pk, "version": events.latest_version().pk}  # type: ignore[union-attr]
    assert "keine Version von" in client.post("/admin/cityapp/adoption/add/", mixed).text
    schema = {"type": "object", "properties": {"page_size": {"type": "integer"}}}
    ModuleVersion.objects.filter(module=news).update(config_schema=schema)
    bad = {**form, "module": news.pk, "version": news.latest_version().pk}  # type: ignore[union-attr]
    bad["configuration"] = '{"page_size": "many"}'
    answer = client.post("/admin/cityapp/adoption/add/", bad)
    assert answer.status_code == 200 and "/page_size:" in answer.text
    assert not Adoption.objects.filter(city=schwerte, module__in=[private, news]).exists()
    # The owner field of a module offers the admin's own cities only, and is required.
    add_module = client.get("/admin/cityapp/module/add/").text
    owner = re.search(r'<select name="owner"[^>]*>(.*?)</select>', add_module, re.S)
    assert owner is not None and "required" in owner.group(0)
    assert f'value="{schwerte.pk}"' in owner.group(1)
    assert f'value="{dortmund.pk}"' not in owner.group(1)
    # A version added any way must be higher than the module's earlier ones.
    with pytest.raises(ValidationError, match=r"1\.0\.0"):
        ModuleVersion(module=private, version="0.1.0", config_schema={}).full_clean()


def test_cli_creates_a_client_key(
    client: Any, apps: dict[str, Any], capsys: Any, settings: Any
) -> None:
    import argparse

    from django.utils import translation

    from dos.cli import CommandError
    from dos.cli.cityapp import run_key

    with translation.override("de"):  # the command activates English; keep it to this test
        assert run_key(argparse.Namespace(city="schwerte", label="Demo", rate_limit=30)) == 0
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("dosapp_")
    config = client.get("/api/app/v1/schwerte/config", HTTP_X_API_KEY=raw)
    assert config.status_code == 200 and config.json()["app_name"] == "Schwerte-App"
    with translation.override("de"), pytest.raises(CommandError, match="unknown city"):
        run_key(argparse.Namespace(city="atlantis", label="x", rate_limit=30))
    with translation.override("de"), pytest.raises(CommandError, match="rate_limit"):
        run_key(argparse.Namespace(city="schwerte", label="x", rate_limit=0))


def test_reports_made_or_changed_in_the_admin_get_a_token_and_reach_the_broker(
    client: Any,
    apps: dict[str, Any],
    dortmund_editor: Any,
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from dos.portal.cityapp import mirror
    from dos.portal.cityapp.models import ServiceRequest

    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(mirror, "upsert", lambda tenant, entity: sent.append(entity))
    login(client, dortmund_editor)
    form = {
        "city": apps["dortmund"]["city"].pk,
        "service": apps["dortmund"]["services"]["pothole"].pk,
        "state": "received",
        "address_string": "Markt 1",
        "attributes": "{}",
    }
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            added = client.post("/admin/cityapp/servicerequest/add/", form)
        assert added.status_code == 302
    tokens = {r.token for r in ServiceRequest.objects.all()}
    assert len(tokens) == 2 and all(len(t) == 32 for t in tokens)
    report = ServiceRequest.objects.order_by("pk").first()
    assert report is not None
    with django_capture_on_commit_callbacks(execute=True):
        changed = client.post(
            f"/admin/cityapp/servicerequest/{report.pk}/change/",
            {**form, "state": "resolved", "status_notes": "erledigt"},
        )
    assert changed.status_code == 302
    assert sent[-1]["id"].endswith(f":dortmund:{report.pk}")
    assert sent[-1]["status"]["value"] == "closed"
    report.refresh_from_db()
    assert report.mirrored_at is not None and not report.needs_mirror


def test_theme_set_on_the_app_page(client: Any, apps: dict[str, Any], schwerte_admin: Any) -> None:
    login(client, schwerte_admin)
    url = "/schwerte/app/"
    bad = client.post(url, {"app_name": "Schwerte-App", "languages": ["de"], "theme": "[1]"})
    assert bad.status_code == 200 and "JSON-Objekt" in bad.text
    saved = client.post(
        url, {"app_name": "Schwerte-App", "languages": ["de"], "theme": '{"dark_mode": true}'}
    )
    assert saved.status_code == 302
    assert "dark_mode" in client.get(url).text
    config = client.get("/api/app/v1/schwerte/config", HTTP_X_API_KEY=apps["schwerte"]["raw"])
    theme = config.json()["theme"]
    assert theme["dark_mode"] is True and theme["primary_colour"].startswith("#")
    assert config.json()["languages"] == ["de"]
