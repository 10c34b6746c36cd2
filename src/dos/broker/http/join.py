"""Linked entity retrieval: ``join=inline|flat`` with ``joinLevel`` (ETSI GS CIM 009 §4.5.23).

``inline`` puts the entity a Relationship points to into the Relationship (normalized: its
``entity`` member; simplified: instead of the object id); ``flat`` returns the linked entities
after the requested ones in one list. ``joinLevel`` (default 1) is how many hops are followed.
A nested ``pick``/``omit`` (``locatedAt{id,name}``) shapes the linked entity.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from starlette.requests import Request

from dos.broker.errors import NgsiError
from dos.broker.http.render import View
from dos.broker.http.request import int_param
from dos.broker.query.projection import Projection
from dos.broker.store import Doc, Session, Store

MAX_JOIN_LEVEL = 5


def join_of(request: Request, body: dict[str, Any] | None = None) -> tuple[str | None, int]:
    """The ``join`` mode (None when absent) and ``joinLevel`` of a request (or of the members
    ``join`` and ``joinLevel`` of a Query object ``body``)."""
    join = request.query_params.get("join")
    level = int_param(request, "joinLevel", 1, minimum=1)
    if body is not None and body.get("join") is not None:
        join = body["join"]
        raw_level = body.get("joinLevel", 1)
        if type(raw_level) is not int or raw_level < 1:
            raise NgsiError("BadRequestData", "joinLevel must be a whole number of at least 1")
        level = raw_level
    if join is not None and join not in ("inline", "flat", "@none"):
        raise NgsiError("BadRequestData", f"join must be inline, flat or @none, not {join!r}")
    if level > MAX_JOIN_LEVEL:
        raise NgsiError("BadRequestData", f"joinLevel is at most {MAX_JOIN_LEVEL}")
    return (None if join == "@none" else join), level


def _objects(doc: Doc, iri: str) -> list[str]:
    found: list[str] = []
    for instance in doc.get("attrs", {}).get(iri) or []:
        if instance.get("type") != "Relationship":
            continue
        target = instance.get("object")
        for item in target if isinstance(target, list) else [target]:
            if isinstance(item, str) and item not in found:
                found.append(item)
    return found


class Joiner:
    """Renders entities with their linked entities for one request."""

    def __init__(self, store: Store, tenant: str, view: View, mode: str, level: int) -> None:
        self.store, self.tenant, self.view, self.mode, self.level = (
            store,
            tenant,
            view,
            mode,
            level,
        )
        self.cache: dict[str, Doc | None] = {}
        self.flat: list[Any] = []
        self.seen: set[str] = set()

    async def _load(self, ids: list[str]) -> None:
        missing = [i for i in ids if i not in self.cache]
        if not missing:
            return

        def read(session: Session) -> dict[str, Doc]:
            return session.get_many(self.tenant, missing)

        found = await self.store.aread(read)
        for entity_id in missing:
            self.cache[entity_id] = found.get(entity_id)

    def _sub_view(self, projection: Projection | None, iri: str) -> View:
        nested = projection.nested(iri) if projection is not None else None
        pick = None if nested is None or nested.pick is None else {m.key for m in nested.pick}
        omit = (
            None
            if nested is None or nested.omit is None
            else {m.key for m in nested.omit if m.nested is None}
        )
        return dataclasses.replace(self.view, pick=pick, omit=omit, projection=nested)

    async def render(self, doc: Doc, view: View, depth: int) -> dict[str, Any]:
        """``doc`` as the view wants it, with linked entities up to the join level."""
        out = view.entity(doc)
        if depth > 0:
            out.pop("@context", None)
        if depth >= self.level:
            return out
        for iri in list(doc.get("attrs", {})):
            name = view.ctx.compact(iri)
            targets = _objects(doc, iri)
            if name not in out or not targets:
                continue
            await self._load(targets)
            sub_view = self._sub_view(view.projection, iri)
            rendered = []
            for target in targets:
                linked = self.cache.get(target)
                if linked is None:
                    continue
                if self.mode == "flat":
                    if target not in self.seen:
                        self.seen.add(target)
                        slot = len(self.flat)  # linking entities before the linked ones
                        self.flat.append(None)
                        self.flat[slot] = await self.render(linked, sub_view, depth + 1)
                else:
                    rendered.append(await self.render(linked, sub_view, depth + 1))
            if self.mode == "inline" and rendered:
                self._inline(out, name, rendered)
        return out

    def _inline(self, out: dict[str, Any], name: str, rendered: list[Any]) -> None:
        value = rendered[0] if len(rendered) == 1 else rendered
        member = out[name]
        if isinstance(member, dict) and member.get("type") == "Relationship":
            member["entity"] = value
        elif isinstance(member, list) and member and isinstance(member[0], dict):
            for instance in member:
                if isinstance(instance, dict):
                    instance["entity"] = value
        else:
            out[name] = value

    async def entity(self, doc: Doc) -> Any:
        """One entity (retrieve): a dict for inline, a list for flat."""
        self.seen.add(doc["id"])
        out = await self.render(doc, self.view, 0)
        # flat without any linked entity found: just the entity (ETSI 018_14_02)
        return [out, *self.flat] if self.mode == "flat" and self.flat else out

    async def entities(self, docs: list[Doc]) -> list[Any]:
        """A query result: for flat, the linked entities follow the matching ones."""
        self.seen.update(doc["id"] for doc in docs)
        rendered = [await self.render(doc, self.view, 0) for doc in docs]
        return [*rendered, *self.flat]
