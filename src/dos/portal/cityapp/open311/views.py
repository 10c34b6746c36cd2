"""Open311 GeoReport v2 endpoints (https://wiki.open311.org/GeoReport_v2).

``jurisdiction_id`` is the city's slug and is required, since DOS serves several cities.
Errors use the standard's document: ``[{"code": 400, "description": "…"}]``.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from dos.portal.cityapp.access import (
    Refusal,
    authenticate,
    cached_payload,
    conditional,
    language_of,
    with_nul,
)
from dos.portal.cityapp.actions import request_submit
from dos.portal.cityapp.mirror import media_url
from dos.portal.cityapp.models import Service, ServiceRequest
from dos.portal.cityapp.open311 import documents, render
from dos.portal.cityapp.open311.attributes import clean_values
from dos.portal.cityapp.open311.parse import BodyError, read_body
from dos.portal.cityapp.open311.photo import PhotoError, clean_photo
from dos.portal.tenancy.models import City

MAX_RESULTS = 1000
DEFAULT_DAYS = 90
#: The range of start_date and end_date (a wider date would overflow in the database).
EARLIEST = datetime(2, 1, 1, tzinfo=UTC)
LATEST = datetime(9998, 12, 31, tzinfo=UTC)
#: The standard limits a report's description to 4,000 characters.
MAX_DESCRIPTION = 4000
#: What the list of services is made of (for its cached rendering).
SERVICE_APPS = ("tenancy", "cityapp")


class Open311Error(Exception):
    def __init__(self, status: int, description: str, headers: dict[str, str] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.headers = headers or {}


def _format(fmt: str) -> str:
    if fmt not in render.CONTENT_TYPES:
        raise Open311Error(400, f"format {fmt} is not supported: use json or xml")
    return fmt


def _jurisdiction(value: str | None) -> City:
    if not value:
        raise Open311Error(400, "jurisdiction_id is required (the city, e.g. dortmund)")
    city = City.objects.filter(slug=value).first()
    if city is None:
        raise Open311Error(404, f"jurisdiction_id {value} is not served here")
    return city


def open311_view(handler: Any) -> Any:
    """Turn :class:`Open311Error` and key refusals into the standard's error document."""

    def view(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
        try:
            _format(fmt)
            if (name := with_nul([*request.GET.items(), *kwargs.items()])) is not None:
                raise Open311Error(400, f"{name} must not contain NUL characters")
            return handler(request, fmt, **kwargs)
        except Open311Error as exc:
            return render.errors(fmt, exc.status, exc.description, exc.headers)
        except Refusal as refusal:
            return render.errors(fmt, refusal.status, refusal.description, refusal.headers)

    view.__name__ = handler.__name__
    view.__doc__ = handler.__doc__
    return view


@require_safe
@open311_view
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    """``GET services.{format}``: the city's services."""
    city = _jurisdiction(request.GET.get("jurisdiction_id"))
    authenticate(request, city, required=False)
    language = language_of(request)

    def body() -> bytes:
        services = Service.objects.filter(city=city, active=True)
        return render.body(
            fmt, "services", [documents.service_entry(s, language) for s in services]
        )

    content, tag = cached_payload(("services", city.pk, fmt, language), body, apps=SERVICE_APPS)
    response = HttpResponse(content, content_type=render.CONTENT_TYPES[fmt])
    return conditional(request, response, etag=tag)


@require_safe
@open311_view
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    """``GET services/{service_code}.{format}``: the service's attributes."""
    city = _jurisdiction(request.GET.get("jurisdiction_id"))
    authenticate(request, city, required=False)
    service = Service.objects.filter(city=city, code=code, active=True).first()
    if service is None:
        raise Open311Error(404, f"service_code {code} not found")
    return conditional(
        request, render.document(fmt, "service_definition", documents.service_definition(service))
    )


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@open311_view
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    """``GET requests.{format}`` lists reports; ``POST requests.{format}`` files one."""
    if request.method == "POST":
        return _submit(request, fmt)
    city = _jurisdiction(request.GET.get("jurisdiction_id"))
    authenticate(request, city, required=False)
    reports = ServiceRequest.objects.filter(city=city).select_related("service")
    ids = request.GET.get("service_request_id")
    if ids:
        wanted = [part.strip() for part in ids.split(",") if part.strip()]
        if not all(part.isdigit() and len(part) < 19 for part in wanted):
            raise Open311Error(400, "service_request_id must be a comma-separated list of ids")
        reports = reports.filter(pk__in=[int(part) for part in wanted])
    else:
        reports = _filtered(request, reports)
    language = language_of(request)
    entries = [_entry(r, language) for r in reports[:MAX_RESULTS]]
    return conditional(request, render.document(fmt, "service_requests", entries), max_age=30)


def _date(request: HttpRequest, name: str) -> datetime | None:
    value = request.GET.get(name)
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        # In UTC, with room for the default window before it (years 2 to 9998).
        parsed = parsed.astimezone(UTC)
        if not EARLIEST <= parsed <= LATEST:
            raise ValueError
    except (ValueError, OverflowError):
        raise Open311Error(
            400, f"{name} must be a W3C date-time, e.g. 2026-11-01T00:00:00Z"
        ) from None
    return parsed


def _filtered(request: HttpRequest, reports: Any) -> Any:
    codes = request.GET.get("service_code")
    if codes:
        reports = reports.filter(service__code__in=[c.strip() for c in codes.split(",")])
    statuses = {s.strip() for s in request.GET.get("status", "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status must be open, closed or both")
    if statuses == {"open"}:
        reports = reports.exclude(state__in=ServiceRequest.CLOSED_STATES)
    elif statuses == {"closed"}:
        reports = reports.filter(state__in=ServiceRequest.CLOSED_STATES)
    start, end = _date(request, "start_date"), _date(request, "end_date")
    if start and end and start > end:
        raise Open311Error(400, "start_date is after end_date")
    if start is None:
        start = (end or timezone.now()) - timedelta(days=DEFAULT_DAYS)
    reports = reports.filter(requested_datetime__gte=start)
    if end is not None:
        reports = reports.filter(requested_datetime__lte=end)
    return reports


def _entry(report: ServiceRequest, language: str) -> dict[str, Any]:
    return documents.request_entry(report, language, media_url(report) if report.media else None)


def _coordinate(fields: dict[str, str], name: str, limit: float) -> float | None:
    value = fields.get(name, "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise Open311Error(400, f"{name} must be a decimal number") from None
    if not math.isfinite(number) or abs(number) > limit:
        raise Open311Error(400, f"{name} must be between -{limit:g} and {limit:g}")
    return number


REQUEST_TEXT_FIELDS = (
    "description",
    "address_string",
    "address_id",
    "zipcode",
    "email",
    "first_name",
    "last_name",
    "phone",
    "device_id",
    "account_id",
)


def _submit(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        fields, given, upload = read_body(request)
    except BodyError as exc:
        raise Open311Error(exc.status, str(exc)) from None
    city = _jurisdiction(fields.get("jurisdiction_id") or request.GET.get("jurisdiction_id"))
    key = authenticate(request, city, required=True, raw=fields.get("api_key"))
    code = fields.get("service_code", "")
    if not code:
        raise Open311Error(400, "service_code is required")
    service = Service.objects.filter(city=city, code=code, active=True).first()
    if service is None:
        raise Open311Error(404, f"service_code {code} not found")
    if fields.get("media_url"):
        raise Open311Error(400, "media_url is not accepted: upload the photo as the media file")
    lat = _coordinate(fields, "lat", 90)
    long = _coordinate(fields, "long", 180)
    if (lat is None) != (long is None):
        raise Open311Error(400, "lat and long must be given together")
    if lat is None and not fields.get("address_string") and not fields.get("address_id"):
        raise Open311Error(
            400, "a location is required: lat and long, address_string or address_id"
        )
    try:
        attribute_values = clean_values(service.attributes, given)
    except ValueError as exc:
        raise Open311Error(400, str(exc)) from None
    media = None
    if upload is not None:
        try:
            media = clean_photo(upload)
        except PhotoError as exc:
            status = 413 if "larger" in str(exc) else 400
            raise Open311Error(status, str(exc)) from None
    values = {name: fields.get(name, "").strip() for name in REQUEST_TEXT_FIELDS}
    if len(values["description"]) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description is longer than {MAX_DESCRIPTION} characters")
    try:
        report = request_submit(
            key, service, media=media, lat=lat, long=long, attributes=attribute_values, **values
        )
    except ValidationError as exc:
        problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        raise Open311Error(400, problems) from None
    except PermissionDenied as exc:
        raise Open311Error(403, str(exc)) from None
    answer = [
        {
            "service_request_id": str(report.pk),
            "token": report.token,
            "service_notice": report.service_notice,
            "account_id": report.account_id or None,
        }
    ]
    return render.document(fmt, "service_requests", answer, status=201)


@require_safe
@open311_view
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    """``GET requests/{id}.{format}``: one report, as a list of one (as the standard says)."""
    city = _jurisdiction(request.GET.get("jurisdiction_id"))
    authenticate(request, city, required=False)
    report = None
    if request_id.isdigit() and len(request_id) < 19:
        report = (
            ServiceRequest.objects.filter(city=city, pk=int(request_id))
            .select_related("service")
            .first()
        )
    if report is None:
        raise Open311Error(404, f"service_request_id {request_id} not found")
    entry = _entry(report, language_of(request))
    return conditional(request, render.document(fmt, "service_requests", [entry]), max_age=30)


@require_safe
@open311_view
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    """``GET tokens/{token}.{format}``: the service_request_id a token turned into."""
    city = _jurisdiction(request.GET.get("jurisdiction_id"))
    authenticate(request, city, required=False)
    report = ServiceRequest.objects.filter(city=city, token=token).first()
    if report is None:
        raise Open311Error(404, f"token {token} not found")
    answer = [{"service_request_id": str(report.pk), "token": report.token}]
    return render.document(fmt, "service_requests", answer)


@require_safe
def media(request: HttpRequest, name: str) -> HttpResponse:
    """The (metadata-free) photo of a report."""
    report = ServiceRequest.objects.filter(media=f"open311/{name}").first()
    if report is None:
        raise Http404("no such photo")
    content_type = "image/png" if report.media.name.endswith(".png") else "image/jpeg"
    response = FileResponse(report.media.open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response
