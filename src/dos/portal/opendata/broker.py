"""The catalogue's reads of urban data, all through the portal's NGSI-LD client
(:mod:`dos.broker.client`), so they work unchanged against an external broker."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from asgiref.sync import async_to_sync
from django.conf import settings

from dos.broker.client import BrokerClient

T = TypeVar("T")
PAGE_SIZE = 500


def _client() -> BrokerClient:
    return BrokerClient.from_config(settings.CONFIG)


def call(request: Callable[[BrokerClient], Awaitable[T]]) -> T:
    """Run one client request from synchronous code with a client of its own."""

    async def run() -> T:
        client = _client()
        try:
            return await request(client)
        finally:
            await client.aclose()

    return async_to_sync(run)()


def tenant_types(tenant: str) -> list[dict[str, Any]]:
    """The entity types (``typeName``, ``attributeNames``) a city's tenant holds."""
    return call(lambda client: client.entity_types(tenant=tenant))


async def entity_pages(
    tenant: str, entity_type: str, *, page_size: int = PAGE_SIZE
) -> AsyncIterator[list[dict[str, Any]]]:
    """The current entities of a type, simplified (keyValues), one page at a time.

    Only one page is held in memory, so a download of any size streams in constant memory.
    """
    client = _client()
    try:
        offset = 0
        while True:
            page = await client.query_entities(
                tenant=tenant,
                type=entity_type,
                options="keyValues",
                limit=page_size,
                offset=offset,
            )
            if page:
                yield page
            if len(page) < page_size:
                return
            offset += page_size
    finally:
        await client.aclose()


HISTORY_PAGE = 20
#: members of the temporalValues representation that hold [value, instant] pairs (§4.5.9)
VALUE_LISTS = ("values", "objects", "languageMaps", "vocabs", "valueLists", "objectLists")

HistoryRow = tuple[str, str, str, Any]


def _pairs(attribute: Any) -> list[tuple[Any, str]]:
    """[value, instant] pairs of one attribute in the temporalValues representation."""
    found: list[tuple[Any, str]] = []
    for item in attribute if isinstance(attribute, list) else [attribute]:
        if not isinstance(item, dict):
            continue
        for member in VALUE_LISTS:
            for pair in item.get(member) or []:
                found.append((pair[0], str(pair[1])))
    return sorted(found, key=lambda pair: _instant(pair[1]))


def _instant(text: str) -> datetime:
    """An instant of the broker for comparing: the text may or may not carry milliseconds."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def history_rows(
    tenant: str, entity_type: str, attrs: list[str], time_at: str, end_time_at: str
) -> AsyncIterator[list[HistoryRow]]:
    """(entity id, attribute, instant, value) rows of a type's attribute histories with an
    instant in [time_at, end_time_at), one attribute chunk at a time.

    Entities are paged; when the broker cut the answer at its instance limit (206 with
    Content-Range, ETSI GS CIM 009 §6.3.10) each attribute of that page is read on from its
    last instant (from ``time_at`` when the cut left it empty), so at most one broker page is
    held in memory.
    """
    client = _client()
    window = {"timerel": "between", "endTimeAt": end_time_at, "options": "temporalValues"}
    try:
        offset = 0
        while True:
            page, cut = await client.query_temporal(
                tenant=tenant,
                type=entity_type,
                attrs=attrs,
                limit=HISTORY_PAGE,
                offset=offset,
                timeAt=time_at,
                **window,
            )
            for entity in page:
                entity_id = str(entity.get("id"))
                for attr in attrs:
                    pairs = _pairs(entity.get(attr))
                    if pairs:
                        yield [(entity_id, attr, instant, value) for value, instant in pairs]
                    if cut:
                        start = pairs or [(None, time_at)]
                        async for chunk in _read_on(
                            client, tenant, entity_id, attr, start, window, seen=len(pairs) > 0
                        ):
                            yield chunk
            if len(page) < HISTORY_PAGE:
                return
            offset += HISTORY_PAGE
    finally:
        await client.aclose()


async def _read_on(
    client: BrokerClient,
    tenant: str,
    entity_id: str,
    attr: str,
    pairs: list[tuple[Any, str]],
    window: dict[str, str],
    *,
    seen: bool = True,
) -> AsyncIterator[list[HistoryRow]]:
    """The rest of one attribute's history after a cut response, chunk by chunk
    (``seen``: the instances in ``pairs`` were written already)."""
    while True:
        last = pairs[-1][1]
        last_at = _instant(last)
        seen_at_last = sum(1 for _v, at in pairs if _instant(at) == last_at) if seen else 0
        seen = True
        page, cut = await client.query_temporal(
            tenant=tenant, id=entity_id, attrs=[attr], limit=1, timeAt=last, **window
        )
        more = _pairs(page[0].get(attr)) if page else []
        # timeAt is inclusive: the instances at the last instant were already written
        at_last = [pair for pair in more if _instant(pair[1]) == last_at][seen_at_last:]
        fresh = at_last + [pair for pair in more if _instant(pair[1]) > last_at]
        if not fresh:
            return
        yield [(entity_id, attr, instant, value) for value, instant in fresh]
        if not cut:
            return
        pairs = more
