"""English versions of action fields and projects: edited in the back office and through the
actions, shown on the English strategy pages (list, Steckbrief, action field, roadmap,
portfolio, PDF), German where none was written."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError

from dos.portal.accounts.roles import EDITOR, REGION_ADMIN
from dos.portal.strategy import actions
from dos.portal.strategy.models import ActionField, Project
from tests.factories import dortmund, user_with_role
from tests.portal.strategy.factories import ActionFieldFactory, ProjectFactory
from tests.portal.strategy.test_admin import _form

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


@pytest.fixture
def bilingual() -> tuple[ActionField, Project, Project]:
    field = ActionFieldFactory(
        code="DP",
        slug="daten-und-plattformen",
        name="Daten und Plattformen",
        description="Daten verbinden.",
        name_en="Data and Platforms",
        description_en="Data connect.",
    )
    english = ProjectFactory(
        title="Klimamessnetz",
        summary="Stationen messen Hitze.",
        description="Lange deutsche Beschreibung.",
        title_en="Climate network",
        summary_en="Stations measure heat.",
        description_en="Long English description.",
        action_fields=[field],
        cities=[dortmund()],
    )
    german = ProjectFactory(title="Nur deutsch", summary="Kein Englisch.", action_fields=[field])
    return field, english, german


def test_pages_in_english_with_german_fallback(client: Any, bilingual: Any) -> None:
    field, english, german = bilingual
    page = client.get(english.get_absolute_url(), **EN).content.decode()
    assert "<h1>Climate network</h1>" in page and "Stations measure heat." in page
    assert "Long English description." in page and "Data and Platforms" in page
    assert "Klimamessnetz" not in page
    fallback = client.get(german.get_absolute_url(), **EN).content.decode()
    assert '<h1 lang="de">Nur deutsch</h1>' in fallback
    listing = client.get("/strategie/projekte/", **EN).content.decode()
    assert "Climate network" in listing and "Stations measure heat." in listing
    assert "Nur deutsch" in listing
    assert "DP – Data and Platforms" in listing  # the action field filter
    assert "Climate network" in client.get("/dortmund/projekte/", **EN).content.decode()
    field_page = client.get(field.get_absolute_url(), **EN).content.decode()
    assert "<h1>Data and Platforms</h1>" in field_page and "Data connect." in field_page
    roadmap = client.get("/strategie/fahrplan/", **EN).content.decode()
    assert "Climate network" in roadmap and "DP – Data and Platforms" in roadmap
    assert "Data and Platforms" in client.get("/strategie/portfolio/", **EN).content.decode()
    assert "Data and Platforms" in client.get("/strategie/", **EN).content.decode()
    # The same addresses in German (cached separately per language).
    german_page = client.get(english.get_absolute_url()).content.decode()
    assert "<h1>Klimamessnetz</h1>" in german_page and "Climate" not in german_page
    assert "Data and Platforms" not in client.get("/strategie/projekte/").content.decode()


def test_steckbrief_pdf_in_english(client: Any, bilingual: Any) -> None:
    _field, english, _german = bilingual
    pdf = client.get(english.get_absolute_url() + "steckbrief.pdf", **EN)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_english_texts_need_the_english_name() -> None:
    admin = user_with_role(REGION_ADMIN, None)
    with pytest.raises(ValidationError) as caught:
        actions.action_field_save(
            admin, code="XY", slug="xy", name="Feld", description_en="Only a description"
        )
    assert "name_en" in caught.value.message_dict
    saved = actions.action_field_save(
        admin, code="XY", slug="xy", name="Feld", name_en="Field", description_en="Text"
    )
    assert (saved.text("name", "en"), saved.text("name", "de")) == ("Field", "Feld")


def test_editor_edits_the_english_version_in_the_back_office(client: Any) -> None:
    project = ProjectFactory(cities=[dortmund()], title="Smarte Schulen")
    editor = user_with_role(EDITOR, dortmund())
    editor.is_staff = True
    editor.save()
    client.force_login(editor)
    form = client.get(f"/admin/strategy/project/{project.pk}/change/").content.decode()
    assert "Englisch (optional)" in form and 'name="summary_en"' in form
    data = _form(project, title_en="Smart schools", summary_en="Digital schools.")
    response = client.post(f"/admin/strategy/project/{project.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    project.refresh_from_db()
    assert (project.title_en, project.summary_en) == ("Smart schools", "Digital schools.")
    refused = client.post(f"/admin/strategy/project/{project.pk}/change/", {**data, "title_en": ""})
    assert refused.status_code == 200 and "Titel (Englisch)" in refused.content.decode()


def test_region_admin_edits_an_action_field_in_english(client: Any) -> None:
    field = ActionFieldFactory(code="EU", slug="energie-und-umwelt", name="Energie und Umwelt")
    admin = user_with_role(REGION_ADMIN, None)
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    form = client.get(f"/admin/strategy/actionfield/{field.pk}/change/").content.decode()
    assert "Englisch (optional)" in form and 'name="name_en"' in form
    response = client.post(
        f"/admin/strategy/actionfield/{field.pk}/change/",
        {
            "code": "EU",
            "slug": "energie-und-umwelt",
            "name": "Energie und Umwelt",
            "description": "",
            "name_en": "Energy and Environment",
            "description_en": "Climate.",
            "colour": "#2e6b1e",
            "icon": "",
            "position": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    field.refresh_from_db()
    assert (field.name_en, field.description_en) == ("Energy and Environment", "Climate.")


def test_english_versions_travel_with_the_json_and_csv_transfer(bilingual: Any) -> None:
    from dos.portal.strategy import transfer

    field, english, _german = bilingual
    data = transfer.export_data()
    csv_text = transfer.export_csv()
    assert "Climate network" in csv_text and "Stations measure heat." in csv_text
    Project.objects.filter(pk=english.pk).update(title_en="", summary_en="", description_en="")
    ActionField.objects.filter(pk=field.pk).update(name_en="", description_en="")
    transfer.import_data(data)
    english.refresh_from_db()
    field.refresh_from_db()
    assert (english.title_en, english.summary_en) == ("Climate network", "Stations measure heat.")
    assert (field.name_en, field.description_en) == ("Data and Platforms", "Data connect.")
    Project.objects.filter(pk=english.pk).update(title_en="")
    transfer.import_csv(csv_text)
    english.refresh_from_db()
    assert english.title_en == "Climate network"


def test_strategy_texts_in_english(client: Any) -> None:
    admin = user_with_role(REGION_ADMIN, None)
    actions.strategy_update(
        admin,
        title="Strategie 2030",
        vision="Gemeinsam smart.",
        guidelines="- Bürgernah\n- Nachhaltig",
        title_en="Strategy 2030",
        vision_en="Smart together.",
        guidelines_en="- Close to citizens\n- Sustainable",
    )
    overview = client.get("/strategie/", **EN).content.decode()
    assert "<h1>Strategy 2030</h1>" in overview and "Smart together." in overview
    assert "<li>Close to citizens</li>" in overview and "Bürgernah" not in overview
    home = client.get("/", **EN).content.decode()
    assert "Smart together." in home and "Strategy 2030" in home
    german = client.get("/strategie/").content.decode()
    assert "<h1>Strategie 2030</h1>" in german and "<li>Bürgernah</li>" in german
    pdf = client.get("/strategie/strategie.pdf", **EN)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
