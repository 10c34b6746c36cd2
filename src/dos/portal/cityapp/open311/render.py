"""GeoReport v2 documents in JSON and XML, exactly as the standard shows them."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from django.http import HttpResponse

#: Element name of one entry inside a list-valued element.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
}

CONTENT_TYPES = {"json": "application/json", "xml": "text/xml; charset=utf-8"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _fill(ET.SubElement(element, key), inner)
    elif isinstance(value, list):
        tag = ITEM_TAGS.get(element.tag, "item")
        for inner in value:
            _fill(ET.SubElement(element, tag), inner)
    else:
        element.text = _text(value)


def to_xml(root: str, value: Any) -> bytes:
    """``value`` (list or dict) as the XML document with root element ``root``."""
    element = ET.Element(root)
    _fill(element, value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8")


def to_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def body(fmt: str, root: str, value: Any) -> bytes:
    """``value`` in format ``fmt`` (``json`` or ``xml``; ``root`` names the XML root)."""
    return to_xml(root, value) if fmt == "xml" else to_json(value)


def document(
    fmt: str, root: str, value: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> HttpResponse:
    """An HTTP response holding ``value`` in format ``fmt`` (``json`` or ``xml``)."""
    response = HttpResponse(body(fmt, root, value), status=status, content_type=CONTENT_TYPES[fmt])
    for name, header in (headers or {}).items():
        response[name] = header
    return response


def errors(
    fmt: str, status: int, description: str, headers: dict[str, str] | None = None
) -> HttpResponse:
    """The standard's error document: ``[{"code": 400, "description": "…"}]``."""
    return document(
        fmt if fmt in CONTENT_TYPES else "json",
        "errors",
        [{"code": status, "description": description}],
        status=status,
        headers=headers,
    )
