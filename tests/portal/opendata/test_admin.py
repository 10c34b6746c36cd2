"""The back office for data stewards: scoped to their city, saves through the actions."""

from __future__ import annotations

from typing import Any

import pytest

from dos.portal.accounts.roles import DATA_STEWARD
from dos.portal.opendata.models import Dataset
from tests.factories import dortmund, schwerte, user_with_role
from tests.portal.opendata.factories import DatasetFactory

pytestmark = pytest.mark.django_db


def form(city: Any, **changes: str) -> dict[str, Any]:
    data = {
        "slug": "haushalt-schwerte",
        "title": "Haushalt Schwerte",
        "description": "Erträge und Aufwendungen.",
        "city": str(city.pk),
        "licence": "dl-de/zero-2-0",
        "contact_email": "opendata@schwerte.de",
        "frequency": "ANNUAL",
        "keywords": "Haushalt",
        "themes": "ECON",
        "distributions-TOTAL_FORMS": "1",
        "distributions-INITIAL_FORMS": "0",
        "distributions-0-title": "Tabelle",
        "distributions-0-url": "https://daten.example.org/haushalt.csv",
        "distributions-0-format": "CSV",
        "distributions-0-position": "0",
    }
    return {**data, **changes}


def test_steward_sees_and_adds_only_in_their_city(client: Any) -> None:
    do, sw = dortmund(), schwerte()
    DatasetFactory(city=do, title="Dortmunder Datensatz")
    DatasetFactory(city=sw, title="Schwerter Datensatz")
    client.force_login(user_with_role(DATA_STEWARD, sw))
    listing = client.get("/admin/opendata/dataset/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Schwerter Datensatz" in html and "Dortmunder Datensatz" not in html

    response = client.post("/admin/opendata/dataset/add/", form(sw))
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = Dataset.objects.get(slug="haushalt-schwerte")
    assert saved.city == sw and saved.source == Dataset.MANUAL
    assert [d.url for d in saved.downloads()] == ["https://daten.example.org/haushalt.csv"]

    refused = client.post("/admin/opendata/dataset/add/", form(do, slug="haushalt-dortmund"))
    assert refused.status_code == 200  # the form offers only Schwerte: a field error
    assert "city" in refused.context["adminform"].form.errors
    assert not Dataset.objects.filter(slug="haushalt-dortmund").exists()
