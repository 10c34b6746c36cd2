"""Surveys: every question type, one response per user or code, anonymity, results, CSV."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dos.portal.participation.actions import survey_publish_results, survey_respond
from dos.portal.participation.models import InvitationCode, Question, Survey, SurveyResponse
from tests.portal.participation.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(city, process):
    survey = Survey.objects.create(city=city, process=process, title="Wie kommen Sie zur Arbeit?")
    Question.objects.create(
        survey=survey,
        position=1,
        kind=Question.SINGLE,
        text="Verkehrsmittel",
        choices="Rad\nBus\nAuto",
    )
    Question.objects.create(
        survey=survey,
        position=2,
        kind=Question.MULTIPLE,
        text="Was fehlt?",
        choices="Radwege\nTakt\nParkplätze",
    )
    Question.objects.create(
        survey=survey, position=3, kind=Question.SCALE, text="Zufriedenheit", scale_max=5
    )
    Question.objects.create(
        survey=survey,
        position=4,
        kind=Question.RANKING,
        text="Prioritäten",
        choices="Sicherheit\nTempo\nKosten",
    )
    Question.objects.create(
        survey=survey, position=5, kind=Question.TEXT, text="Sonst noch etwas?", required=False
    )
    return survey


def answers(survey: Survey, **over):
    q = {x.kind: x.pk for x in survey.questions.all()}
    data = {
        q["single"]: "Rad",
        q["multiple"]: ["Radwege", "Takt"],
        q["scale"]: 4,
        q["ranking"]: ["Sicherheit", "Kosten", "Tempo"],
        q["text"]: "Mehr Bänke",
    }
    data.update({q[k]: v for k, v in over.items()})
    return data


def test_respond_once(survey, citizen) -> None:
    response = survey_respond(citizen, survey, answers(survey))
    assert response.user == citizen and response.answers.count() == 5
    with pytest.raises(ValidationError) as exc:
        survey_respond(citizen, survey, answers(survey))
    assert "bereits" in exc.value.messages[0]
    assert SurveyResponse.objects.count() == 1


def test_anonymous_survey_keeps_no_account_but_refuses_twice(survey, citizen) -> None:
    survey.anonymous = True
    survey.save()
    response = survey_respond(citizen, survey, answers(survey))
    assert response.user is None
    with pytest.raises(ValidationError):
        survey_respond(citizen, survey, answers(survey))


def test_invitation_code_once(survey) -> None:
    from django.contrib.auth.models import AnonymousUser

    InvitationCode.objects.create(survey=survey, code="SENIOREN-1")
    survey_respond(AnonymousUser(), survey, answers(survey), code="SENIOREN-1")
    with pytest.raises(ValidationError) as exc:
        survey_respond(AnonymousUser(), survey, answers(survey), code="SENIOREN-1")
    assert "bereits verwendet" in exc.value.message_dict["code"][0]
    with pytest.raises(PermissionDenied):
        survey_respond(AnonymousUser(), survey, answers(survey))


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("single", "Zug"),
        ("multiple", ["Rakete"]),
        ("scale", 9),
        ("ranking", ["Tempo"]),
        ("single", ""),
    ],
)
def test_bad_answers_are_refused(survey, citizen, kind, value) -> None:
    with pytest.raises(ValidationError) as exc:
        survey_respond(citizen, survey, answers(survey, **{kind: value}))
    question = survey.questions.get(kind=kind)
    assert f"q{question.pk}" in exc.value.message_dict
    assert SurveyResponse.objects.count() == 0


def test_results_only_after_publishing(client, survey, citizen, other_citizen, editor) -> None:
    survey_respond(citizen, survey, answers(survey))
    survey_respond(other_citizen, survey, answers(survey, single="Bus"))
    url = f"/beteiligung/umfrage/{survey.pk}/ergebnisse/"
    assert client.get(url).status_code == 404
    with pytest.raises(PermissionDenied):
        survey_publish_results(citizen, survey)
    survey_publish_results(editor, survey)
    page = client.get(url).content.decode()
    assert "<svg" in page and "Verkehrsmittel" in page and "2 Teilnahmen" in page
    assert "Mehr Bänke" in page
    assert 'width="360.0"' in page and "," not in page.split('class="bar"')[0][-30:]


def test_csv_export_for_editors_only(client, survey, citizen, editor, other_moderator) -> None:
    survey_respond(citizen, survey, answers(survey))
    url = f"/beteiligung/umfrage/{survey.pk}/antworten.csv"
    login(client, citizen)
    assert client.get(url).status_code == 403
    login(client, editor)
    response = client.get(url)
    lines = response.content.decode().strip().splitlines()
    assert lines[0].startswith("response,submitted_at,Verkehrsmittel")
    assert "Radwege | Takt" in lines[1] and "Sicherheit | Kosten | Tempo" in lines[1]


def test_survey_form_view(client, survey, citizen) -> None:
    login(client, citizen)
    q = {x.kind: x.pk for x in survey.questions.all()}
    url = f"/beteiligung/umfrage/{survey.pk}/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {f"q{q['single']}": "Rad"})
    assert bad.status_code == 200 and "Bitte beantworten Sie diese Frage." in bad.content.decode()
    data = {
        f"q{q['single']}": "Rad",
        f"q{q['multiple']}": ["Takt"],
        f"q{q['scale']}": "3",
        f"q{q['ranking']}_0": "1",
        f"q{q['ranking']}_1": "3",
        f"q{q['ranking']}_2": "2",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    ranking = SurveyResponse.objects.get().answers.get(question_id=q["ranking"]).value
    assert ranking == ["Sicherheit", "Kosten", "Tempo"]


def test_survey_follows_the_process_phase(survey, citizen) -> None:
    from dos.portal.participation import phases
    from dos.portal.participation.models import Phase

    Phase.objects.filter(process=survey.process, kind=phases.IDEA_COLLECTION).update(
        kind=phases.EVALUATION
    )
    survey = Survey.objects.get(pk=survey.pk)
    with pytest.raises(ValidationError) as exc:
        survey_respond(citizen, survey, answers(survey))
    assert exc.value.messages == ["Diese Umfrage ist geschlossen."]
    assert SurveyResponse.objects.count() == 0
