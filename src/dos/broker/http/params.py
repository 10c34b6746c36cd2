"""Query parameters of entity queries → :class:`~dos.broker.store.EntityQuery`.

``GET /entities`` (§6.4.3.2) and ``POST /entityOperations/query`` (§6.23, a Query object,
§5.2.23) share this. Type selections (§4.17) are turned into disjunctive normal form so the
stores can answer them from the type index.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from dos.broker.entities.validate import is_uri
from dos.broker.errors import NgsiError
from dos.broker.jsonld.active import ActiveContext
from dos.broker.jsonld.expand import expand_projection
from dos.broker.query import (
    geo_query_from_json,
    parse_geo_query,
    parse_q,
    parse_scope_query,
    parse_type_query,
)
from dos.broker.query.boolean import AllOf, AnyOf, Condition
from dos.broker.query.entity_types import TypeName
from dos.broker.store import EntityQuery

MAX_LIMIT = 1000
DEFAULT_LIMIT = 20


def type_groups(text: str, expand: Callable[[str], str]) -> list[list[str]]:
    """A type selection (``A,B``, ``A;B``, ``(A|B);C``) as OR-of-AND groups of type IRIs.

    Parsed by :func:`dos.broker.query.parse_type_query`; the normal form lets the stores use
    their (tenant, type) index.
    """
    return _dnf(parse_type_query(text, expand))


def _dnf(node: Condition) -> list[list[str]]:
    if isinstance(node, TypeName):
        return [[node.iri]]
    if isinstance(node, AnyOf):
        return [group for item in node.items for group in _dnf(item)]
    if isinstance(node, AllOf):
        groups: list[list[str]] = [[]]
        for item in node.items:
            groups = [a + b for a in groups for b in _dnf(item)]
            if len(groups) > 256:
                raise NgsiError("BadRequestData", "the type selection is too complex")
        return [list(dict.fromkeys(group)) for group in groups]
    raise NgsiError("BadRequestData", f"unsupported type selection {node}")


def parse_ids(raw: str | list[Any]) -> list[str]:
    items = raw.split(",") if isinstance(raw, str) else raw
    ids = []
    for item in items:
        if not is_uri(item):
            raise NgsiError("BadRequestData", f"id {item!r} is not a URI")
        ids.append(str(item).strip())
    return ids


def parse_id_pattern(raw: Any) -> str:
    if not isinstance(raw, str):
        raise NgsiError("BadRequestData", "idPattern must be a string")
    try:
        re.compile(raw)
    except re.error as exc:
        raise NgsiError("BadRequestData", f"idPattern is not a regular expression: {exc}") from None
    return raw


def build_query(
    source: dict[str, Any],
    ctx: ActiveContext,
    *,
    limit: int,
    offset: int,
    count: bool,
    local: bool,
) -> EntityQuery:
    """The store query for ``source``: the query parameters (or Query object members)."""
    query = EntityQuery(limit=limit, offset=offset, count=count)
    if limit > MAX_LIMIT:
        raise NgsiError("TooManyResults", f"limit {limit} is above the maximum of {MAX_LIMIT}")
    if limit == 0 and not count:
        raise NgsiError("BadRequestData", "limit=0 is only allowed with count=true")
    if source.get("id") is not None:
        query.ids = parse_ids(source["id"])
    if source.get("idPattern") is not None:
        query.id_pattern = parse_id_pattern(source["idPattern"])
    if source.get("type") is not None:
        raw_type = source["type"]
        if isinstance(raw_type, list):
            raw_type = ",".join(str(t) for t in raw_type)
        if not isinstance(raw_type, str):
            raise NgsiError("BadRequestData", "type must be a string")
        query.types = type_groups(raw_type, ctx.expand)
    if source.get("attrs") is not None:
        names = source["attrs"]
        names = names.split(",") if isinstance(names, str) else names
        query.attrs = sorted(n for n in expand_projection(names, ctx) if n not in _MEMBERS)
    if source.get("q") is not None:
        if not isinstance(source["q"], str):
            raise NgsiError("BadRequestData", "q must be a string")
        query.q = parse_q(source["q"], ctx.expand)
    if source.get("scopeQ") is not None:
        if not isinstance(source["scopeQ"], str):
            raise NgsiError("BadRequestData", "scopeQ must be a string")
        query.scope_q = parse_scope_query(source["scopeQ"])
    if source.get("geoQ") is not None:
        query.geo = geo_query_from_json(source["geoQ"], ctx.expand)
    else:
        query.geo = parse_geo_query(
            source.get("georel"),
            source.get("geometry"),
            source.get("coordinates"),
            source.get("geoproperty"),
            ctx.expand,
        )
    selective = (
        query.ids
        or query.id_pattern
        or query.types
        or query.attrs
        or query.q is not None
        or query.scope_q is not None
        or query.geo is not None
    )
    if not selective and not local:
        raise NgsiError(
            "BadRequestData",
            "a query needs at least one of id, idPattern, type, attrs, q, geo-query or scopeQ",
        )
    return query


_MEMBERS = frozenset({"id", "type", "scope", "createdAt", "modifiedAt"})
