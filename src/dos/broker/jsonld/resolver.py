"""From a request to its active @context (ETSI GS CIM 009 §5.5.7, §6.3.5).

A request names its @context either in a ``Link`` header (``rel="http://www.w3.org/ns/json-ld#context"``,
with ``Content-Type: application/json`` or no body) or in the body's ``@context`` member (only
with ``Content-Type: application/ld+json``). Without either, the core context applies; it
always applies last.

Remote contexts are looked up in this order, and only the last step touches the network:

1. the packaged core contexts (:mod:`dos.broker.jsonld.contexts`);
2. the in-memory document cache;
3. the tenant's :class:`~dos.broker.jsonld.repository.ContextRepository` (by URL, or by
   localId for URLs of the broker's own ``/jsonldContexts/{id}``);
4. an HTTP GET with httpx, bounded by ``DOS_BROKER_CONTEXT_TIMEOUT`` (for the whole
   download, redirects included) and ``DOS_BROKER_CONTEXT_MAX_BYTES``. What it fetched is
   stored as kind ``Cached``. Any failure raises ``LdContextNotAvailable`` (503).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import OrderedDict
from typing import Any

import httpx
import orjson

from dos.broker.errors import NgsiError
from dos.broker.jsonld.active import (
    ActiveContext,
    build_active_context,
    context_key,
    core_active_context,
)
from dos.broker.jsonld.contexts import core_context_document, is_core_context_url
from dos.broker.jsonld.repository import ContextRepository, StoredContext, utc_now
from dos.broker.jsonld.validation import is_uri

JSON_LD = "application/ld+json"
JSON = "application/json"
CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"
#: path segment of the broker's own context URLs (``…/ngsi-ld/v1/jsonldContexts/{localId}``)
HOSTED_PATH = "/jsonldContexts/"


class _NoContext:
    """Marker: the body has no ``@context`` member (distinct from ``"@context": null``)."""

    def __repr__(self) -> str:
        return "NO_CONTEXT"


NO_CONTEXT: Any = _NoContext()


def media_type(content_type: str | None) -> str | None:
    """``application/json`` from ``application/json; charset=utf-8`` (lower case)."""
    if content_type is None:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def parse_link_header(value: str) -> list[tuple[str, dict[str, str]]]:
    """The links of a ``Link`` header (RFC 8288) as ``(url, {param: value})``."""
    links: list[tuple[str, dict[str, str]]] = []
    for part in _split_outside_quotes(value, ","):
        part = part.strip()
        if not part:
            continue
        if not part.startswith("<") or ">" not in part:
            raise NgsiError("BadRequestData", f"malformed Link header: {part!r}")
        url, rest = part[1:].split(">", 1)
        params: dict[str, str] = {}
        for piece in _split_outside_quotes(rest, ";"):
            piece = piece.strip()
            if not piece:
                continue
            key, _, raw = piece.partition("=")
            params[key.strip().lower()] = raw.strip().strip('"')
        links.append((url.strip(), params))
    return links


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    bracketed = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char == "<" and not quoted:
            bracketed = True
        elif char == ">" and not quoted:
            bracketed = False
        if char == separator and not quoted and not bracketed:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def context_url_from_link(link: str | None) -> str | None:
    """The @context URL of a ``Link`` header, or ``None`` when it names none.

    Raises BadRequestData for several @context links, a link whose ``type`` is not
    application/ld+json, or a URL that is not absolute.
    """
    if not link:
        return None
    urls = [
        (url, params) for url, params in parse_link_header(link) if params.get("rel") == CONTEXT_REL
    ]
    if not urls:
        return None
    if len(urls) > 1:
        raise NgsiError("BadRequestData", "the Link header names more than one JSON-LD @context")
    url, params = urls[0]
    if params.get("type", JSON_LD).lower() != JSON_LD:
        raise NgsiError(
            "BadRequestData", f"the @context link has type {params['type']!r}, not {JSON_LD}"
        )
    if not is_uri(url):
        raise NgsiError("BadRequestData", f"the @context link {url!r} is not a URL")
    return url


def link_header(url: str) -> str:
    """The ``Link`` header value naming ``url`` as the JSON-LD @context of a response."""
    return f'<{url}>; rel="{CONTEXT_REL}"; type="{JSON_LD}"'


class ContextResolver:
    """Resolves requests' @contexts; one per broker process, shared by all tenants.

    ``transport`` lets tests replace the network (``httpx.MockTransport``).
    """

    def __init__(
        self,
        *,
        timeout: float = 3.0,
        max_bytes: int = 1_048_576,
        transport: httpx.AsyncBaseTransport | None = None,
        max_cached_contexts: int = 512,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._documents: dict[str, Any] = {}
        self._inflight: dict[str, asyncio.Future[Any]] = {}
        self._active: OrderedDict[str, ActiveContext] = OrderedDict()
        self._max_active = max_cached_contexts

    # ------------------------------------------------------------------ requests
    async def resolve_request(
        self,
        *,
        link: str | None = None,
        content_type: str | None = None,
        body_context: Any = NO_CONTEXT,
        repository: ContextRepository | None = None,
    ) -> ActiveContext:
        """The active context of a request from its ``Link`` header, ``Content-Type`` and
        the ``@context`` member of its body (``NO_CONTEXT`` when absent), per §6.3.5."""
        kind = media_type(content_type)
        url = context_url_from_link(link)
        if kind == JSON_LD:
            if url is not None:
                raise NgsiError(
                    "BadRequestData",
                    "a JSON-LD @context Link header is not allowed with Content-Type application/ld+json",
                )
            if body_context is NO_CONTEXT:
                raise NgsiError(
                    "BadRequestData",
                    "Content-Type application/ld+json needs an @context in the body",
                )
            return await self.resolve(body_context, repository=repository)
        if body_context is not NO_CONTEXT:
            raise NgsiError(
                "BadRequestData",
                "an @context in the body needs Content-Type application/ld+json",
            )
        if url is None:
            return core_active_context()
        return await self.resolve(url, repository=repository)

    async def resolve(
        self, context: Any, *, repository: ContextRepository | None = None
    ) -> ActiveContext:
        """The active context for an @context value (a URL, an object or an array)."""
        items = [i for i in (context if isinstance(context, list) else [context]) if i is not None]
        if not items or (
            len(items) == 1 and isinstance(items[0], str) and is_core_context_url(items[0])
        ):
            return core_active_context()
        for item in items:
            if not isinstance(item, str | dict):
                raise NgsiError(
                    "BadRequestData", f"invalid @context: {item!r} is not a URL or an object"
                )
        key = context_key(items)
        urls: list[str] = []
        documents: dict[str, Any] = {}
        await self._collect(items, documents, urls, repository, ())
        await self._record_hits(urls, repository)
        cached = self._active.get(key)
        if cached is not None:
            self._active.move_to_end(key)
            return cached
        active = build_active_context(items, documents.__getitem__)
        self._active[key] = active
        if len(self._active) > self._max_active:
            self._active.popitem(last=False)
        return active

    # ------------------------------------------------------------------ documents
    async def _collect(
        self,
        value: Any,
        documents: dict[str, Any],
        urls: list[str],
        repository: ContextRepository | None,
        seen: tuple[str, ...],
    ) -> None:
        """Load every remote context ``value`` refers to (depth-first) into ``documents``."""
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, str):
                if is_core_context_url(item) or item in documents:
                    continue
                if item in seen or len(seen) > 16:
                    raise NgsiError("BadRequestData", f"invalid @context: {item} includes itself")
                if not seen:
                    urls.append(item)
                loaded = await self.load(item, repository=repository)
                documents[item] = loaded
                await self._collect(loaded, documents, urls, repository, (*seen, item))
            elif isinstance(item, dict) and isinstance(item.get("@import"), str):
                imported = item["@import"]
                if not is_core_context_url(imported) and imported not in documents:
                    documents[imported] = await self.load(imported, repository=repository)

    async def load(self, url: str, *, repository: ContextRepository | None = None) -> Any:
        """The ``@context`` member of the document at ``url`` (core, cached, stored or fetched)."""
        if is_core_context_url(url):
            return core_context_document(url)["@context"]
        if url in self._documents:
            return self._documents[url]
        if repository is not None:
            stored = await self._stored(url, repository)
            if stored is not None:
                return stored.body
        body = await self._fetch_once(url)
        if repository is not None and await repository.get(url) is None:
            await repository.add(
                StoredContext(
                    id=str(uuid.uuid4()), url=url, kind="Cached", body=body, created_at=utc_now()
                )
            )
        return body

    async def _stored(self, url: str, repository: ContextRepository) -> StoredContext | None:
        stored = await repository.get(url)
        if stored is None and HOSTED_PATH in url:
            stored = await repository.get(url.rsplit("/", 1)[-1])
        return stored

    async def _record_hits(self, urls: list[str], repository: ContextRepository | None) -> None:
        if repository is None:
            return
        now = utc_now()
        for url in urls:
            stored = await self._stored(url, repository)
            if stored is not None:
                await repository.record_hit(stored.id, now)

    async def _fetch_once(self, url: str) -> Any:
        """Fetch ``url`` once even when many requests need it at the same moment."""
        pending = self._inflight.get(url)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._inflight[url] = future
        try:
            body = await self.fetch(url)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-raise it, no "never retrieved" warning
            raise
        else:
            future.set_result(body)
            self._documents[url] = body
            return body
        finally:
            del self._inflight[url]

    async def fetch(self, url: str) -> Any:
        """Download a context document and return its ``@context`` member, bounded in time
        and size; any failure is ``LdContextNotAvailable``."""
        if not url.startswith(("http://", "https://")):
            raise NgsiError("LdContextNotAvailable", f"@context {url} is not an http(s) URL")
        try:
            raw = await asyncio.wait_for(self._download(url), self.timeout)
        except TimeoutError:
            raise NgsiError(
                "LdContextNotAvailable",
                f"@context {url} did not arrive within {self.timeout:g} s",
            ) from None
        except NgsiError:
            raise
        except Exception as exc:  # any transport, TLS or URL failure means "not available"
            raise NgsiError(
                "LdContextNotAvailable",
                f"@context {url} could not be retrieved: {exc or type(exc).__name__}",
            ) from None
        try:
            document = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise NgsiError("LdContextNotAvailable", f"@context {url} is not JSON") from None
        if not isinstance(document, dict) or "@context" not in document:
            raise NgsiError(
                "LdContextNotAvailable", f"@context {url} is not a JSON-LD document with @context"
            )
        return document["@context"]

    async def _download(self, url: str) -> bytes:
        client = self._http()
        headers = {"Accept": f"{JSON_LD}, {JSON};q=0.9"}
        async with client.stream("GET", url, headers=headers) as response:
            if response.status_code != 200:
                raise NgsiError(
                    "LdContextNotAvailable",
                    f"@context {url} could not be retrieved: HTTP {response.status_code}",
                )
            declared = response.headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
                raise self._too_large(url)
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise self._too_large(url)
                chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self, url: str) -> NgsiError:
        return NgsiError(
            "LdContextNotAvailable", f"@context {url} is larger than {self.max_bytes} bytes"
        )

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                transport=self._transport,
                timeout=httpx.Timeout(self.timeout),
                follow_redirects=True,
                max_redirects=3,
            )
        return self._client

    # ------------------------------------------------------------------ management
    def forget(self, url: str | None = None) -> None:
        """Drop a cached document (all of them without ``url``) and the active contexts
        built from it, so the next request loads it again."""
        if url is None:
            self._documents.clear()
        else:
            self._documents.pop(url, None)
        self._active.clear()

    async def aclose(self) -> None:
        """Close the HTTP client (at broker shutdown)."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None
