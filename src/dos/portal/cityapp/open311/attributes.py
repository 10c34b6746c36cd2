"""Service attributes (GeoReport v2 service definitions) and the values a request gives them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jsonschema import Draft202012Validator

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")

ATTRIBUTES_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["code", "datatype", "description"],
        "additionalProperties": False,
        "properties": {
            "variable": {"type": "boolean"},
            "code": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,60}$"},
            "datatype": {"enum": list(DATATYPES)},
            "required": {"type": "boolean"},
            "datatype_description": {"type": "string"},
            "order": {"type": "integer", "minimum": 0},
            "description": {"type": "string", "minLength": 1},
            "values": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["key", "name"],
                    "additionalProperties": False,
                    "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
                },
            },
        },
    },
}
_VALIDATOR = Draft202012Validator(ATTRIBUTES_SCHEMA)


def attribute_errors(definitions: Any) -> list[str]:
    """Problems with a service's attribute definitions, each naming where it is."""
    errors = [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in _VALIDATOR.iter_errors(definitions)
    ]
    if errors:
        return errors
    codes = [d["code"] for d in definitions]
    if len(codes) != len(set(codes)):
        errors.append("attribute codes must be unique")
    for d in definitions:
        if d["datatype"].endswith("valuelist") and not d.get("values"):
            errors.append(f"{d['code']}: a value list needs values")
    return errors


def clean_values(definitions: list[dict[str, Any]], given: dict[str, list[str]]) -> dict[str, Any]:
    """Check ``attribute[code]`` values against the definitions; raises ``ValueError`` naming
    the attribute that is wrong."""
    known = {d["code"]: d for d in definitions if d.get("variable", True)}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ValueError(f"unknown attribute {unknown[0]}")
    cleaned: dict[str, Any] = {}
    for code, definition in known.items():
        values = [v for v in given.get(code, []) if v != ""]
        if not values:
            if definition.get("required"):
                raise ValueError(f"attribute {code} is required")
            continue
        datatype = definition["datatype"]
        allowed = {v["key"] for v in definition.get("values", [])}
        if datatype == "multivaluelist":
            if not set(values) <= allowed:
                raise ValueError(f"attribute {code}: not one of the listed values")
            cleaned[code] = values
            continue
        if len(values) > 1:
            raise ValueError(f"attribute {code} takes one value")
        value = values[0]
        if datatype == "singlevaluelist" and value not in allowed:
            raise ValueError(f"attribute {code}: not one of the listed values")
        if datatype == "number":
            try:
                number = float(value)
            except ValueError:
                raise ValueError(f"attribute {code} must be a number") from None
            if number != number or number in (float("inf"), float("-inf")):
                raise ValueError(f"attribute {code} must be a number")
        if datatype == "datetime":
            try:
                datetime.fromisoformat(value)
            except ValueError:
                raise ValueError(f"attribute {code} must be an ISO 8601 date-time") from None
        if len(value) > 2000:
            raise ValueError(f"attribute {code} is too long")
        cleaned[code] = value
    return cleaned
