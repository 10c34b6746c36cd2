"""The OpenAPI 3.1 description of the app API and Open311, served at
``/api/app/v1/openapi.json``. A test checks that every route is described."""

from __future__ import annotations

from typing import Any

from dos.portal.cityapp.api.content import FILTERS, LIVE, available

KEY = [{"clientKey": []}]
CITY = {
    "name": "city",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"},
    "description": "The city's slug, e.g. dortmund.",
}
FORMAT = {
    "name": "format",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "enum": ["json", "xml"]},
}
JURISDICTION = {
    "name": "jurisdiction_id",
    "in": "query",
    "required": True,
    "schema": {"type": "string"},
    "description": "The city's slug.",
}
LANG = {
    "name": "lang",
    "in": "query",
    "schema": {"type": "string", "enum": ["de", "en"]},
    "description": "Answer language (else Accept-Language, else German). Texts without "
    "an English version fall back to German; each item's language field says which.",
}
PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
OPEN311_ERROR = {
    "description": "GeoReport v2 error list",
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/Open311Errors"}},
        "text/xml": {"schema": {"type": "string"}},
    },
}


def _open311_ok(schema_ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}},
            "text/xml": {"schema": {"type": "string"}},
        },
    }


def _open311_errors(*codes: int) -> dict[str, Any]:
    return {str(code): OPEN311_ERROR for code in codes}


def _content_paths() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for endpoint in sorted(available()):
        paths[f"/api/app/v1/{{city}}/{endpoint}"] = {
            "get": {
                "operationId": f"content_{endpoint}",
                "summary": f"Content: {endpoint} (paginated)",
                "security": KEY,
                "parameters": [
                    CITY,
                    LANG,
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                    {
                        "name": "page_size",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                    },
                    {"name": "q", "in": "query", "schema": {"type": "string"}},
                    *[
                        {"name": name, "in": "query", "schema": schema}
                        for name, schema in FILTERS.get(endpoint, {}).items()
                    ],
                ],
                "responses": {
                    "200": {
                        "description": "one page",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Page"}}
                        },
                    },
                    "304": {"description": "not modified (If-None-Match)"},
                    "400": {"description": "bad parameter", "content": PROBLEM},
                    "401": {"description": "missing, unknown or revoked key", "content": PROBLEM},
                    "403": {"description": "key of another city", "content": PROBLEM},
                    "404": {"description": "unknown city", "content": PROBLEM},
                    "429": {"description": "rate limit", "content": PROBLEM},
                },
            }
        }
        if endpoint in LIVE:
            paths[f"/api/app/v1/{{city}}/{endpoint}"]["get"]["responses"]["503"] = {
                "description": "the urban data platform cannot be reached (Retry-After)",
                "content": PROBLEM,
            }
    return paths


