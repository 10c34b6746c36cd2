"""Staff pages of the city app in headless Chromium with axe-core: the report map and list,
changing a report's state, and the app page of a city admin."""

from __future__ import annotations

from typing import Any

import pytest

from dos.portal.accounts.roles import CITY_ADMIN, EDITOR
from dos.portal.cityapp.models import ServiceRequest
from tests.factories import dortmund, schwerte, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, live_url: str, email: str, target: str) -> None:
    page.goto(f"{live_url}/accounts/login/?next={target}")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill("ein-gutes-passwort")
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url(live_url + target)


def test_staff_handle_reports_and_app(live_url: str, page: Any, axe_violations: Any) -> None:
    from dos.demo import cityapp

    dortmund()
    schwerte()
    cityapp.load(lambda _msg: None)
    editor = user_with_role(EDITOR, dortmund())
    report = ServiceRequest.objects.filter(city__slug="dortmund", state="received").first()

    log_in(page, live_url, editor.email, "/dortmund/meldungen/")
    assert page.get_by_role("heading", level=1).inner_text() == "Mängelmeldungen"
    assert page.locator("svg.cityapp-map circle.report").count() == 4
    assert axe_violations(page) == []

    page.get_by_role("link", name=str(report.pk), exact=True).click()
    page.wait_for_url(f"{live_url}/dortmund/meldungen/{report.pk}/")
    page.get_by_label("Stand", exact=False).and_(page.locator("select")).select_option("resolved")
    page.get_by_label("Hinweis für die meldende Person").fill("Sperrmüll abgeholt.")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_load_state()
    assert page.get_by_text("Der Stand der Meldung wurde gespeichert.").is_visible()
    report.refresh_from_db()
    assert report.state == "resolved" and report.status_notes == "Sperrmüll abgeholt."

    admin = user_with_role(CITY_ADMIN, schwerte())
    page.context.clear_cookies()
    log_in(page, live_url, admin.email, "/schwerte/app/")
    assert page.get_by_role("heading", level=1).inner_text() == "Stadt-App"
    assert page.get_by_role("link", name="Terminbuchung").count() >= 1
    assert axe_violations(page) == []


def test_module_registry_and_service_pages_are_accessible(
    live_url: str, page: Any, axe_violations: Any
) -> None:
    """The city admin's pages of the module registry (app, module, edit, release, adopt, new
    module) and of the Open311 services (list, new, edit) pass axe-core, in German and
    English."""
    from dos.demo import cityapp

    dortmund()
    schwerte()
    cityapp.load(lambda _msg: None)
    admin = user_with_role(CITY_ADMIN, dortmund())
    log_in(page, live_url, admin.email, "/dortmund/app/")
    pages = {
        "/dortmund/app/": "Stadt-App",
        "/dortmund/app/module/appointments/": "Terminbuchung",
        "/dortmund/app/module/appointments/bearbeiten/": None,
        "/dortmund/app/module/appointments/neue-version/": None,
        "/dortmund/app/module/appointments/uebernehmen/": None,
        "/dortmund/app/neues-modul/": None,
        "/dortmund/meldungen/dienste/": None,
        "/dortmund/meldungen/dienste/neu/": None,
        "/dortmund/meldungen/dienste/pothole/": None,
    }
    for path, heading in pages.items():
        response = page.goto(live_url + path)
        assert response is not None and response.status == 200, path
        if heading:
            assert page.get_by_role("heading", level=1).inner_text() == heading
        assert axe_violations(page) == [], path
    page.context.add_cookies([{"name": "dos_language", "value": "en", "url": live_url}])
    for path in ("/dortmund/app/", "/dortmund/meldungen/dienste/", "/dortmund/app/neues-modul/"):
        page.goto(live_url + path)
        assert page.locator("html").get_attribute("lang") == "en", path
        assert axe_violations(page) == [], path
