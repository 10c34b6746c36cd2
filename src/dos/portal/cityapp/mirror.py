"""Defect reports on the urban data platform: each report is an NGSI-LD
``Open311ServiceRequest`` entity (Smart Data Models, IssueTracking) in its city's tenant.

Mirroring is a step after the report is committed: a broker that is down never loses or
blocks a report. A failure is recorded on the report and ``dos cityapp sync`` retries it.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dos.portal.cityapp.models import ServiceRequest

log = logging.getLogger("dos.cityapp")

ENTITY_TYPE = "Open311ServiceRequest"


def entity_id(report: ServiceRequest) -> str:
    return f"urn:ngsi-ld:{ENTITY_TYPE}:{report.city.slug}:{report.pk}"


def _prop(value: Any) -> dict[str, Any]:
    return {"type": "Property", "value": value}


def _when(value: Any) -> dict[str, Any]:
    return {"type": "Property", "value": {"@type": "DateTime", "@value": value.isoformat()}}


def entity_for(report: ServiceRequest) -> dict[str, Any]:
    """The NGSI-LD entity of a report: public fields only, never the reporter's contact."""
    entity: dict[str, Any] = {
        "id": entity_id(report),
        "type": ENTITY_TYPE,
        "service_request_id": _prop(str(report.pk)),
        "status": _prop(report.status),
        "service_code": _prop(report.service.code),
        "service_name": _prop(report.service.name),
        "agency_responsible": _prop(report.agency_responsible),
        "requested_datetime": _when(report.requested_datetime),
        "updated_datetime": _when(report.updated_datetime),
        "areaServed": _prop(report.city.name),
    }
    if report.description:
        entity["description"] = _prop(report.description)
    if report.status_notes:
        entity["status_notes"] = _prop(report.status_notes)
    if report.address_string:
        entity["address_string"] = _prop(report.address_string)
    if report.expected_datetime:
        entity["expected_datetime"] = _when(report.expected_datetime)
    if report.media:
        entity["media_url"] = _prop(media_url(report))
    if report.lat is not None and report.long is not None:
        entity["location"] = {
            "type": "GeoProperty",
            "value": {"type": "Point", "coordinates": [report.long, report.lat]},
        }
    return entity


def media_url(report: ServiceRequest) -> str:
    name = report.media.name.rsplit("/", 1)[-1]
    return f"{settings.BASE_URL}/open311/v2/media/{name}"


def upsert(tenant: str, entity: dict[str, Any]) -> None:
    """Create or replace ``entity`` in ``tenant`` through the portal's NGSI-LD client (the
    in-process broker, or ``DOS_BROKER_URL``)."""
    from asgiref.sync import async_to_sync

    from dos.broker.client import BrokerClient

    async def send() -> None:
        client = BrokerClient.from_config(settings.CONFIG)
        try:
            await client.upsert_entities([entity], tenant=tenant)
        finally:
            await client.aclose()

    async_to_sync(send)()


def mirror_request(pk: int) -> bool:
    """Mirror one report; records the outcome on it and returns whether it worked."""
    report = ServiceRequest.objects.select_related("city", "service").filter(pk=pk).first()
    if report is None:
        return False
    try:
        upsert(report.city.tenant, entity_for(report))
    except Exception as exc:  # any broker or network failure: keep the report, retry later
        message = f"{type(exc).__name__}: {exc}"[:300]
        log.warning("report %s not mirrored: %s", pk, message)
        with transaction.atomic():
            ServiceRequest.objects.filter(pk=pk).update(mirror_error=message)
        return False
    with transaction.atomic():
        ServiceRequest.objects.filter(pk=pk).update(mirrored_at=timezone.now(), mirror_error="")
    return True
