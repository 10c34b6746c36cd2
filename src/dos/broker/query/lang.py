"""The ``lang`` parameter: preferred languages for LanguageProperty values (§4.15).

``lang=fr-CH,fr;q=0.9,en;q=0.8,*;q=0.5`` lists language tags with optional weights like
HTTP ``Accept-Language``; ``*`` accepts any language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from dos.broker.errors import NgsiError

_TAG = re.compile(r"(?:[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*|@none)\Z")
_WEIGHT = re.compile(r"q=(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)\Z")


def parse_lang(text: str) -> list[str]:
    """The language tags in order of preference (weight 0 dropped); bad syntax → BadRequestData."""
    if not isinstance(text, str) or not text.strip():
        raise NgsiError("BadRequestData", "lang: expected one or more language tags")
    ranked: list[tuple[float, int, str]] = []
    for index, item in enumerate(text.split(",")):
        tag, *params = (part.strip() for part in item.split(";"))
        if not _TAG.match(tag):
            raise NgsiError("BadRequestData", f"lang: {tag!r} is not a language tag")
        weight = 1.0
        for param in params:
            if not _WEIGHT.match(param):
                raise NgsiError("BadRequestData", f"lang: {param!r} is not a weight like q=0.8")
            weight = float(param[2:])
        if weight > 0:
            ranked.append((-weight, index, tag))
    return [tag for _, _, tag in sorted(ranked)]


def pick_language(language_map: Mapping[str, Any], preferred: list[str]) -> tuple[str, Any] | None:
    """The (tag, value) of ``language_map`` best fitting ``preferred``, or None.

    A tag matches exactly or as a prefix (``fr`` matches ``fr-CH`` and the other way round);
    ``*`` takes the first language present.
    """
    lowered = {key.lower(): key for key in language_map}
    for tag in preferred:
        if tag == "*":
            for key, value in language_map.items():
                return key, value
            continue
        wanted = tag.lower()
        if wanted in lowered:
            key = lowered[wanted]
            return key, language_map[key]
        for low, key in lowered.items():
            if low.startswith(wanted + "-") or wanted.startswith(low + "-"):
                return key, language_map[key]
    return None
