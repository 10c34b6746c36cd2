"""Services and service requests as GeoReport v2 documents (public fields only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from dos.portal.cityapp.models import Service, ServiceRequest


def w3c(value: datetime | None) -> str | None:
    """A W3C date-time with offset, e.g. ``2026-11-27T10:00:00+01:00``."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def service_entry(service: Service, language: str) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "service_name": service.label(language),
        "description": service.text(language),
        "metadata": bool(service.attributes),
        "type": "realtime",
        "keywords": service.keywords,
        "group": service.group,
    }


def service_definition(service: Service) -> dict[str, Any]:
    attributes = []
    for position, definition in enumerate(service.attributes, start=1):
        entry = {
            "variable": definition.get("variable", True),
            "code": definition["code"],
            "datatype": definition["datatype"],
            "required": definition.get("required", False),
            "datatype_description": definition.get("datatype_description", ""),
            "order": definition.get("order", position),
            "description": definition["description"],
        }
        if definition.get("values"):
            entry["values"] = [{"key": v["key"], "name": v["name"]} for v in definition["values"]]
        attributes.append(entry)
    return {"service_code": service.code, "attributes": attributes}


def request_entry(report: ServiceRequest, language: str, media_url: str | None) -> dict[str, Any]:
    """One service request as the public sees it: no e-mail, name, phone or device."""
    return {
        "service_request_id": str(report.pk),
        "status": report.status,
        "status_notes": report.status_notes,
        "service_name": report.service.label(language),
        "service_code": report.service.code,
        "description": report.description,
        "agency_responsible": report.agency_responsible,
        "service_notice": report.service_notice,
        "requested_datetime": w3c(report.requested_datetime),
        "updated_datetime": w3c(report.updated_datetime),
        "expected_datetime": w3c(report.expected_datetime),
        "address": report.address_string,
        "address_id": report.address_id,
        "zipcode": report.zipcode,
        "lat": report.lat,
        "long": report.long,
        "media_url": media_url,
    }
