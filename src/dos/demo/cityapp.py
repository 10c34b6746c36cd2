"""The city apps of Dortmund and Schwerte: a Dortmund module adopted by Schwerte with its own
configuration, both app configurations, Open311 services and defect reports in several states.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

APPOINTMENT_SCHEMA_1 = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["booking_url", "offices"],
    "properties": {
        "booking_url": {"type": "string", "format": "uri", "pattern": "^https://"},
        "offices": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
    },
}
APPOINTMENT_SCHEMA_2 = {
    **APPOINTMENT_SCHEMA_1,
    "properties": {
        **APPOINTMENT_SCHEMA_1["properties"],
        "show_waiting_times": {"type": "boolean"},
        "reminder_hours": {"type": "integer", "minimum": 1, "maximum": 72},
    },
}

APPS = {
    "dortmund": {
        "app_name": "Dortmund-App",
        "languages": ["de", "en"],
        "theme": {"dark_mode": True, "font": "system"},
        "menu": [
            ("news", 10, {"page_size": 20, "show_images": True}),
            ("events", 20, {"page_size": 20, "days_ahead": 60}),
            ("defect-reporting", 30, {"allow_photos": True, "require_email": False}),
            (
                "appointments",
                40,
                {
                    "booking_url": "https://termine.dortmund.example/buergerdienste",
                    "offices": [
                        "Bürgerdienste Innenstadt",
                        "Bürgerdienste Hörde",
                        "Bürgerdienste Eving",
                    ],
                    "show_waiting_times": True,
                    "reminder_hours": 24,
                },
            ),
            (
                "environment",
                60,
                {"measures": ["NO2", "PM10", "temperature"], "refresh_seconds": 300},
            ),
            ("participation", 70, {"page_size": 10, "allow_support": True}),
            ("projects", 80, {"page_size": 20}),
        ],
    },
    "schwerte": {
        "app_name": "Schwerte-App",
        "languages": ["de"],
        "theme": {"dark_mode": False},
        "menu": [
            ("defect-reporting", 10, {"allow_photos": True, "require_email": True}),
            (
                "appointments",
                20,
                {
                    "booking_url": "https://termine.schwerte.example/buergerbuero",
                    "offices": ["Bürgerbüro Rathaus"],
                    "show_waiting_times": False,
                },
            ),
            ("news", 30, {"page_size": 10, "show_images": False}),
            # Schwerte's car parks report their spots to the platform (Dortmund's demo has none).
            ("parking", 35, {"refresh_seconds": 60}),
            (
                "city-info",
                40,
                {"pages": [{"title": "Rathaus", "url": "https://www.schwerte.de/rathaus"}]},
            ),
        ],
    },
}

SERVICES = [
    ("pothole", "Schlagloch", "Pothole", "Straßen und Wege", "Tiefbauamt"),
    (
        "street-light",
        "Defekte Straßenlaterne",
        "Broken street light",
        "Straßen und Wege",
        "Tiefbauamt – Straßenbeleuchtung",
    ),
    ("illegal-dumping", "Wilder Müll", "Illegal dumping", "Sauberkeit", "Entsorgung"),
    (
        "playground",
        "Beschädigter Spielplatz",
        "Damaged playground",
        "Grün und Spiel",
        "Grünflächenamt",
    ),
]
DUMPING_ATTRIBUTES = [
    {
        "code": "waste_type",
        "datatype": "singlevaluelist",
        "description": "Art des Mülls",
        "required": True,
        "values": [
            {"key": "bulky", "name": "Sperrmüll"},
            {"key": "household", "name": "Hausmüll"},
            {"key": "hazardous", "name": "Sonderabfall"},
        ],
    },
    {"code": "amount_m3", "datatype": "number", "description": "Geschätzte Menge in m³"},
]

REPORTS = {
    "dortmund": [
        (
            "pothole",
            "Tiefes Schlagloch auf dem Radweg",
            51.5149,
            7.4690,
            "resolved",
            "Ausgebessert am Vortag.",
            9,
        ),
        (
            "street-light",
            "Laterne flackert seit Tagen",
            51.5106,
            7.4560,
            "in_progress",
            "Auftrag an die Wartungsfirma vergeben.",
            4,
        ),
        ("illegal-dumping", "Sperrmüll am Straßenrand", 51.5190, 7.4802, "received", "", 1),
        (
            "playground",
            "Schaukel kaputt",
            51.4889,
            7.4925,
            "rejected",
            "Privatgelände – bitte an den Eigentümer wenden.",
            12,
        ),
    ],
    "schwerte": [
        (
            "pothole",
            "Schlagloch vor dem Rathaus",
            51.4459,
            7.5656,
            "in_progress",
            "Wird nächste Woche repariert.",
            3,
        ),
        ("illegal-dumping", "Müllsäcke am Ruhrufer", 51.4410, 7.5690, "received", "", 0),
    ],
}


def load(say: Any) -> None:
    """Create or update the demo modules, app configurations, services and reports."""
    from django.utils import timezone

    from dos.portal.accounts.permissions import SYSTEM
    from dos.portal.cityapp import actions
    from dos.portal.cityapp.builtin import install
    from dos.portal.cityapp.mirror import mirror_request
    from dos.portal.cityapp.models import Module, ModuleVersion, ServiceRequest
    from dos.portal.tenancy.models import City

    install(Module, ModuleVersion)
    cities = {c.slug: c for c in City.objects.filter(slug__in=APPS)}
    dortmund, schwerte = cities["dortmund"], cities["schwerte"]
    module = Module.objects.filter(key="appointments").first()
    if module is None:
        module = actions.module_register(
            SYSTEM,
            key="appointments",
            owner=dortmund,
            name="Terminbuchung",
            name_en="Appointments",
            description="Termine bei den Bürgerdiensten buchen, mit Wartezeiten.",
            description_en="Book appointments at the citizen services, with waiting times.",
            licence="EUPL-1.2",
            sharing=Module.PARTNERS,
            shared_with=[schwerte],
        )
    for version, changelog, schema in (
        ("1.0.0", "Erste Version: Buchungslink und Standorte.", APPOINTMENT_SCHEMA_1),
        ("1.1.0", "Wartezeiten anzeigen, Erinnerung vor dem Termin.", APPOINTMENT_SCHEMA_2),
    ):
        if not module.versions.filter(version=version).exists():
            actions.module_release(
                SYSTEM,
                module,
                version=version,
                changelog=changelog,
                config_schema=schema,
                endpoints=[],
            )
    say("app module Terminbuchung (Dortmund, shared with Schwerte): 1.0.0, 1.1.0")
    for slug, spec in APPS.items():
        city = cities[slug]
        actions.app_settings_save(
            SYSTEM,
            city,
            app_name=spec["app_name"],
            languages=spec["languages"],
            theme=spec["theme"],
        )
        for key, position, configuration in spec["menu"]:
            adopted = Module.objects.get(key=key)
            actions.module_adopt(
                SYSTEM, city, adopted, configuration=configuration, position=position
            )
        for code, name, name_en, group, department in SERVICES:
            actions.service_save(
                SYSTEM,
                city,
                code=code,
                name=name,
                name_en=name_en,
                group=group,
                department=department if slug == "dortmund" else f"Stadt Schwerte – {department}",
                attributes=DUMPING_ATTRIBUTES if code == "illegal-dumping" else [],
            )
        say(f"city app {spec['app_name']}: {len(spec['menu'])} modules, {len(SERVICES)} services")
        if ServiceRequest.objects.filter(city=city).exists():
            continue
        for code, text, lat, long, state, notes, days_ago in REPORTS[slug]:
            service = city.open311_services.get(code=code)
            report = actions.request_submit(
                SYSTEM,
                service,
                description=text,
                lat=lat,
                long=long,
                attributes={"waste_type": "bulky"} if code == "illegal-dumping" else {},
            )
            if state != ServiceRequest.RECEIVED:
                actions.request_update(
                    SYSTEM,
                    report,
                    state=state,
                    status_notes=notes,
                    expected_datetime=timezone.now() + timedelta(days=5)
                    if state == ServiceRequest.IN_PROGRESS
                    else None,
                )
            ServiceRequest.objects.filter(pk=report.pk).update(
                requested_datetime=timezone.now() - timedelta(days=days_ago)
            )
            mirror_request(report.pk)  # the broker's copy gets the back-dated time too
        say(f"{len(REPORTS[slug])} defect reports in {city.name}")