def description() -> dict[str, Any]:
    """The whole OpenAPI document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "DOS city app API and Open311 GeoReport v2",
            "version": "1.0.0",
            "description": "Per-city app configuration, content for the app, and defect "
            "reports (Open311 GeoReport v2). Apps identify with a public client key.",
            "license": {"name": "EUPL-1.2", "identifier": "EUPL-1.2"},
        },
        "paths": {
            "/api/app/v1/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This description",
                    "responses": {
                        "200": {"description": "OpenAPI 3.1 document"},
                        "304": {"description": "not modified"},
                    },
                }
            },
            "/api/app/v1/{city}/config": {
                "get": {
                    "operationId": "app_config",
                    "summary": "The city's app configuration: theme, menu, languages",
                    "security": KEY,
                    "parameters": [CITY, LANG],
                    "responses": {
                        "200": {
                            "description": "configuration (with ETag)",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/AppConfig"}
                                }
                            },
                        },
                        "304": {"description": "not modified (If-None-Match)"},
                        "401": {
                            "description": "missing, unknown or revoked key",
                            "content": PROBLEM,
                        },
                        "403": {"description": "key of another city", "content": PROBLEM},
                        "404": {"description": "unknown city or no app", "content": PROBLEM},
                        "429": {"description": "rate limit", "content": PROBLEM},
                    },
                }
            },
            **_content_paths(),
            "/open311/v2/services.{format}": {
                "get": {
                    "operationId": "open311_services",
                    "summary": "GeoReport v2: service list",
                    "parameters": [FORMAT, JURISDICTION, LANG],
                    "responses": {
                        "200": _open311_ok("Services", "services"),
                        "304": {"description": "not modified"},
                        **_open311_errors(400, 404, 429),
                    },
                }
            },
            "/open311/v2/services/{service_code}.{format}": {
                "get": {
                    "operationId": "open311_service_definition",
                    "summary": "GeoReport v2: service definition",
                    "parameters": [
                        {
                            "name": "service_code",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "pattern": "^[a-z0-9-]+$"},
                        },
                        FORMAT,
                        JURISDICTION,
                    ],
                    "responses": {
                        "200": _open311_ok("ServiceDefinition", "definition"),
                        "304": {"description": "not modified"},
                        **_open311_errors(400, 404, 429),
                    },
                }
            },
            "/open311/v2/requests.{format}": {
                "get": {
                    "operationId": "open311_requests",
                    "summary": "GeoReport v2: service requests (last 90 days by default)",
                    "parameters": [
                        FORMAT,
                        JURISDICTION,
                        LANG,
                        {"name": "service_request_id", "in": "query", "schema": {"type": "string"}},
                        {"name": "service_code", "in": "query", "schema": {"type": "string"}},
                        {
                            "name": "start_date",
                            "in": "query",
                            "schema": {"type": "string", "format": "date-time"},
                        },
                        {
                            "name": "end_date",
                            "in": "query",
                            "schema": {"type": "string", "format": "date-time"},
                        },
                        {
                            "name": "status",
                            "in": "query",
                            "schema": {"type": "string", "enum": ["open", "closed", "open,closed"]},
                        },
                    ],
                    "responses": {
                        "200": _open311_ok("ServiceRequests", "requests"),
                        "304": {"description": "not modified"},
                        **_open311_errors(400, 404, 429),
                    },
                },
                "post": {
                    "operationId": "open311_request_create",
                    "summary": "GeoReport v2: file a service request (needs api_key)",
                    "parameters": [FORMAT],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {"$ref": "#/components/schemas/NewRequest"}
                            },
                            "multipart/form-data": {
                                "schema": {
                                    "allOf": [
                                        {"$ref": "#/components/schemas/NewRequest"},
                                        {
                                            "type": "object",
                                            "properties": {
                                                "media": {"type": "string", "format": "binary"}
                                            },
                                        },
                                    ]
                                }
                            },
                        },
                    },
                    "responses": {
                        "201": _open311_ok("Created", "created: id and token"),
                        **_open311_errors(400, 401, 403, 404, 413, 429),
                    },
                },
            },
            "/open311/v2/requests/{service_request_id}.{format}": {
                "get": {
                    "operationId": "open311_request",
                    "summary": "GeoReport v2: one service request",
                    "parameters": [
                        {
                            "name": "service_request_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "pattern": "^[0-9]+$"},
                        },
                        FORMAT,
                        JURISDICTION,
                        LANG,
                    ],
                    "responses": {
                        "200": _open311_ok("ServiceRequests", "a list of one"),
                        "304": {"description": "not modified"},
                        **_open311_errors(400, 404, 429),
                    },
                }
            },
            "/open311/v2/tokens/{token}.{format}": {
                "get": {
                    "operationId": "open311_token",
                    "summary": "GeoReport v2: service_request_id from a token",
                    "parameters": [
                        {
                            "name": "token",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "pattern": "^[0-9a-f]+$"},
                        },
                        FORMAT,
                        JURISDICTION,
                    ],
                    "responses": {
                        "200": _open311_ok("Tokens", "id and token"),
                        **_open311_errors(400, 404, 429),
                    },
                }
            },
            "/open311/v2/media/{name}": {
                "get": {
                    "operationId": "open311_media",
                    "summary": "A report's photo (metadata stripped)",
                    "parameters": [
                        {
                            "name": "name",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "pattern": "^[0-9a-f]{32}\\.(jpg|png)$"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "the image",
                            "content": {"image/jpeg": {}, "image/png": {}},
                        },
                        "404": {"description": "no such photo"},
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "clientKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}
            },
            "schemas": SCHEMAS,
        },
    }


_STR = {"type": "string"}
_NSTR = {"type": ["string", "null"]}
SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "required": ["status", "title", "detail"],
        "properties": {"type": _STR, "title": _STR, "status": {"type": "integer"}, "detail": _STR},
    },
    "Open311Errors": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["code", "description"],
            "properties": {"code": {"type": "integer"}, "description": _STR},
        },
    },
    "AppConfig": {
        "type": "object",
        "required": ["city", "app_name", "languages", "theme", "menu"],
        "properties": {
            "city": {"type": "object"},
            "app_name": _STR,
            "languages": {"type": "array", "items": {"enum": ["de", "en"]}},
            "default_language": _STR,
            "language": _STR,
            "theme": {"type": "object"},
            "menu": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": [
                        "module",
                        "name",
                        "version",
                        "position",
                        "configuration",
                        "endpoints",
                    ],
                    "properties": {
                        "module": _STR,
                        "name": _STR,
                        "description": _STR,
                        "version": _STR,
                        "owner": _NSTR,
                        "position": {"type": "integer"},
                        "configuration": {"type": "object"},
                        "endpoints": {"type": "object", "additionalProperties": _STR},
                    },
                },
            },
        },
    },
    "Page": {
        "type": "object",
        "required": ["count", "page", "page_size", "language", "results"],
        "properties": {
            "count": {"type": "integer"},
            "page": {"type": "integer"},
            "page_size": {"type": "integer"},
            "language": {
                "enum": ["de", "en"],
                "description": "The answer language asked for; items of news, events, "
                "places and projects carry their own language (en, or de where no English "
                "version exists).",
            },
            "next": _NSTR,
            "previous": _NSTR,
            "results": {"type": "array", "items": {"type": "object"}},
        },
    },
    "Services": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["service_code", "service_name", "metadata", "type"],
            "properties": {
                "service_code": _STR,
                "service_name": _STR,
                "description": _STR,
                "metadata": {"type": "boolean"},
                "type": {"enum": ["realtime", "batch", "blackbox"]},
                "keywords": _STR,
                "group": _STR,
            },
        },
    },
    "ServiceDefinition": {
        "type": "object",
        "required": ["service_code", "attributes"],
        "properties": {
            "service_code": _STR,
            "attributes": {"type": "array", "items": {"type": "object"}},
        },
    },
    "ServiceRequests": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["service_request_id", "status", "service_code", "requested_datetime"],
            "properties": {
                "service_request_id": _STR,
                "status": {"enum": ["open", "closed"]},
                "status_notes": _STR,
                "service_name": _STR,
                "service_code": _STR,
                "description": _STR,
                "agency_responsible": _STR,
                "service_notice": _STR,
                "requested_datetime": _STR,
                "updated_datetime": _NSTR,
                "expected_datetime": _NSTR,
                "address": _STR,
                "address_id": _STR,
                "zipcode": _STR,
                "lat": {"type": ["number", "null"]},
                "long": {"type": ["number", "null"]},
                "media_url": _NSTR,
            },
        },
    },
    "NewRequest": {
        "type": "object",
        "required": ["jurisdiction_id", "service_code", "api_key"],
        "properties": {
            "api_key": _STR,
            "jurisdiction_id": _STR,
            "service_code": _STR,
            "lat": {"type": "number", "minimum": -90, "maximum": 90},
            "long": {"type": "number", "minimum": -180, "maximum": 180},
            "address_string": _STR,
            "address_id": _STR,
            "email": {"type": "string", "format": "email"},
            "device_id": _STR,
            "account_id": _STR,
            "first_name": _STR,
            "last_name": _STR,
            "phone": _STR,
            "description": _STR,
        },
    },
    "Created": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "service_request_id": _STR,
                "token": _STR,
                "service_notice": _STR,
                "account_id": _NSTR,
            },
        },
    },
    "Tokens": {
        "type": "array",
        "items": {"type": "object", "properties": {"service_request_id": _STR, "token": _STR}},
    },
}
