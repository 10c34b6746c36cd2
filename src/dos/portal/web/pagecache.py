"""The page cache: whole public pages kept per process and served to anonymous visitors
without entering Django.

A view opts in with :func:`public_page`; :class:`PageCache` is a small ASGI layer in front of
the portal (see :mod:`dos.asgi`) that keeps such a page's response and answers the next equal
request from memory (a kept page costs well under a millisecond instead of a pass through
Django's whole stack).

Key: method (GET or HEAD), scheme, host, path with query string, the language Django would
choose for the request (language cookie, then ``Accept-Language``; the portal has no language
prefix in its paths, the city is in the path) and the content generation tokens of all apps
(:mod:`dos.portal.web.generations`), so any write to the data of a portal app makes the next
request fresh. Each process reads the tokens (one small query) before its first kept page
and after each write it commits itself, and otherwise once a second in the background while
requests go on: a write made in this process is seen at the next request, one made in
another process within about a second.
Pages also expire after ``DOS_PAGE_CACHE_SECONDS``, which bounds what changes with the clock
alone (a post published at a set time, upcoming events, "today" on a project page).

Only what is the same for every anonymous visitor is kept: a request is answered from or
kept in the cache only without an ``Authorization`` header and without cookies other than the
language and CSRF cookies (a session or a message cookie sends it through Django); a response
only when the view opted in, with status 200, an HTML body, no ``Set-Cookie`` (so no page that
embeds a CSRF token: Django sets the CSRF cookie whenever a page asks for a token), no CSRF
form field and no ``Cache-Control: private / no-cache / no-store``. The pages kept are bounded
by ``DOS_PAGE_CACHE_MB`` per process, least recently used first out.

Responses served from the cache carry ``X-Cache: hit``; those just kept carry ``X-Cache:
miss``. The opt-in header :data:`MARKER` is removed from every response.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse
from django.http.cookie import parse_cookie
from django.utils.translation import trans_real

from dos.observability import ASGIApp, Message, Receive, Scope, Send
from dos.portal.web import generations

log = logging.getLogger(__name__)

#: Header a view sets to allow its response to be kept (never sent to the client).
MARKER = "X-Dos-Page-Cache"
_MARKER = MARKER.lower().encode()
#: Longest a process uses the generation tokens it read before reading them again.
REFRESH_SECONDS = 1.0
#: A single page larger than this share of the cache is not kept.
_LARGEST_SHARE = 8
_BYPASS_NO_STORE = (b"private", b"no-cache", b"no-store")


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Allow the page cache to keep this view's responses for anonymous visitors.

    Only for views whose page is the same for every anonymous visitor and made of portal data
    (every app's writes change a generation token) plus the clock."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response.headers[MARKER] = "public"
        return response

    return wrapped


@dataclass(frozen=True)
class _Entry:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    route: str | None  # the URL route, for the per-route metrics (dos.observability)
    expires: float

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 200


class _Language:
    """The parts of a request Django's language choice reads (cookie and Accept-Language)."""

    def __init__(self, cookies: dict[str, str], accept: str) -> None:
        self.COOKIES = cookies
        self.META = {"HTTP_ACCEPT_LANGUAGE": accept}


def _read_tokens() -> str:
    from django.db import connections

    from dos.portal.web import generations

    try:
        return generations.snapshot()
    finally:
        connections.close_all()  # this thread's connections; the executor thread is any


