"""Choices a client makes about the form of a response: representation and language.

- :func:`representation_from_options` reads ``options`` / ``format`` (ETSI GS CIM 009 §6.3.7,
  §4.5.1-3): ``normalized`` (default), ``concise``, ``keyValues`` (alias ``simplified``), and
  whether ``sysAttrs`` were asked for.
- :func:`pick_language` chooses the text of a LanguageProperty for a ``lang`` parameter
  (§4.15): tags in the client's order of preference (``q`` weights honoured), ``*`` for any,
  a primary tag such as ``de`` matching ``de-DE``; without a match ``@none`` or the first.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dos.broker.errors import NgsiError

_FORMATS = {
    "normalized": "normalized",
    "concise": "concise",
    "keyValues": "keyValues",
    "simplified": "keyValues",
}
_OTHER_OPTIONS = frozenset({"sysAttrs", "noOverwrite", "replace", "update", "append"})


def representation_from_options(
    options: Iterable[str] = (), format: str | None = None
) -> tuple[str, bool]:
    """``(representation, sys_attrs)`` for the ``options`` values and ``format`` parameter.

    Raises InvalidRequest (ETSI test 018_16) for an unknown option or format and for two
    different representations.
    """
    chosen: set[str] = set()
    sys_attrs = False
    for option in options:
        option = option.strip()
        if not option:
            continue
        if option in _FORMATS:
            chosen.add(_FORMATS[option])
        elif option == "sysAttrs":
            sys_attrs = True
        elif option not in _OTHER_OPTIONS:
            raise NgsiError("InvalidRequest", f"unknown option {option!r}")
    if format is not None:
        if format not in _FORMATS:
            raise NgsiError(
                "InvalidRequest",
                f"unknown format {format!r} (normalized, concise, keyValues, simplified)",
            )
        chosen = {_FORMATS[format]}
    if len(chosen) > 1:
        raise NgsiError(
            "InvalidRequest", f"options ask for several representations: {sorted(chosen)}"
        )
    return (chosen.pop() if chosen else "normalized"), sys_attrs


def _preferences(lang: str) -> list[str]:
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(lang.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        tag = pieces[0]
        if not tag:
            continue
        weight = 1.0
        for piece in pieces[1:]:
            if piece.startswith("q="):
                try:
                    weight = float(piece[2:])
                except ValueError:
                    weight = 0.0
        if weight > 0:
            weighted.append((-weight, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def pick_language(language_map: dict[str, Any], lang: str) -> tuple[str, Any]:
    """``(tag, text)`` of the best entry of a languageMap for a ``lang`` parameter."""
    for wanted in _preferences(lang):
        if wanted == "*":
            tag = next(iter(language_map))
            return tag, language_map[tag]
        if wanted in language_map:
            return wanted, language_map[wanted]
        lowered = wanted.lower()
        for tag, text in language_map.items():
            if tag.lower() == lowered or tag.lower().startswith(lowered + "-"):
                return tag, text
    if "@none" in language_map:
        return "@none", language_map["@none"]
    tag = next(iter(language_map))
    return tag, language_map[tag]
