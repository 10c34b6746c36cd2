"""The catalogue's reads of urban data, all through the portal's NGSI-LD client
(:mod:`dos.broker.client`), so they work unchanged against an external broker."""

from __future__ import annotations

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
