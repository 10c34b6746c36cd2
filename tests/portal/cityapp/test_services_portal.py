"""Open311 services in the portal: staff add and change what citizens can report, with the
department responsible and attributes, and the Open311 API serves it at once."""

from __future__ import annotations

from typing import Any

import pytest

from dos.portal.cityapp.models import Service

pytestmark = pytest.mark.django_db

BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


def test_staff_manage_services(
    client: Any, apps: dict[str, Any], dortmund_editor: Any, schwerte_editor: Any, citizen: Any
) -> None:
    client.force_login(dortmund_editor, backend=BACKEND)
    assert "Meldedienste" in client.get("/dortmund/meldungen/").text
    listing = client.get("/dortmund/meldungen/dienste/")
    assert listing.status_code == 200 and "Tiefbauamt" in listing.text
    url = "/dortmund/meldungen/dienste/neu/"
    form = {
        "code": "playground",
        "name": "Beschädigter Spielplatz",
        "name_en": "Damaged playground",
        "department": "Grünflächenamt",
        "group": "Grün und Spiel",
        "active": "on",
    }
    clash = client.post(url, {**form, "code": "pothole"})
    assert clash.status_code == 200 and "schon einen Dienst" in clash.text
    bad = client.post(url, {**form, "attributes": '[{"code": "x", "datatype": "colour"}]'})
    assert bad.status_code == 200 and "datatype" in bad.text and "description" in bad.text
    not_list = client.post(url, {**form, "attributes": '{"code": "x"}'})
    assert not_list.status_code == 200 and "JSON-Liste" in not_list.text
    attributes = (
        '[{"code": "device", "datatype": "singlevaluelist", "description": "Gerät",'
        ' "required": true, "values": [{"key": "swing", "name": "Schaukel"}]}]'
    )
    created = client.post(url, {**form, "attributes": attributes})
    assert created.status_code == 302
    service = Service.objects.get(city=apps["dortmund"]["city"], code="playground")
    assert service.department == "Grünflächenamt" and service.attributes[0]["code"] == "device"
    services = client.get("/open311/v2/services.json?jurisdiction_id=dortmund&lang=en").json()
    entry = next(s for s in services if s["service_code"] == "playground")
    assert entry["service_name"] == "Damaged playground" and entry["metadata"] is True
    definition = client.get("/open311/v2/services/playground.json?jurisdiction_id=dortmund").json()
    assert definition["attributes"][0]["values"] == [{"key": "swing", "name": "Schaukel"}]

    changed = client.post(
        "/dortmund/meldungen/dienste/playground/",
        {**form, "department": "Spielplatzbau", "attributes": attributes},
    )
    assert changed.status_code == 302
    service.refresh_from_db()
    assert service.department == "Spielplatzbau" and service.active
    client.post("/dortmund/meldungen/dienste/playground/", {**form, "active": ""})
    service.refresh_from_db()
    assert not service.active
    services = client.get("/open311/v2/services.json?jurisdiction_id=dortmund").json()
    assert "playground" not in {s["service_code"] for s in services}

    # Other cities' staff and citizens may not.
    client.force_login(schwerte_editor, backend=BACKEND)
    assert client.get("/dortmund/meldungen/dienste/").status_code == 403
    assert client.post("/dortmund/meldungen/dienste/pothole/", form).status_code == 403
    client.force_login(citizen, backend=BACKEND)
    assert client.get("/dortmund/meldungen/dienste/neu/").status_code == 403
    assert Service.objects.get(city=apps["dortmund"]["city"], code="pothole").name == "Schlagloch"


def test_report_map_with_districts_and_legend(
    client: Any, apps: dict[str, Any], dortmund_editor: Any
) -> None:
    import re

    from dos.portal.cityapp import actions

    pothole = apps["dortmund"]["services"]["pothole"]
    key = apps["dortmund"]["key"]
    near = actions.request_submit(key, pothole, lat=51.52, long=7.47)
    actions.request_submit(key, pothole, lat=48.14, long=11.58)  # Munich: not on the map
    actions.request_submit(key, pothole, address_string="Markt 1")
    client.force_login(dortmund_editor, backend=BACKEND)
    page = client.get("/dortmund/meldungen/").text
    assert "cityapp/cityapp.css" in page
    svg = re.search(r'<svg class="cityapp-map".*?</svg>', page, re.S)
    assert svg is not None
    assert "Innenstadt-West" in svg.group(0) and "Hörde" in svg.group(0)
    drawn = re.findall(r'href="/dortmund/meldungen/(\d+)/"', svg.group(0))
    assert drawn == [str(near.pk)]
    assert "1 weit außerhalb der Stadt, 1 nur mit Adresse" in page
    legend = re.search(r'<ul class="cityapp-legend">(.*?)</ul>', page, re.S)
    assert legend is not None
    for label in ("eingegangen", "in Bearbeitung", "erledigt", "abgelehnt"):
        assert label in legend.group(1), label
    # All three are in the list below the map.
    assert page.count('href="/dortmund/meldungen/') >= 3 + 1
