"""Reading a POST requests body: form-encoded (the standard), multipart (with a photo),
JSON or XML (parsed without DTDs or entities)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError

from dos.portal.cityapp.access import with_nul

MAX_BODY = 64 * 1024
ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")


class BodyError(ValueError):
    """The body cannot be read; the message says why (``status``: 400, or 413 when too large)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _from_pairs(pairs: list[tuple[str, str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    fields: dict[str, str] = {}
    attributes: dict[str, list[str]] = {}
    for name, value in pairs:
        match = ATTRIBUTE.match(name)
        if match:
            attributes.setdefault(match.group(1), []).append(value)
        else:
            fields[name] = value
    return fields, attributes


def _json(body: bytes) -> tuple[dict[str, str], dict[str, list[str]]]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BodyError("the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise BodyError("the JSON body must be an object")
    fields: dict[str, str] = {}
    attributes: dict[str, list[str]] = {}
    for name, value in data.items():
        if name == "attribute" and isinstance(value, dict):
            for code, inner in value.items():
                items = inner if isinstance(inner, list) else [inner]
                attributes[str(code)] = [_scalar(f"attribute[{code}]", v) for v in items]
        else:
            fields[name] = _scalar(name, value)
    return fields, attributes


def _scalar(name: str, value: Any) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        raise BodyError(f"{name} must be a string or a number")
    return str(value)


def _xml(body: bytes) -> tuple[dict[str, str], dict[str, list[str]]]:
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise BodyError("XML with a DOCTYPE or entities is not accepted")
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise BodyError("the body is not well-formed XML") from None
    pairs: list[tuple[str, str]] = []
    for child in root:
        if child.tag == "attribute":
            code = child.get("code") or child.findtext("code") or ""
            value = child.findtext("value") if child.find("value") is not None else child.text
            pairs.append((f"attribute[{code}]", (value or "").strip()))
        elif len(child):
            raise BodyError(f"element {child.tag} must hold text only")
        else:
            pairs.append((child.tag, (child.text or "").strip()))
    return _from_pairs(pairs)


def read_body(request: HttpRequest) -> tuple[dict[str, str], dict[str, list[str]], Any]:
    """(fields, attribute values, uploaded media or None); raises :class:`BodyError`."""
    try:
        fields, attributes, upload = _read(request)
    except RequestDataTooBig:
        raise BodyError("the body is too large", 413) from None
    except (TooManyFieldsSent, TooManyFilesSent):
        raise BodyError("the body has too many fields") from None
    values = [
        *fields.items(),
        *((f"attribute[{k}]", v) for k, vs in attributes.items() for v in vs),
    ]
    if (name := with_nul(values)) is not None:
        raise BodyError(f"{name} must not contain NUL characters")
    return fields, attributes, upload


def _read(request: HttpRequest) -> tuple[dict[str, str], dict[str, list[str]], Any]:
    content_type = request.content_type or ""
    if content_type in ("application/json", "application/xml", "text/xml"):
        if len(request.body) > MAX_BODY:
            raise BodyError(f"the body is larger than {MAX_BODY // 1024} KB", 413)
        parsed = _json(request.body) if content_type == "application/json" else _xml(request.body)
        return parsed[0], parsed[1], None
    if content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise BodyError(
            "send the request form-encoded (application/x-www-form-urlencoded or "
            "multipart/form-data with a media file)"
        )
    try:
        pairs = [(k, v) for k in request.POST for v in request.POST.getlist(k)]
        files = request.FILES.getlist("media")
    except (MultiPartParserError, UnicodeDecodeError, ValueError) as exc:
        raise BodyError(f"the form body cannot be read: {exc}") from None
    if len(files) > 1:
        raise BodyError("send at most one media file")
    fields, attributes = _from_pairs(pairs)
    return fields, attributes, files[0] if files else None
