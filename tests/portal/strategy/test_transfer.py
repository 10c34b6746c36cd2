"""`dos strategy export|import`: round trip, all-or-nothing, bad rows reported precisely."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.utils import translation

from dos.cli import main
from dos.portal.accounts.permissions import SYSTEM
from dos.portal.strategy import actions, transfer
from dos.portal.strategy.models import Evaluation, Kpi, Project
from tests.factories import dortmund, schwerte
from tests.portal.strategy.factories import ActionFieldFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _german_again():
    yield
    translation.activate("de")


@pytest.fixture
def strategy():
    field = ActionFieldFactory(code="SV", slug="sicherheit", name="Sicherheit und Vertrauen")
    project = ProjectFactory(
        code="SV 01",
        slug="sensorik",
        title="Sensorik",
        action_fields=[field],
        cities=[dortmund(), schwerte()],
        budget="125000.50",
        federally_funded=True,
        funding_programme="Modellprojekte Smart Cities",
        partners="Hochschule\nUmweltamt",
    )
    project.sdg_goals.set([3, 11])
    actions.milestone_create(SYSTEM, project, title="Pilot", planned_date=dt.date(2024, 5, 1))
    kpi = actions.kpi_create(SYSTEM, project, name="Stationen", unit="Stück", baseline=0, target=80)
    actions.kpi_value_record(SYSTEM, kpi, date=dt.date(2025, 5, 28), value=76)
    rnd = actions.evaluation_round_create(
        SYSTEM, name="Runde", date=dt.date(2025, 6, 1), criteria=[("Wirkung", 1)]
    )
    actions.evaluation_record(SYSTEM, rnd, project, scores={"Wirkung": 4}, recommendation="adapt")
    return project


def test_json_round_trip_restores_everything(strategy, tmp_path, capsys) -> None:
    path = tmp_path / "strategie.json"
    assert main(["strategy", "export", "-o", str(path)]) == 0
    exported = json.loads(path.read_text())
    Project.objects.all().delete()
    assert main(["strategy", "import", str(path)]) == 0
    assert "1 project(s) imported" in capsys.readouterr().out
    project = Project.objects.get(code="SV 01")
    assert str(project.budget) == "125000.50" and project.partner_list == [
        "Hochschule",
        "Umweltamt",
    ]
    assert sorted(c.slug for c in project.cities.all()) == ["dortmund", "schwerte"]
    assert [g.number for g in project.sdg_goals.all()] == [3, 11]
    assert [m.title for m in project.milestones.all()] == ["Pilot"]
    kpi = Kpi.objects.get(project=project)
    assert [(v.date, int(v.value)) for v in kpi.values.all()] == [(dt.date(2025, 5, 28), 76)]
    assert Evaluation.objects.get(project=project).recommendation == "adapt"
    assert transfer.export_data()["projects"] == exported["projects"]


def test_csv_round_trip(strategy) -> None:
    text = transfer.export_csv()
    Project.objects.all().delete()
    assert transfer.import_csv(text) == 1
    assert transfer.export_csv() == text


def _bad_csv(strategy) -> str:
    ProjectFactory(code="SV 02", slug="zwei", action_fields=list(strategy.action_fields.all()))
    rows = list(csv.DictReader(io.StringIO(transfer.export_csv())))
    rows[0]["title"] = "Geändert"
    rows[1]["progress"] = "101"
    rows.append(
        {
            **rows[1],
            "code": "SV 03",
            "slug": "drei",
            "progress": "5",
            "start_date": "2026-01-01",
            "end_date": "2025-01-01",
        }
    )
    rows.append({**rows[1], "code": "SV 04", "slug": "vier", "progress": "viel"})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=transfer.CSV_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_bad_csv_rows_are_reported_and_nothing_is_imported(strategy) -> None:
    with pytest.raises(transfer.ImportFailed) as failed:
        transfer.import_csv(_bad_csv(strategy))
    reported = {(e.row, e.field) for e in failed.value.errors}
    assert reported == {(3, "progress"), (4, "end_date"), (5, "progress")}
    assert "before the start" in str(failed.value.errors[1]) or "Beginn" in str(
        failed.value.errors[1]
    )
    assert Project.objects.get(code="SV 01").title == "Sensorik"  # row 2 was rolled back too
    assert not Project.objects.filter(code__in=["SV 03", "SV 04"]).exists()


def test_cli_reports_row_field_and_reason(strategy, tmp_path, capsys) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(_bad_csv(strategy))
    assert main(["strategy", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "row 3, field progress: Ensure this value is less than or equal to 100." in err
    assert "row 4, field end_date: The end date must not be before the start date." in err
    assert "row 5, field progress: cannot read “viel”" in err
    assert "nothing was imported" in err


def test_json_with_bad_nested_kpi_is_refused(strategy) -> None:
    data = transfer.export_data()
    data["projects"][0]["kpis"][0].update(
        source="live",
        entity_type="WeatherObserved",
        attribute="hotness",
        aggregation="max",
        period="year",
    )
    data["projects"][0]["title"] = "Neu"
    with pytest.raises(transfer.ImportFailed) as failed:
        transfer.import_data(data)
    assert [(e.row, e.field) for e in failed.value.errors] == [(1, "kpis[1].attribute")]
    assert Project.objects.get(code="SV 01").title == "Sensorik"


def test_not_an_export_is_refused(tmp_path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"hello": 1}')
    assert main(["strategy", "import", str(path)]) == 2
    path.write_text("{kaputt")
    assert main(["strategy", "import", str(path)]) == 2
