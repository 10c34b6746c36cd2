"""Reports sent with an account's e-mail address join the data export and the deletion."""

from __future__ import annotations

from typing import Any

import pytest

from dos.portal.accounts.actions import account_delete, account_export
from dos.portal.cityapp import actions
from dos.portal.cityapp.models import ServiceRequest

pytestmark = pytest.mark.django_db


def test_export_and_erase(apps: dict[str, Any], citizen: Any) -> None:
    report = actions.request_submit(
        apps["dortmund"]["key"],
        apps["dortmund"]["services"]["pothole"],
        address_string="Markt 1",
        email=citizen.email,
        first_name="Erika",
        phone="0231 1",
    )
    exported = account_export(citizen, citizen)["cityapp"]["defect_reports"]
    assert [r["service_request_id"] for r in exported] == [report.pk]
    assert exported[0]["email"] == citizen.email
    account_delete(citizen, citizen)
    report = ServiceRequest.objects.get(pk=report.pk)
    assert (report.email, report.first_name, report.phone) == ("", "", "")
    assert report.address_string == "Markt 1"