class PageCache:
    """ASGI layer in front of the portal keeping public pages for anonymous visitors."""

    def __init__(
        self, app: ASGIApp, *, seconds: int, max_bytes: int, refresh: float = REFRESH_SECONDS
    ) -> None:
        from django.conf import settings

        self.app = app
        self.seconds = max(0, seconds)
        self.max_bytes = max(0, max_bytes)
        self.refresh = refresh
        self.entries: OrderedDict[tuple[Any, ...], _Entry] = OrderedDict()
        self.size = 0
        self._allowed_cookies = {settings.LANGUAGE_COOKIE_NAME, settings.CSRF_COOKIE_NAME}
        self._tokens: str | None = None
        self._read_at = float("-inf")
        self._seen_writes = -1
        self._reading: asyncio.Task[str | None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        key = self._key(scope) if self.seconds and self.max_bytes else None
        tokens = await self._generations() if key is not None else None
        if key is None or tokens is None:
            await self.app(scope, receive, _without_marker(send))
            return
        key = (*key, tokens)
        entry = self.entries.get(key)
        if entry is not None:
            if entry.expires > time.monotonic():
                self.entries.move_to_end(key)
                if entry.route is not None:
                    scope["dos.route"] = entry.route
                await send({"type": "http.response.start", "status": 200, "headers": entry.headers})
                await send({"type": "http.response.body", "body": entry.body})
                return
            self._drop(key)
        await self.app(scope, receive, self._keeping(scope, key, tokens, send))

    def _key(self, scope: Scope) -> tuple[Any, ...] | None:
        """The request's key without the tokens; None when it must go through Django."""
        method = scope["method"]
        if method not in ("GET", "HEAD"):
            return None
        host = accept = b""
        cookies: dict[str, str] = {}
        for name, value in scope["headers"]:
            if name == b"authorization":
                return None
            if name == b"cookie":
                cookies.update(parse_cookie(value.decode("latin-1")))
            elif name == b"host":
                host = value
            elif name == b"accept-language":
                accept = value
        if any(name not in self._allowed_cookies for name in cookies):
            return None
        language = trans_real.get_language_from_request(
            _Language(cookies, accept.decode("latin-1"))
        )
        path = scope.get("root_path", "") + scope["path"]
        return (method, scope.get("scheme", "http"), host, path, scope["query_string"], language)

    async def _generations(self) -> str | None:
        """All apps' generation tokens; None when the database cannot be read (then nothing
        is cached). After a write in this process they are read before the request goes on;
        after :attr:`refresh` seconds they are read again in the background while requests
        go on with the tokens read before (so a write in another process shows within about
        :attr:`refresh` seconds and the time of one query)."""
        writes = generations.local_writes()
        if self._tokens is not None and writes == self._seen_writes:
            if time.monotonic() - self._read_at >= self.refresh and self._reading is None:
                self._start_read(writes)
            return self._tokens
        if self._reading is not None:  # one read at a time; it may have started too early
            await asyncio.shield(self._reading)
            if self._tokens is not None and writes == self._seen_writes:
                return self._tokens
        return await asyncio.shield(self._start_read(writes))

    def _start_read(self, writes: int) -> asyncio.Task[str | None]:
        task = asyncio.ensure_future(self._query(writes))
        self._reading = task

        def done(_: object) -> None:
            if self._reading is task:
                self._reading = None

        task.add_done_callback(done)
        return task

    async def _query(self, writes: int) -> str | None:
        try:
            tokens: str | None = await sync_to_async(_read_tokens, thread_sensitive=False)()
        except Exception as exc:  # the database is away: serve through Django meanwhile
            log.warning("page cache: generations not readable (%s)", type(exc).__name__)
            tokens = None
        if tokens != self._tokens:
            self.entries.clear()  # every kept page was made under other tokens
            self.size = 0
        self._tokens, self._read_at, self._seen_writes = tokens, time.monotonic(), writes
        return tokens

    def _keeping(self, scope: Scope, key: tuple[Any, ...], tokens: str, send: Send) -> Send:
        """``send`` that passes the response on and keeps it when it may be kept."""
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []
        keep = False
        limit = self.max_bytes // _LARGEST_SHARE

        async def keeping_send(message: Message) -> None:
            nonlocal headers, keep
            if message["type"] == "http.response.start":
                # Django sends header names as written ("Set-Cookie"), not lower-cased.
                headers = [(k.lower(), v) for k, v in message.get("headers", [])]
                keep = message["status"] == 200 and _may_keep(headers)
                headers = [(k, v) for k, v in headers if k != _MARKER]
                if keep:
                    headers.append((b"x-cache", b"miss"))
                await send({**message, "headers": list(headers)})
                return
            if keep and message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if sum(map(len, chunks)) > limit:
                    keep = False
                    chunks.clear()
                elif not message.get("more_body", False):
                    route = scope.get("dos.route")
                    self._store(key, tokens, headers, b"".join(chunks), route)
            await send(message)

        return keeping_send

    def _store(
        self,
        key: tuple[Any, ...],
        tokens: str,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        route: str | None,
    ) -> None:
        if b"csrfmiddlewaretoken" in body or tokens != self._tokens:
            return  # a CSRF form field, or made under tokens that are no longer current
        headers = [(k, b"hit" if k == b"x-cache" else v) for k, v in headers]
        entry = _Entry(200, headers, body, route, time.monotonic() + self.seconds)
        self._drop(key)
        self.entries[key] = entry
        self.size += entry.size
        while self.size > self.max_bytes and self.entries:
            self._drop(next(iter(self.entries)))

    def _drop(self, key: tuple[Any, ...]) -> None:
        entry = self.entries.pop(key, None)
        if entry is not None:
            self.size -= entry.size


def _may_keep(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether a 200 response (header names lower-cased) may be kept."""
    marked = html = False
    for name, value in headers:
        if name == _MARKER:
            marked = True
        elif name == b"set-cookie":
            return False
        elif name == b"content-type":
            html = value.startswith(b"text/html")
        elif name == b"cache-control" and any(word in value for word in _BYPASS_NO_STORE):
            return False
    return marked and html


def _without_marker(send: Send) -> Send:
    async def stripping_send(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = message.get("headers", [])
            if any(k.lower() == _MARKER for k, _ in headers):
                kept = [(k, v) for k, v in headers if k.lower() != _MARKER]
                message = {**message, "headers": kept}
        await send(message)

    return stripping_send
