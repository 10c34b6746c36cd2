"""The demo participation data: every status, linked projects, survey results; idempotent."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_demo_loads_every_status_and_twice_changes_nothing(client) -> None:
    from dos.demo import participation as demo
    from dos.demo import region
    from dos.portal.participation.models import Idea, IdeaStatus, Survey
    from dos.portal.strategy.models import ActionField, Project

    said: list[str] = []
    region.load(said.append)
    # The few strategy objects the demo links to (the full strategy demo is slow).
    for code in ("IM", "EU", "DP", "ZM"):
        ActionField.objects.create(code=code, slug=code.lower(), name=code)
    for slug in (
        "parkleitsystem-schwerte",
        "sensoren-behindertenparkplaetze",
        "baumsensoren-dortmund",
    ):
        Project.objects.create(code=slug[:20], slug=slug, title=slug)
    demo.load(said.append)
    statuses = set(Idea.objects.values_list("status", flat=True))
    wanted = {s for s in IdeaStatus.values if s not in ("submitted", "threshold_reached")}
    assert statuses >= wanted
    implemented = Idea.objects.filter(status=IdeaStatus.IMPLEMENTED)
    assert implemented.exists() and all(i.project_id for i in implemented)
    survey = Survey.objects.get()
    assert survey.results_published and survey.responses.count() == 6
    count = Idea.objects.count()
    demo.load(said.append)
    assert Idea.objects.count() == count
    page = client.get("/beteiligung/mobilitaet-in-schwerte/")
    assert page.status_code == 200 and "Sichere Radwege" in page.content.decode()
    results = client.get(f"/beteiligung/umfrage/{survey.pk}/ergebnisse/")
    assert results.status_code == 200
