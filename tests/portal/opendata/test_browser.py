"""The catalogue and a dataset page in headless Chromium, with axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from dos.portal.opendata.models import Dataset
from tests.factories import dortmund, schwerte
from tests.portal.opendata.factories import DatasetFactory, DistributionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_catalogue_filters_and_dataset_page_are_accessible(
    live_url: str, page: Any, axe_violations: Any
) -> None:
    DatasetFactory(
        slug="dortmund-weatherobserved",
        title="Klimamessnetz Dortmund",
        city=dortmund(),
        source=Dataset.GENERATED,
        entity_type="WeatherObserved",
        themes="ENVI",
        keywords="Klima,Wetter",
    )
    DistributionFactory(
        dataset=DatasetFactory(slug="haushalt-schwerte", title="Haushalt Schwerte", city=schwerte())
    )
    page.goto(live_url + "/")
    page.get_by_role("link", name="Offene Daten").first.click()
    page.wait_for_url(f"{live_url}/opendata/")
    assert page.get_by_role("heading", level=1).inner_text() == "Offene Daten"
    assert axe_violations(page) == []

    page.get_by_label("Thema").select_option("ENVI")
    page.get_by_role("button", name="Suche").click()
    page.wait_for_load_state()
    results = page.locator(".opendata-results h3")
    assert results.all_inner_texts() == ["Klimamessnetz Dortmund"]

    results.first.get_by_role("link").click()
    page.wait_for_url(f"{live_url}/opendata/dortmund-weatherobserved/")
    assert page.get_by_role("link", name="Aktuelle Werte als CSV").count() == 1
    assert page.get_by_label("Von").count() == 1
    assert axe_violations(page) == []
