"""The platform's built-in app modules (no owner city, shared with all partner cities).

Created by the data migration ``0002_builtin_modules`` and kept up to date by the demo step.
"""

from __future__ import annotations

from typing import Any


def _schema(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "required": required or [],
    }


_PAGE_SIZE = {"type": "integer", "minimum": 5, "maximum": 100, "default": 20}

BUILTIN_MODULES: list[dict[str, Any]] = [
    {
        "key": "news",
        "name": "Nachrichten",
        "name_en": "News",
        "description": "Aktuelle Meldungen der Stadt.",
        "description_en": "The city's latest news.",
        "endpoints": ["news"],
        "schema": _schema({"page_size": _PAGE_SIZE, "show_images": {"type": "boolean"}}),
    },
    {
        "key": "events",
        "name": "Veranstaltungen",
        "name_en": "Events",
        "description": "Termine mit Anmeldung.",
        "description_en": "Events with registration.",
        "endpoints": ["events", "places"],
        "schema": _schema(
            {
                "page_size": _PAGE_SIZE,
                "days_ahead": {"type": "integer", "minimum": 1, "maximum": 365},
            }
        ),
    },
    {
        "key": "participation",
        "name": "Ideen & Beteiligung",
        "name_en": "Ideas & participation",
        "description": "Ideen einreichen, unterstützen und offizielle Antworten lesen.",
        "description_en": "Submit and support ideas, read official answers.",
        "endpoints": ["ideas"],
        "schema": _schema({"page_size": _PAGE_SIZE, "allow_support": {"type": "boolean"}}),
    },
    {
        "key": "projects",
        "name": "Projekte",
        "name_en": "Projects",
        "description": "Die Smart-City-Projekte und ihr Fortschritt.",
        "description_en": "The smart city projects and their progress.",
        "endpoints": ["projects"],
        "schema": _schema({"page_size": _PAGE_SIZE}),
    },
    {
        "key": "environment",
        "name": "Umwelt",
        "name_en": "Environment",
        "description": "Aktuelle Messwerte je Stadtbezirk (Luft, Lärm, Wetter).",
        "description_en": "Live readings per district (air, noise, weather).",
        "endpoints": ["environment"],
        "schema": _schema(
            {
                "measures": {
                    "type": "array",
                    "items": {"enum": ["NO2", "PM10", "PM2.5", "O3", "temperature", "noise"]},
                    "uniqueItems": True,
                },
                "refresh_seconds": {"type": "integer", "minimum": 30, "maximum": 3600},
            }
        ),
    },
    {
        "key": "parking",
        "name": "Parken",
        "name_en": "Parking",
        "description": "Freie Plätze in Parkhäusern und auf Parkplätzen.",
        "description_en": "Free spaces in car parks.",
        "endpoints": ["parking"],
        "schema": _schema({"refresh_seconds": {"type": "integer", "minimum": 30, "maximum": 3600}}),
    },
    {
        "key": "defect-reporting",
        "name": "Mängelmelder",
        "name_en": "Report a defect",
        "description": "Schlaglöcher, defekte Laternen oder wilden Müll melden (Open311).",
        "description_en": "Report potholes, broken street lights or illegal dumping (Open311).",
        "endpoints": ["open311"],
        "schema": _schema(
            {
                "allow_photos": {"type": "boolean"},
                "require_email": {"type": "boolean"},
                "privacy_url": {"type": "string", "format": "uri"},
            }
        ),
    },
    {
        "key": "city-info",
        "name": "Stadtinfo",
        "name_en": "City information",
        "description": "Informationsseiten der Stadt (Rathaus, Notdienste, Öffnungszeiten).",
        "description_en": "The city's information pages (town hall, emergency services, hours).",
        "endpoints": ["pages"],
        "schema": _schema(
            {
                "pages": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["title", "url"],
                        "additionalProperties": False,
                        "properties": {
                            "title": {"type": "string", "minLength": 1},
                            "url": {"type": "string", "format": "uri"},
                        },
                    },
                }
            }
        ),
    },
]


def install(module_model: Any, version_model: Any) -> None:
    """Create the built-in modules with version 1.0.0 if they are missing (idempotent)."""
    for spec in BUILTIN_MODULES:
        module, _created = module_model.objects.get_or_create(
            key=spec["key"],
            defaults={
                "name": spec["name"],
                "name_en": spec["name_en"],
                "description": spec["description"],
                "description_en": spec["description_en"],
                "owner": None,
                "licence": "EUPL-1.2",
                "sharing": "all",
            },
        )
        version_model.objects.get_or_create(
            module=module,
            version="1.0.0",
            defaults={
                "changelog": "Erste Version.",
                "config_schema": spec["schema"],
                "endpoints": spec["endpoints"],
            },
        )
