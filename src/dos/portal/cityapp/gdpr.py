"""Defect reports a person sent with their account's e-mail address, for export and erasure."""

from __future__ import annotations

from typing import Any

from dos.portal.cityapp.models import ServiceRequest


def _reports(user: Any) -> Any:
    if not user.email:
        return ServiceRequest.objects.none()
    return ServiceRequest.objects.filter(email__iexact=user.email)


def export(user: Any) -> dict[str, Any]:
    return {
        "defect_reports": [
            {
                "service_request_id": r.pk,
                "city": r.city.slug,
                "service_code": r.service.code,
                "description": r.description,
                "email": r.email,
                "first_name": r.first_name,
                "last_name": r.last_name,
                "phone": r.phone,
                "requested_datetime": r.requested_datetime.isoformat(),
            }
            for r in _reports(user).select_related("city", "service")
        ]
    }


def erase(user: Any) -> None:
    """The reports stay (the defect is real); who sent them goes."""
    _reports(user).update(
        email="", first_name="", last_name="", phone="", device_id="", account_id=""
    )
