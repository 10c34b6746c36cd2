"""The web shell in headless Chromium, with axe-core."""

from pathlib import Path

import pytest

from tests.factories import dortmund, schwerte

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def test_region_and_city_homes_are_accessible_and_switch_language(
    live_url, page, axe_violations
) -> None:
    from dos.demo import region

    region.load(lambda _msg: None)
    page.goto(live_url + "/")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.get_by_role("heading", level=1).inner_text() == region.REGION["name"]
    assert page.get_by_role("link", name="Dortmund").count() >= 1
    assert axe_violations(page) == []
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "region-home.png"), full_page=True)

    for slug, name in (("dortmund", "Dortmund"), ("schwerte", "Schwerte")):
        page.goto(f"{live_url}/{slug}/")
        assert page.get_by_role("heading", level=1).inner_text() == name
        assert axe_violations(page) == []

    # the city switch navigates
    page.goto(live_url + "/")
    page.get_by_label("Region oder Stadt").select_option("/schwerte/")
    page.wait_for_url(f"{live_url}/schwerte/")

    # the language switch turns the page English and stays on it
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url == f"{live_url}/schwerte/"
    assert page.get_by_role("heading", name="At a glance", exact=True).is_visible()
    assert axe_violations(page) == []


def test_skip_link_moves_focus_to_main(live_url, page) -> None:
    dortmund()
    schwerte()
    page.goto(live_url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Zum Inhalt springen")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
