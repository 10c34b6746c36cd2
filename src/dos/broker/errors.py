"""NGSI-LD errors as RFC 7807 problem details (ETSI GS CIM 009 §5.5.2, §5.5.3)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

BASE = "https://uri.etsi.org/ngsi-ld/errors/"

#: NGSI-LD error type → (HTTP status, title)
ERROR_TYPES: dict[str, tuple[int, str]] = {
    "InvalidRequest": (400, "Invalid request"),
    "BadRequestData": (400, "Bad request data"),
    "AlreadyExists": (409, "Already exists"),
    "OperationNotSupported": (422, "Operation not supported"),
    "ResourceNotFound": (404, "Resource not found"),
    "InternalError": (500, "Internal error"),
    "TooComplexQuery": (403, "Too complex query"),
    "TooManyResults": (403, "Too many results"),
    "LdContextNotAvailable": (503, "@context not available"),
    "NoMultiTenantSupport": (501, "No multi-tenant support"),
    "NonexistentTenant": (404, "Nonexistent tenant"),
    "Unauthorized": (401, "Unauthorized"),
    "Forbidden": (403, "Forbidden"),
    "MethodNotAllowed": (405, "Method not allowed"),
    "NotAcceptable": (406, "Not acceptable"),
    "LengthRequired": (411, "Length required"),
    "RequestEntityTooLarge": (413, "Request entity too large"),
    "UnsupportedMediaType": (415, "Unsupported media type"),
    "NotImplemented": (501, "Not implemented"),
    "GatewayTimeout": (504, "Gateway timeout"),
}

PROBLEM_JSON = "application/problem+json"


class NgsiError(Exception):
    """An NGSI-LD error with its type, a detail naming the problem, and optional extras."""

    def __init__(
        self,
        error_type: str,
        detail: str,
        *,
        status: int | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        if error_type not in ERROR_TYPES:
            raise ValueError(f"unknown NGSI-LD error type {error_type}")
        self.error_type = error_type
        self.detail = detail
        self.status = status or ERROR_TYPES[error_type][0]
        self.headers = headers or {}
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {
            "type": BASE + self.error_type,
            "title": ERROR_TYPES[self.error_type][1],
            "status": self.status,
            "detail": self.detail,
            **self.extra,
        }

    def response(self) -> Response:
        return Response(
            orjson.dumps(self.body()),
            status_code=self.status,
            media_type=PROBLEM_JSON,
            headers=self.headers,
        )
