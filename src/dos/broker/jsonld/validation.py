"""Checks on the pieces of an NGSI-LD payload: URIs, names, date-times, scopes, language tags.

Each check returns a problem description (or ``None``) so callers can name the attribute in
their ``BadRequestData`` detail (ETSI GS CIM 009 §4.6, §5.5.4).
"""

from __future__ import annotations

import functools
import re
from datetime import datetime
from typing import Any

#: Attribute types of the internal representation (ETSI GS CIM 009 §4.5).
ATTRIBUTE_TYPES = frozenset(
    {
        "Property",
        "Relationship",
        "GeoProperty",
        "LanguageProperty",
        "VocabProperty",
        "ListProperty",
        "ListRelationship",
        "JsonProperty",
    }
)

#: attribute type → the member holding its value
VALUE_KEY: dict[str, str] = {
    "Property": "value",
    "Relationship": "object",
    "GeoProperty": "value",
    "LanguageProperty": "languageMap",
    "VocabProperty": "vocab",
    "ListProperty": "valueList",
    "ListRelationship": "objectList",
    "JsonProperty": "json",
}

#: value member → attribute type, for payloads that leave ``type`` out (concise, §4.5.2)
TYPE_OF_VALUE_KEY: dict[str, str] = {
    "object": "Relationship",
    "languageMap": "LanguageProperty",
    "vocab": "VocabProperty",
    "valueList": "ListProperty",
    "objectList": "ListRelationship",
    "json": "JsonProperty",
}

#: members of an attribute instance that are neither its value nor sub-attributes
META_KEYS = frozenset(
    {"type", "datasetId", "observedAt", "unitCode", "createdAt", "modifiedAt", "objectType", "lang"}
)
ALL_VALUE_KEYS = frozenset(VALUE_KEY.values())
RESERVED_INSTANCE_KEYS = META_KEYS | ALL_VALUE_KEYS

#: entity members that are not attributes
ENTITY_KEYS = frozenset(
    {"id", "@id", "type", "@type", "scope", "createdAt", "modifiedAt", "deletedAt", "@context"}
)

#: attributes the specification reserves for geometries (§4.7)
GEO_ATTRIBUTE_NAMES = frozenset({"location", "observationSpace", "operationSpace"})

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")
# §4.6.2: names may not contain these (they break the query language and URLs)
_FORBIDDEN_NAME = re.compile(r"[\s<>\"'=;()\x00-\x1f\x7f]")
_SCOPE = re.compile(r"^(/[^/\s#+]+)+$|^/$")
_LANG = re.compile(r"^(@none|[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*)$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$")


def is_uri(value: Any) -> bool:
    """True for an absolute URI (a scheme, then no whitespace or forbidden characters)."""
    return type(value) is str and len(value) <= 2048 and _uri_matches(value)


@functools.lru_cache(maxsize=65_536)
def _uri_matches(value: str) -> bool:
    # entity ids, relationship objects and datasetIds repeat: remember the verdicts
    return _SCHEME.match(value) is not None


def name_problem(name: Any) -> str | None:
    """Why ``name`` cannot be an attribute or type name, or ``None``."""
    if not isinstance(name, str) or not name:
        return "a name must be a non-empty string"
    if len(name) > 512:
        return "the name is longer than 512 characters"
    if _FORBIDDEN_NAME.search(name):
        return "the name contains a forbidden character (whitespace, control, < > \" ' = ; ( ))"
    return None


def is_datetime(value: Any) -> bool:
    """True for an ISO 8601 date-time with date and time (§4.6.3), e.g. ``2026-01-02T03:04:05Z``."""
    if type(value) is not str or len(value) < 16 or value[10] != "T" or value[4] != "-":
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    # fromisoformat also takes forms NGSI-LD does not (e.g. week dates, 24:00); the pattern
    # check runs only on what it accepted, which is nearly always well-formed
    return _DATETIME.match(value) is not None


def is_scope(value: Any) -> bool:
    """True for one scope such as ``/Dortmund/Hörde`` (§4.18)."""
    return isinstance(value, str) and _SCOPE.match(value) is not None


def is_language_tag(value: Any) -> bool:
    """True for a BCP 47 language tag or ``@none`` (§4.5.18)."""
    return isinstance(value, str) and _LANG.match(value) is not None
