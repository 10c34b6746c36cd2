"""Processes and phases, the public pages with bounded queries, map, open data, GDPR, CLI."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from dos.portal.participation import phases
from dos.portal.participation.actions import comment_create, idea_submit, idea_support
from dos.portal.participation.models import Idea, Phase
from tests.factories import UserFactory
from tests.portal.participation.conftest import login, make_process

pytestmark = pytest.mark.django_db


def test_current_phase_decides_what_is_allowed(process) -> None:
    assert process.current_phase.kind == phases.IDEA_COLLECTION
    assert process.allows(phases.SUBMIT) and process.allows(phases.SUPPORT_IDEA)
    later = timezone.localdate() + datetime.timedelta(days=60)
    assert process.phase_on(later) is None
    Phase.objects.filter(process=process).delete()
    fresh = type(process).objects.get(pk=process.pk)
    assert not fresh.allows(phases.COMMENT)


def test_process_lists(client, process, city) -> None:
    region = make_process(None, slug="ideenpool")
    page = client.get("/beteiligung/").content.decode()
    assert process.title in page and "Ganze Region" in page
    city_page = client.get(f"/{city.slug}/beteiligung/").content.decode()
    assert process.title in city_page and region.title in city_page


def _ideas(process, count):
    author = UserFactory()
    for n in range(count):
        idea = idea_submit(
            author,
            process,
            title=f"Idee {n}",
            description="Text",
            latitude=51.44 + n / 1000,
            longitude=7.56,
        )
        idea_support(UserFactory(), idea)
        comment_create(author, idea, body="Kommentar")


def test_idea_list_query_count_is_bounded(client, process, django_assert_max_num_queries) -> None:
    _ideas(process, 3)
    with django_assert_max_num_queries(12):
        small = client.get(process.get_absolute_url())
    _ideas(process, 12)
    with django_assert_max_num_queries(12):
        large = client.get(process.get_absolute_url())
    assert small.status_code == large.status_code == 200
    assert large.content.decode().count('class="card idea-card"') == 15
    assert "<circle" in large.content.decode()  # the SVG map


def test_idea_page_query_count_is_bounded(client, idea, django_assert_max_num_queries) -> None:
    for n in range(5):
        comment_create(idea.author, idea, body=f"Kommentar {n}")
    with django_assert_max_num_queries(16):
        page = client.get(idea.get_absolute_url())
    assert page.content.decode().count('class="comment ') == 5


def test_filter_by_status(client, process, idea, citizen) -> None:
    page = client.get(process.get_absolute_url(), {"status": "accepted"}).content.decode()
    assert idea.title not in page
    page = client.get(process.get_absolute_url(), {"status": "collecting"}).content.decode()
    assert idea.title in page


def test_open_data_is_anonymised(client, process, citizen) -> None:
    idea_submit(
        citizen, process, title="Bank", description="Text", latitude=51.445678, longitude=7.561234
    )
    data = client.get(f"/beteiligung/{process.slug}/ideen.json").json()
    row = data["ideas"][0]
    assert row["title"] == "Bank" and row["latitude"] == 51.446 and row["supports"] == 0
    assert "author" not in row and citizen.public_name not in str(data)
    csv_text = client.get(f"/beteiligung/{process.slug}/ideen.csv").content.decode()
    assert csv_text.splitlines()[0].startswith("id,title,city")


def test_gdpr_export_and_erase(client, idea, citizen, other_citizen) -> None:
    from dos.portal.accounts.actions import account_delete, account_export

    idea_support(other_citizen, idea)
    comment_create(other_citizen, idea, body="Mein Kommentar")
    data = account_export(other_citizen, other_citizen)["participation"]
    assert data["comments"][0]["body"] == "Mein Kommentar" and len(data["supports"]) == 1
    account_delete(other_citizen, other_citizen)
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "Mein Kommentar" in page and "gelöschte" in page.lower()
    assert not other_citizen.idea_supports.exists()
    assert Idea.objects.get(pk=idea.pk).support_count == 1


def test_cli_tick(capsys) -> None:
    from dos.cli import main

    assert main(["participation", "tick"]) == 0
    assert "closed: 0" in capsys.readouterr().out


def test_pages_render_for_a_moderator(client, idea, moderator) -> None:
    login(client, moderator)
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "Offizielle Antwort und Status" in page and "Idee ausblenden" in page


def test_city_page_maps_the_citys_ideas(client, process, city, citizen) -> None:
    idea_submit(
        citizen, process, title="Bank am Markt", description="T", latitude=51.44, longitude=7.56
    )
    idea_submit(citizen, process, title="Ohne Ort", description="T")
    page = client.get(f"/{city.slug}/beteiligung/").content.decode()
    assert page.count("<circle") == 1 and 'aria-label="Bank am Markt' in page
    # SVG coordinates are never localised ("12,5" would break the drawing in German).
    assert re.search(r'<circle cx="\d+(\.\d+)?" cy="\d+(\.\d+)?"', page)
    page = client.get(f"/{city.slug}/beteiligung/", {"status": "declined"}).content.decode()
    assert "<circle" not in page and "Keine verorteten Ideen passen." in page


def test_follow_a_project_and_hear_of_linked_ideas(client, idea, moderator, other_citizen) -> None:
    from django.template import Context, Template

    from dos.portal.participation.actions import idea_answer
    from dos.portal.participation.models import IdeaStatus
    from dos.portal.strategy.models import Project

    project = Project.objects.create(code="IM 09", slug="radwege", title="Radwegenetz")
    login(client, other_citizen)
    client.post(f"/beteiligung/projekt/{project.pk}/folgen/", {"follow": "1"})
    Idea.objects.filter(pk=idea.pk).update(status=IdeaStatus.REFERRED)
    idea.refresh_from_db()
    idea_answer(moderator, idea, status=IdeaStatus.ACCEPTED, answer="Ja.", project=project)
    assert other_citizen.participation_notices.filter(text__contains="Radwegenetz").exists()
    html = Template("{% load participation %}{% project_participation project %}").render(
        Context({"project": project})
    )
    assert idea.title in html
