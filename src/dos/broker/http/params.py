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
from dos.broker.query import parse_q
from dos.broker.store import EntityQuery

MAX_LIMIT = 1000
DEFAULT_LIMIT = 20
_TYPE_TOKEN = re.compile(r"\s*([(),;|]|[^(),;|\s]+)")


def parse_type_selection(text: str, expand: Callable[[str], str]) -> list[list[str]]:
    """A type selection (``A,B``, ``A;B``, ``(A|B);C``) as OR-of-AND groups of IRIs.

    ``,`` and ``|`` mean OR, ``;`` means AND and binds tighter; parentheses group.
    """
    tokens: list[str] = _TYPE_TOKEN.findall(text)
    if not tokens or "".join(tokens) != re.sub(r"\s+", "", text):
        raise NgsiError("BadRequestData", f"invalid type selection {text!r}")
    position = 0

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> str:
        nonlocal position
        token = tokens[position]
        position += 1
        return token

    def disjunction(depth: int) -> list[list[str]]:
        groups = conjunction(depth)
        while peek() in (",", "|"):
            take()
            groups = groups + conjunction(depth)
        return groups

    def conjunction(depth: int) -> list[list[str]]:
        groups = factor(depth)
        while peek() == ";":
            take()
            right = factor(depth)
            groups = [a + b for a in groups for b in right]
            if len(groups) > 256:
                raise NgsiError("BadRequestData", "the type selection is too complex")
        return groups

    def factor(depth: int) -> list[list[str]]:
        token = peek()
        if token is None:
            raise NgsiError("BadRequestData", f"type selection {text!r} ends too early")
        if token == "(":
            if depth > 16:
                raise NgsiError("BadRequestData", "the type selection is nested too deeply")
            take()
            groups = disjunction(depth + 1)
            if peek() != ")":
                raise NgsiError("BadRequestData", f"type selection {text!r}: missing ')'")
            take()
            return groups
        if token in (")", ",", ";", "|"):
            raise NgsiError("BadRequestData", f"type selection {text!r}: unexpected {token!r}")
        return [[expand(take())]]

    result = disjunction(0)
    if position != len(tokens):
        raise NgsiError("BadRequestData", f"type selection {text!r}: unexpected {peek()!r}")
    return [list(dict.fromkeys(group)) for group in result]


def _ids(raw: str | list[Any]) -> list[str]:
    items = raw.split(",") if isinstance(raw, str) else raw
    ids = []
    for item in items:
        if not is_uri(item):
            raise NgsiError("BadRequestData", f"id {item!r} is not a URI")
        ids.append(str(item).strip())
    return ids


def _pattern(raw: Any) -> str:
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
        query.ids = _ids(source["id"])
    if source.get("idPattern") is not None:
        query.id_pattern = _pattern(source["idPattern"])
    if source.get("type") is not None:
        raw_type = source["type"]
        if isinstance(raw_type, list):
            raw_type = ",".join(str(t) for t in raw_type)
        if not isinstance(raw_type, str):
            raise NgsiError("BadRequestData", "type must be a string")
        query.types = parse_type_selection(raw_type, ctx.expand)
    if source.get("attrs") is not None:
        names = source["attrs"]
        names = names.split(",") if isinstance(names, str) else names
        query.attrs = sorted(n for n in expand_projection(names, ctx) if n not in _MEMBERS)
    if source.get("q") is not None:
        if not isinstance(source["q"], str):
            raise NgsiError("BadRequestData", "q must be a string")
        query.q = parse_q(source["q"], ctx.expand)
    if source.get("scopeQ") is not None:
        raise NgsiError("NotImplemented", "scopeQ is not supported by this broker yet")
    if any(source.get(k) is not None for k in ("georel", "geometry", "coordinates", "geoQ")):
        raise NgsiError("NotImplemented", "geo-queries are not supported by this broker yet")
    selective = query.ids or query.id_pattern or query.types or query.attrs or query.q is not None
    if not selective and not local:
        raise NgsiError(
            "BadRequestData",
            "a query needs at least one of id, idPattern, type, attrs, q, geo-query or scopeQ",
        )
    return query


_MEMBERS = frozenset({"id", "type", "scope", "createdAt", "modifiedAt"})
