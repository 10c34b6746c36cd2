"""Defect reports mirrored to the in-process NGSI-LD broker, in their city's tenant."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings

from dos.broker.client import BrokerClient
from dos.portal.accounts.permissions import SYSTEM
from dos.portal.cityapp import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_store() -> None:
    from dos.broker.store import open_store

    store = open_store(settings.CONFIG)
    store.migrate()
    store.close()


def entities(tenant: str) -> list[dict[str, Any]]:
    async def query() -> list[dict[str, Any]]:
        client = BrokerClient.from_config(settings.CONFIG)
        try:
            return await client.query_entities(tenant=tenant, type="Open311ServiceRequest")
        finally:
            await client.aclose()

    return async_to_sync(query)()


@pytest.mark.usefixtures("broker_store")
def test_report_and_status_change_reach_the_broker(
    apps: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        report = actions.request_submit(
            apps["schwerte"]["key"],
            apps["schwerte"]["services"]["pothole"],
            lat=51.4459,
            long=7.5656,
            description="Loch vor dem Rathaus",
            email="reporter@example.test",
        )
    report.refresh_from_db()
    assert report.mirrored_at is not None and report.mirror_error == ""
    with django_capture_on_commit_callbacks(execute=True):
        actions.request_update(SYSTEM, report, state="resolved", status_notes="repariert")
    found = {e["id"]: e for e in entities("schwerte")}
    entity = found[f"urn:ngsi-ld:Open311ServiceRequest:schwerte:{report.pk}"]
    assert entity["status"]["value"] == "closed"
    assert entity["status_notes"]["value"] == "repariert"
    assert entity["location"]["value"]["coordinates"] == [7.5656, 51.4459]
    assert "reporter@example.test" not in str(entity)
    assert all(
        not e["id"].endswith(f":{report.pk}") or "schwerte" not in e["id"]
        for e in entities("dortmund")
    )
