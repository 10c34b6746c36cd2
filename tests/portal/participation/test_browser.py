"""Participation end to end in headless Chromium, with axe-core on the main pages."""

from __future__ import annotations

from typing import Any

import pytest

from dos.portal.participation.models import CityRules, Idea, IdeaStatus
from tests.factories import UserFactory, user_with_role
from tests.portal.participation.conftest import make_process

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "ein-gutes-passwort"


def sign_in(page: Any, live_url: str, user: Any) -> None:
    page.context.clear_cookies()
    page.goto(live_url + "/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def test_submit_support_and_answer_an_idea(live_url, page, axe_violations) -> None:
    from dos.portal.accounts.roles import MODERATOR
    from dos.portal.participation.actions import idea_submit
    from tests.factories import schwerte

    city = schwerte()
    CityRules.objects.update_or_create(
        city=city, defaults={"precheck_ideas": False, "support_threshold": 1}
    )
    process = make_process(city, slug="mobilitaet")
    author, supporter = UserFactory(public_name="Radlerin44"), UserFactory(public_name="Eule")
    moderator = user_with_role(MODERATOR, city)
    idea_submit(UserFactory(), process, title="Mehr Radwege am Bahnhof", description="Radwege")

    sign_in(page, live_url, author)
    page.goto(f"{live_url}/beteiligung/mobilitaet/")
    assert page.get_by_role("heading", level=1).inner_text() == process.title
    assert axe_violations(page) == []
    page.get_by_role("link", name="Idee einreichen").click()
    page.wait_for_url("**/idee/neu/")
    assert axe_violations(page) == []
    page.locator("#id_title").fill("Sichere Radwege zur Schule")
    # Similar ideas are suggested while typing.
    page.get_by_role("link", name="Mehr Radwege am Bahnhof").wait_for()
    page.locator("#id_description").fill("Baulich getrennte Radwege zwischen Markt und Schule.")
    page.locator("[data-map-picker] svg").click(position={"x": 200, "y": 130})
    assert page.locator("#id_latitude").input_value() != ""
    page.get_by_role("button", name="Idee einreichen").click()
    page.wait_for_url("**/beteiligung/idee/*/")
    idea = Idea.objects.get(title="Sichere Radwege zur Schule")
    assert idea.latitude is not None and abs(idea.latitude - city.latitude) < 0.1
    assert page.get_by_text("Ihre Idee ist veröffentlicht").is_visible()
    assert axe_violations(page) == []

    sign_in(page, live_url, supporter)
    page.goto(live_url + idea.get_absolute_url())
    page.get_by_role("button", name="Diese Idee unterstützen").click()
    page.wait_for_load_state()
    assert page.get_by_text("Danke für Ihre Unterstützung!").is_visible()
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.REFERRED

    sign_in(page, live_url, moderator)
    page.goto(live_url + idea.get_absolute_url())
    page.locator("#id_status").select_option("accepted")
    page.locator("#id_answer").fill("Der Ausschuss stimmt zu.")
    page.get_by_role("button", name="Antwort veröffentlichen").click()
    page.wait_for_load_state()
    assert (
        page.locator("blockquote.official").last.inner_text().endswith("Der Ausschuss stimmt zu.")
    )
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.ACCEPTED
    assert author.participation_notices.filter(text__contains="Angenommen").exists()
    assert supporter.participation_notices.filter(text__contains="Angenommen").exists()
    assert axe_violations(page) == []


def test_survey_pages_are_accessible(live_url, page, axe_violations) -> None:
    from dos.portal.participation.actions import survey_respond
    from dos.portal.participation.models import Question, Survey
    from tests.factories import schwerte

    city = schwerte()
    survey = Survey.objects.create(city=city, title="Mobilität", results_published=True)
    Question.objects.create(survey=survey, kind="single", text="Wie?", choices="Rad\nBus")
    Question.objects.create(survey=survey, kind="scale", text="Zufrieden?", position=2)
    Question.objects.create(
        survey=survey, kind="ranking", text="Wichtig?", choices="A\nB", position=3
    )
    q = {x.kind: x.pk for x in survey.questions.all()}
    survey_respond(
        UserFactory(), survey, {q["single"]: "Rad", q["scale"]: 4, q["ranking"]: ["B", "A"]}
    )
    user = UserFactory()
    sign_in(page, live_url, user)
    page.goto(live_url + survey.get_absolute_url())
    assert axe_violations(page) == []
    page.get_by_label("Rad").check()
    page.get_by_label("4").check()
    page.get_by_label("Wichtig?: A").select_option("2")
    page.get_by_label("Wichtig?: B").select_option("1")
    page.get_by_role("button", name="Antworten senden").click()
    page.wait_for_load_state()
    assert page.get_by_text("Danke für Ihre Teilnahme!").is_visible()
    page.goto(f"{live_url}/beteiligung/umfrage/{survey.pk}/ergebnisse/")
    assert page.get_by_text("2 Teilnahmen").is_visible()
    assert axe_violations(page) == []
