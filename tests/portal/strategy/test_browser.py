"""The strategy in headless Chromium: open, filter, open a project; axe-core on each page."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def test_browse_filter_and_open_a_project(live_url, page, axe_violations) -> None:
    from django.db import connection

    from dos.demo import region, strategy

    def load() -> None:
        try:
            region.load(lambda _msg: None)
            strategy.load(lambda _msg: None)  # computes live KPIs through async_to_sync
        finally:
            connection.close()

    # in a thread of its own: Playwright's sync API runs an event loop in this one
    with ThreadPoolExecutor(1) as pool:
        pool.submit(load).result()

    page.goto(live_url + "/strategie/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("DOS 2030")
    assert page.get_by_role("heading", name="Vision").is_visible()
    assert axe_violations(page) == []

    page.get_by_role("navigation", name="Strategie").get_by_role("link", name="Projekte").click()
    page.wait_for_url(f"{live_url}/strategie/projekte/")
    assert page.get_by_role("status").inner_text() == "45 Projekte gefunden"
    page.get_by_label("Handlungsfeld").select_option("sicherheit-und-vertrauen")
    page.get_by_label("Stadt", exact=True).select_option("dortmund")
    page.get_by_role("button", name="Filtern").click()
    page.wait_for_url("**field=sicherheit-und-vertrauen**")
    assert page.get_by_role("status").inner_text() == "7 Projekte gefunden"
    assert axe_violations(page) == []

    page.get_by_role("link", name="Klimasensorik / Klimamessnetz").click()
    page.wait_for_url(f"{live_url}/strategie/projekte/klimamessnetz/")
    assert page.get_by_role("heading", level=1).inner_text() == "Klimasensorik / Klimamessnetz"
    assert page.get_by_role("img", name="Ausgestattete Klimastandorte").is_visible()
    page.get_by_text("als Tabelle").first.click()
    assert page.get_by_role("cell", name="76", exact=True).is_visible()
    assert axe_violations(page) == []
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "strategy-project.png"), full_page=True)

    for path, heading in (
        ("/strategie/fahrplan/", "Fahrplan 2020–2027"),
        ("/strategie/portfolio/", "Portfolio-Übersicht"),
        ("/strategie/handlungsfelder/digitale-verwaltung/", "Digitale Verwaltung"),
    ):
        response = page.goto(live_url + path)
        assert response.status == 200
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert axe_violations(page) == [], path
    page.goto(live_url + "/")
    assert page.get_by_role("heading", name="Handlungsfelder").is_visible()
    assert axe_violations(page) == []

    # In English: the demo's English action fields and projects, German ones marked lang="de".
    page.context.add_cookies([{"name": "dos_language", "value": "en", "url": live_url}])
    page.goto(live_url + "/strategie/handlungsfelder/daten-und-plattformen/")
    assert page.get_by_role("heading", level=1).inner_text() == "Data and Platforms"
    assert page.get_by_role("link", name="Open Data Portal").is_visible()
    assert page.locator('h3[lang="de"]').count() >= 1  # projects without an English version
    assert axe_violations(page) == []
    page.goto(live_url + "/strategie/projekte/open-data-portal/")
    assert page.get_by_role("heading", level=1).inner_text() == "Open Data Portal"
    assert axe_violations(page) == []
    page.goto(live_url + "/strategie/fahrplan/")
    assert page.get_by_text("DP – Data and Platforms").first.is_visible()
    assert axe_violations(page) == []
