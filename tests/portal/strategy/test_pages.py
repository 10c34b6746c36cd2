"""Public strategy pages: content, filters, and a bounded number of queries."""

from __future__ import annotations

import datetime as dt

import pytest

from dos.portal.accounts.permissions import SYSTEM
from dos.portal.strategy import actions
from dos.portal.strategy.models import Strategy
from tests.factories import dortmund, schwerte
from tests.portal.strategy.factories import (
    ActionFieldFactory,
    KpiFactory,
    MilestoneFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio():
    data = ActionFieldFactory(code="DP", slug="daten", name="Daten und Plattformen")
    mobility = ActionFieldFactory(code="IM", slug="mobilitaet", name="Intelligente Mobilität")
    do, sw = dortmund(), schwerte()
    projects = []
    for n in range(12):
        project = ProjectFactory(
            code=f"DP {n:02d}",
            title=f"Datenprojekt {n}",
            action_fields=[data if n % 2 else mobility],
            cities=[do] if n % 3 == 0 else [do, sw] if n % 3 == 1 else [sw],
            federally_funded=n % 4 == 0,
            phase="planning" if n < 4 else "implementation",
        )
        project.sdg_goals.set([11] if n % 2 else [4, 11])
        MilestoneFactory(project=project)
        kpi = KpiFactory(project=project, is_key=n == 1)
        actions.kpi_value_record(SYSTEM, kpi, date=dt.date(2025, 1, 1), value=n)
        projects.append(project)
    rnd = actions.evaluation_round_create(
        SYSTEM, name="Runde 1", date=dt.date(2025, 6, 1), criteria=[("Wirkung", 2), ("Kosten", 1)]
    )
    for project in projects[:6]:
        actions.evaluation_record(
            SYSTEM, rnd, project, scores={"Wirkung": 4, "Kosten": 3}, recommendation="continue"
        )
    return projects


def test_overview_shows_vision_fields_and_counts(client, portfolio) -> None:
    Strategy.objects.create(
        region=dortmund().region, title="DOS 2030", vision="Smart sind wir nur gemeinsam."
    )
    response = client.get("/strategie/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Smart sind wir nur gemeinsam." in text
    assert "Daten und Plattformen" in text and "6 Projekte" in text


def test_region_home_has_the_strategy_sections(client, portfolio) -> None:
    text = client.get("/").content.decode()
    assert "Intelligente Mobilität" in text
    assert "Kennzahl" in text  # the key KPI


def shown(response) -> set[str]:
    """The project codes on a rendered project list."""
    import re

    return set(
        re.findall(r'<p class="project-code">([^<]+?)(?: <span|</p>)', response.content.decode())
    )


def test_project_list_filters(client, portfolio) -> None:
    response = client.get("/strategie/projekte/", {"field": "daten", "city": "schwerte"})
    assert shown(response) == {"DP 01", "DP 05", "DP 07", "DP 11"}
    response = client.get("/strategie/projekte/", {"funding": "federal", "phase": "planning"})
    assert shown(response) == {"DP 00"}
    response = client.get("/strategie/projekte/", {"sdg": "4", "status": "on_track"})
    assert len(shown(response)) == 6
    response = client.get("/strategie/projekte/", {"city": "region"})
    assert shown(response) == set()
    assert "Kein Projekt entspricht" in response.content.decode()


def test_city_project_list_is_prefiltered(client, portfolio) -> None:
    response = client.get("/dortmund/projekte/")
    assert len(shown(response)) == 8


def test_invalid_filter_values_are_ignored_not_500(client, portfolio) -> None:
    response = client.get("/strategie/projekte/", {"sdg": "99", "phase": "nonsense"})
    assert response.status_code == 200
    assert len(shown(response)) == 12


def test_project_page_shows_the_steckbrief(client, portfolio) -> None:
    project = portfolio[1]
    response = client.get(project.get_absolute_url())
    text = response.content.decode()
    assert response.status_code == 200
    assert project.title in text and "Meilenstein" in text
    assert '<svg class="chart chart-line"' in text and "<table>" in text
    assert "Runde 1" in text and "3,67" in text  # weighted (4*2+3*1)/3


def test_unknown_project_is_404(client) -> None:
    assert client.get("/strategie/projekte/gibt-es-nicht/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/strategie/",
        "/strategie/projekte/",
        "/strategie/projekte/?field=daten&sdg=11",
        "/strategie/handlungsfelder/daten/",
        "/strategie/fahrplan/",
        "/strategie/portfolio/",
    ],
)
def test_list_pages_use_a_bounded_number_of_queries(
    client, portfolio, url, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200


def test_project_page_queries_do_not_grow_with_kpis(
    client, portfolio, django_assert_max_num_queries
) -> None:
    project = portfolio[1]
    for n in range(5):
        kpi = KpiFactory(project=project)
        for day in range(1, 8):
            actions.kpi_value_record(SYSTEM, kpi, date=dt.date(2024, 1, day), value=n + day)
        MilestoneFactory(project=project)
    # 18 for the Steckbrief, plus the project's ideas and news from the other apps
    with django_assert_max_num_queries(22):
        assert client.get(project.get_absolute_url()).status_code == 200


def test_history_page_compares_with_a_date(client, portfolio) -> None:
    project = portfolio[0]
    response = client.get(f"{project.get_absolute_url()}verlauf/", {"date": "2020-01-01"})
    assert response.status_code == 200
    assert response.context["comparison"]["existed"] is False
    response = client.get(f"{project.get_absolute_url()}verlauf/", {"date": "kein-datum"})
    assert response.status_code == 200 and response.context["form"].errors


def test_pdf_downloads_are_generated_from_live_data(
    client, portfolio, django_assert_max_num_queries
) -> None:
    Strategy.objects.create(region=dortmund().region, title="DOS 2030", vision="Gemeinsam.")
    with django_assert_max_num_queries(20):
        response = client.get("/strategie/strategie.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    project = portfolio[1]
    with django_assert_max_num_queries(16):
        response = client.get(f"{project.get_absolute_url()}steckbrief.pdf")
    assert response.content.startswith(b"%PDF")
    assert 'filename="steckbrief-' in response["Content-Disposition"]
    assert client.get("/strategie/projekte/nichts/steckbrief.pdf").status_code == 404


def test_steckbrief_text_has_umlauts_and_euro(portfolio) -> None:
    import re

    from dos.portal.strategy import pdf, queries

    project = portfolio[1]
    project.title = "Größere Maßnahme"
    project.budget = 88000
    project.save()
    document = pdf.Document("x")
    document.compress = False
    document.add_page()
    pdf._steckbrief(document, queries.project_detail(project.slug))
    shown = re.findall(r"\((.*?)\) Tj", bytes(document.output()).decode("cp1252"))
    assert "Größere Maßnahme" in shown and "88.000 €" in shown


def test_cached_pages_show_changes_at_once(client, portfolio, django_capture_on_commit_callbacks):
    project = portfolio[2]
    assert project.title in client.get("/strategie/projekte/").content.decode()
    assert "Ausschreibung" not in client.get(project.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        actions.project_update(SYSTEM, project, title="Umbenanntes Projekt")
        actions.milestone_create(
            SYSTEM, project, title="Ausschreibung", planned_date=dt.date(2025, 2, 1)
        )
    assert "Umbenanntes Projekt" in client.get("/strategie/projekte/").content.decode()
    assert "Ausschreibung" in client.get(project.get_absolute_url()).content.decode()


def test_cached_list_costs_few_queries(client, portfolio, django_assert_max_num_queries) -> None:
    client.get("/strategie/projekte/")
    with django_assert_max_num_queries(6):
        client.get("/strategie/projekte/")


def test_cached_project_page_costs_few_queries(
    client, portfolio, django_assert_max_num_queries
) -> None:
    """The Steckbrief, the project's ideas and news and the page header come from the cache:
    what is left is reading the generation tokens and the project's name."""
    project = portfolio[1]
    client.get(project.get_absolute_url())
    with django_assert_max_num_queries(5):
        assert client.get(project.get_absolute_url()).status_code == 200


def test_project_page_shows_a_new_idea_link_at_once(client, portfolio) -> None:
    from dos.portal.participation.models import Idea
    from tests.factories import UserFactory
    from tests.portal.participation.conftest import make_process

    project = portfolio[1]
    assert "Bänke am See" not in client.get(project.get_absolute_url()).content.decode()
    Idea.objects.create(
        process=make_process(dortmund()),
        city=dortmund(),
        author=UserFactory(),
        title="Bänke am See",
        description="d",
        published=True,
        project=project,
    )
    assert "Bänke am See" in client.get(project.get_absolute_url()).content.decode()
