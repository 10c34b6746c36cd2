"""Reading an NGSI-LD request: tenant, body (size cap, media type, JSON), Accept, parameters.

ETSI GS CIM 009 §6.3: request media types (§6.3.4), Accept (§6.3.5), the ``NGSILD-Tenant``
header (§6.3.14), ``options`` (§6.3.7). Every problem raises :class:`NgsiError`.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from starlette.requests import Request

from dos.broker.errors import NgsiError

JSON = "application/json"
LD_JSON = "application/ld+json"
GEO_JSON = "application/geo+json"
MERGE_PATCH = "application/merge-patch+json"
TENANT_HEADER = "NGSILD-Tenant"
_TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")


def tenant_of(request: Request) -> str:
    """The tenant named by ``NGSILD-Tenant`` ("" for the default tenant)."""
    value = request.headers.get(TENANT_HEADER)
    if value is None or value == "":
        return ""
    if not _TENANT.match(value):
        raise NgsiError(
            "BadRequestData",
            f"{TENANT_HEADER} {value!r} is not a tenant name (letters, digits, '-', '_')",
        )
    return value


def _media_type(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()


async def read_json(request: Request, *, allowed: tuple[str, ...] = (JSON, LD_JSON)) -> Any:
    """The parsed JSON body: 411/413/415/400 as the specification demands."""
    content_type = _media_type(request.headers.get("content-type"))
    if content_type not in allowed:
        raise NgsiError(
            "UnsupportedMediaType",
            f"Content-Type {content_type or '(none)'} is not supported here; "
            f"use {' or '.join(allowed)}",
        )
    limit: int = request.app.state.config.BROKER_MAX_BODY
    length = request.headers.get("content-length")
    if length is None and "chunked" not in request.headers.get("transfer-encoding", ""):
        raise NgsiError("LengthRequired", "the request needs a Content-Length header")
    if length is not None:
        try:
            declared = int(length)
        except ValueError:
            raise NgsiError("InvalidRequest", "Content-Length is not a number") from None
        if declared > limit:
            raise NgsiError(
                "RequestEntityTooLarge", f"the body has {declared} bytes; at most {limit} allowed"
            )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise NgsiError("RequestEntityTooLarge", f"the body exceeds {limit} bytes")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        raise NgsiError("InvalidRequest", "the request body is empty")
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise NgsiError("InvalidRequest", f"the body is not valid JSON: {exc}") from None
    return body


def accept_of(request: Request, *, geo: bool = False) -> str:
    """The response media type from ``Accept`` (406 when none can be produced)."""
    header = request.headers.get("accept", "")
    if not header.strip():
        return JSON
    offers = [JSON, LD_JSON, *([GEO_JSON] if geo else [])]
    best: tuple[float, int, str] | None = None
    for position, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        quality = 1.0
        for param in pieces[1:]:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        if media in ("*/*", "application/*"):
            candidate = JSON
        elif media in offers:
            candidate = media
        else:
            continue
        key = (quality, -position, candidate)
        if best is None or key[:2] > best[:2]:
            best = key
    if best is None:
        raise NgsiError(
            "NotAcceptable", f"cannot answer with {header}; offered: {', '.join(offers)}"
        )
    return best[2]


def csv_param(request: Request, name: str) -> list[str] | None:
    """A comma-separated query parameter as a list (None when absent)."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    items = [item.strip() for item in raw.split(",")]
    if not all(items):
        raise NgsiError("BadRequestData", f"parameter {name} has an empty item: {raw!r}")
    return items


def options_of(request: Request) -> list[str]:
    return csv_param(request, "options") or []


def int_param(request: Request, name: str, default: int, *, minimum: int = 0) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise NgsiError("BadRequestData", f"parameter {name} must be a whole number") from None
    if value < minimum:
        raise NgsiError("BadRequestData", f"parameter {name} must be at least {minimum}")
    return value


def bool_param(request: Request, name: str) -> bool:
    raw = request.query_params.get(name)
    if raw is None:
        return False
    if raw not in ("true", "false"):
        raise NgsiError("BadRequestData", f"parameter {name} must be true or false")
    return raw == "true"


#: Query parameters of the entity endpoints (ETSI GS CIM 009 §6.4, §6.5; §6.3.20: others are
#: refused with InvalidRequest).
ENTITY_PARAMS = frozenset(
    {
        "id", "idPattern", "type", "attrs", "q", "csf", "georel", "geometry", "coordinates",
        "geoproperty", "geometryProperty", "lang", "scopeQ", "options", "format", "limit",
        "offset", "count", "local", "pick", "omit", "datasetId", "join", "joinLevel",
        "containedBy", "entityMap", "splitEntities", "expandValues", "contextSourceInfo",
        "via", "orderBy", "collapse", "observedAt", "deleteAll", "keep", "drop",
    }
)  # fmt: skip


def check_params(request: Request, allowed: frozenset[str] = ENTITY_PARAMS) -> None:
    """Refuse a query parameter that the endpoint does not know (§6.3.20: InvalidRequest)."""
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise NgsiError("InvalidRequest", f"unknown query parameter {', '.join(unknown)}")
