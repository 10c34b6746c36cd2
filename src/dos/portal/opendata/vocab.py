"""Controlled vocabularies of DCAT-AP.de: licences, EU data themes, EU update frequencies, and
the descriptions of the NGSI-LD entity types the catalogue generates datasets for."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

DCATDE = "http://dcat-ap.de/def/dcatde/"
THEME_BASE = "http://publications.europa.eu/resource/authority/data-theme/"
FREQUENCY_BASE = "http://publications.europa.eu/resource/authority/frequency/"
FILE_TYPE_BASE = "http://publications.europa.eu/resource/authority/file-type/"
MEDIA_TYPE_BASE = "https://www.iana.org/assignments/media-types/"
GEOCODING_MUNICIPALITY = "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/"
GEOCODING_LEVEL_MUNICIPALITY = "http://dcat-ap.de/def/politicalGeocoding/Level/municipality"
GEOCODING_LEVEL_STATE = "http://dcat-ap.de/def/politicalGeocoding/Level/state"
#: GovData harvests both cities through the state portal of North Rhine-Westphalia, so their
#: datasets carry its contributor id (dcat-ap.de/def/contributors).
CONTRIBUTOR_ID = "http://dcat-ap.de/def/contributors/openNRW"


@dataclass(frozen=True)
class Licence:
    id: str
    title: str
    uri: str
    attribution: bool


LICENCES = {
    licence.id: licence
    for licence in (
        Licence(
            "dl-de/zero-2-0",
            "Datenlizenz Deutschland – Zero – Version 2.0",
            "http://dcat-ap.de/def/licenses/dl-zero-de/2.0",
            False,
        ),
        Licence(
            "dl-de/by-2-0",
            "Datenlizenz Deutschland – Namensnennung – Version 2.0",
            "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
            True,
        ),
        Licence(
            "cc-by/4.0",
            "Creative Commons Namensnennung – 4.0 International (CC BY 4.0)",
            "http://dcat-ap.de/def/licenses/cc-by/4.0",
            True,
        ),
        Licence(
            "cc-zero",
            "Creative Commons CC Zero License (cc-zero)",
            "http://dcat-ap.de/def/licenses/cc-zero",
            False,
        ),
    )
}
DEFAULT_LICENCE = "dl-de/zero-2-0"
LICENCE_CHOICES = [(licence.id, licence.title) for licence in LICENCES.values()]

THEME_CHOICES = [
    ("AGRI", _("Agriculture, fisheries, forestry and food")),
    ("ECON", _("Economy and finance")),
    ("EDUC", _("Education, culture and sport")),
    ("ENER", _("Energy")),
    ("ENVI", _("Environment")),
    ("GOVE", _("Government and public sector")),
    ("HEAL", _("Health")),
    ("INTR", _("International issues")),
    ("JUST", _("Justice, legal system and public safety")),
    ("REGI", _("Regions and cities")),
    ("SOCI", _("Population and society")),
    ("TECH", _("Science and technology")),
    ("TRAN", _("Transport")),
]
THEMES = dict(THEME_CHOICES)

FREQUENCY_CHOICES = [
    ("UPDATE_CONT", _("continuously updated")),
    ("HOURLY", _("hourly")),
    ("DAILY", _("daily")),
    ("WEEKLY", _("weekly")),
    ("MONTHLY", _("monthly")),
    ("QUARTERLY", _("quarterly")),
    ("ANNUAL", _("annual")),
    ("IRREG", _("irregular")),
    ("UNKNOWN", _("unknown")),
]

#: file format → (EU file-type code, IANA media type)
FORMATS = {
    "CSV": ("CSV", "text/csv"),
    "GeoJSON": ("GEOJSON", "application/geo+json"),
    "JSON": ("JSON", "application/json"),
    "JSON-LD": ("JSON_LD", "application/ld+json"),
    "XLSX": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "PDF": ("PDF", "application/pdf"),
    "XML": ("XML", "application/xml"),
    "ZIP": ("ZIP", "application/zip"),
}
FORMAT_CHOICES = [(name, name) for name in FORMATS]


@dataclass(frozen=True)
class EntityTypeInfo:
    """How the catalogue describes the dataset of one NGSI-LD entity type."""

    title: str  # German, "{city}" is replaced by the city's name
    description: str
    themes: tuple[str, ...]
    keywords: tuple[str, ...]


ENTITY_TYPES = {
    "WeatherObserved": EntityTypeInfo(
        "Klimamessnetz {city}",
        "Aktuelle Messwerte der Klima- und Wetterstationen in {city}: Lufttemperatur, "
        "Luftfeuchte und weitere Größen, alle fünf Minuten aktualisiert.",
        ("ENVI",),
        ("Klima", "Wetter", "Temperatur", "Hitze", "Sensoren"),
    ),
    "AirQualityObserved": EntityTypeInfo(
        "Luftqualität {city}",
        "Feinstaub (PM10, PM2,5) und weitere Luftgüte-Messwerte der Sensoren in {city}.",
        ("ENVI", "HEAL"),
        ("Luftqualität", "Feinstaub", "Umwelt", "Sensoren"),
    ),
    "ParkingSpot": EntityTypeInfo(
        "Parkplatzsensoren {city}",
        "Belegung einzelner Stellplätze in {city}, gemessen von Bodensensoren.",
        ("TRAN",),
        ("Parken", "Mobilität", "Verkehr", "Sensoren"),
    ),
    "OffStreetParking": EntityTypeInfo(
        "Parkplätze und Parkhäuser {city}",
        "Freie Stellplätze der Parkplätze und Parkhäuser in {city}.",
        ("TRAN",),
        ("Parken", "Mobilität", "Verkehr"),
    ),
    "GreenspaceRecord": EntityTypeInfo(
        "Baumfeuchte {city}",
        "Bodenfeuchte an Stadtbäumen in Parks in {city}, gemessen von Sensoren im Wurzelraum.",
        ("ENVI",),
        ("Bäume", "Klima", "Grünflächen", "Sensoren"),
    ),
    "KeyPerformanceIndicator": EntityTypeInfo(
        "Kennzahlen der Smart-City-Strategie {city}",
        "Aktuelle Werte der Kennzahlen, mit denen {city} die Ziele seiner Smart-City-Strategie "
        "misst.",
        ("GOVE", "REGI"),
        ("Smart City", "Strategie", "Kennzahlen"),
    ),
}


def entity_type_info(entity_type: str) -> EntityTypeInfo:
    """The description of a type; unknown types get a neutral one naming the type."""
    return ENTITY_TYPES.get(
        entity_type,
        EntityTypeInfo(
            f"{entity_type} {{city}}",
            f"Aktuelle Daten des NGSI-LD-Entitätstyps {entity_type} in {{city}}.",
            ("REGI",),
            ("Smart City", entity_type),
        ),
    )
