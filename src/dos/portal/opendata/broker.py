"""The catalogue's reads of urban data, all through the portal's NGSI-LD client
(:mod:`dos.broker.client`), so they work unchanged against an external broker."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
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
    return sorted(found, key=lambda pair: _ms(pair[1]))


async def history_rows(
    tenant: str, entity_type: str, attrs: list[str], time_at: str, end_time_at: str
) -> AsyncIterator[list[HistoryRow]]:
    """(entity id, attribute, instant, value) rows of a type's attribute histories with an
    instant in [time_at, end_time_at), one attribute chunk at a time.

    Entities are paged; when the broker cut an attribute at its instance limit (206 with
    Content-Range, ETSI GS CIM 009 §6.3.10) that attribute is read on from its last instant
    in slices of time (:func:`_read_on`), so at most one broker page is held in memory and
    the time grows linearly with the history.
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
                    if cut:  # any attribute may have been cut, even to nothing
                        async for chunk in _read_on(
                            client, tenant, entity_id, attr, pairs, window, time_at
                        ):
                            yield chunk
            if len(page) < HISTORY_PAGE:
                return
            offset += HISTORY_PAGE
    finally:
        await client.aclose()


def _ms(instant: str) -> int:
    """Epoch milliseconds of an instant as the temporal API writes them."""
    moment = dt.datetime.fromisoformat(instant.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp() * 1000)


def _instant(ms: int) -> str:
    moment = dt.datetime.fromtimestamp(ms / 1000, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


async def _read_on(
    client: BrokerClient,
    tenant: str,
    entity_id: str,
    attr: str,
    pairs: list[tuple[Any, str]],
    window: dict[str, str],
    time_at: str,
) -> AsyncIterator[list[HistoryRow]]:
    """The rest of one attribute's history after a cut response (``pairs``: what it held of
    the attribute, perhaps nothing), chunk by chunk.

    Keyset pages in time: each request asks for a slice [from, to) that should hold about as
    many instances as the cut response did (its density), not for everything up to the end —
    the broker then reads only that slice, so a long history costs time linear in its size
    and each chunk is at most one broker page. Instants are compared as times, not as text.
    """
    end_ms = _ms(window["endTimeAt"])
    cap = len(pairs)
    if pairs:
        last_ms = _ms(pairs[-1][1])
        seen_at_last = sum(1 for _value, instant in pairs if _ms(instant) == last_ms)
        cursor = last_ms
        span = max(cursor - _ms(pairs[0][1]), 1000)
    else:  # nothing of it yet: from the start, the broker's limit sets the first slice
        cursor, last_ms, seen_at_last = _ms(time_at), -1, 0
        span = max(end_ms - cursor, 1000)
    while cursor < end_ms:
        upto = min(end_ms, cursor + span)
        page, cut = await client.query_temporal(
            tenant=tenant,
            id=entity_id,
            attrs=[attr],
            limit=1,
            timeAt=_instant(cursor),
            **{**window, "endTimeAt": _instant(upto)},
        )
        more = (
            [(value, instant, _ms(instant)) for value, instant in _pairs(page[0].get(attr))]
            if page
            else []
        )
        # timeAt is inclusive: the instances at the last instant were already written
        at_last = [(v, i) for v, i, ms in more if ms == last_ms][seen_at_last:]
        fresh = at_last + [(v, i) for v, i, ms in more if ms > last_ms]
        if cut and more:
            if not fresh:
                return  # more instances at one instant than the broker returns at once
            last_ms = more[-1][2]
            seen_at_last = sum(1 for _v, _i, ms in more if ms == last_ms)
            span = max(last_ms - cursor, 1000)
            cursor = last_ms
        else:
            # the slice held fewer than a page: the next one may be wider
            if len(more) < max(cap, 2) // 2:
                span *= 2
            cursor, last_ms, seen_at_last = upto, upto - 1, 0
        if fresh:
            yield [(entity_id, attr, instant, value) for value, instant in fresh]
