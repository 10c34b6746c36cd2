"""A lean HTTP/1.1 client for notification POSTs, on asyncio streams.

A notification is one small POST whose answer only matters by its status; a general client
(httpx) spends most of its time per request in layers this does not need. This one keeps
idle connections per origin (scheme, host, port) and reuses them (keep-alive); each request
has one deadline for connecting, sending and reading the answer. The response body is read
(``Content-Length``, ``chunked`` or up to the close) and dropped. ``https`` uses the default
SSL context (certificates verified). Header names or values with a line break are refused.

A request on a reused connection that the server had closed meanwhile (it sees the end of
the stream before any byte of an answer) is sent once more on a new connection; every other
failure raises :class:`HttpError` — at-least-once delivery tolerates the rare duplicate.
"""

from __future__ import annotations

import asyncio
import base64
import ssl
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

#: request headers the client sets itself (framing and connection handling)
OWN_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})
MAX_HEAD = 64 * 1024  # status line and headers of an answer
MAX_BODY = 1024 * 1024  # an answer's body beyond this is not read: the connection is closed


class HttpError(Exception):
    """The request did not get an answer (connection refused or lost, timeout, bad answer)."""


class _Closed(Exception):
    """A reused connection was closed by the server before any byte of the answer."""


_Origin = tuple[str, str, int]
_Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class HttpClient:
    """POSTs with keep-alive connections per origin; :meth:`aclose` closes the idle ones."""

    def __init__(
        self,
        timeout: float = 5.0,
        idle_per_origin: int = 16,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        """``ssl_context``: for ``https`` (default: the system's, created when first needed)."""
        self.timeout = timeout
        self.idle_per_origin = idle_per_origin
        self._idle: dict[_Origin, list[_Conn]] = {}
        self._ssl = ssl_context
        self.opened = 0  # connections opened, for tests and metrics

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """Send ``body``; the answer's status code. Raises :class:`HttpError`."""
        origin, head = self._request_head(url, len(body), headers)
        try:
            async with asyncio.timeout(self.timeout):
                conn = self._take(origin)
                if conn is not None:
                    try:
                        return await self._exchange(origin, conn, head, body)
                    except _Closed:
                        pass  # the server closed the idle connection: once more, anew
                conn = await self._open(origin)
                try:
                    return await self._exchange(origin, conn, head, body)
                except _Closed:
                    raise HttpError("the server closed the connection without an answer") from None
        except TimeoutError:
            raise HttpError(f"no answer within {self.timeout:g} s") from None
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
            raise HttpError(f"{type(exc).__name__}: {exc}") from None

    async def aclose(self) -> None:
        idle, self._idle = self._idle, {}
        for conns in idle.values():
            for _, writer in conns:
                writer.close()

    # -- internals -------------------------------------------------------------------------
    def _request_head(
        self, url: str, length: int, headers: Mapping[str, str]
    ) -> tuple[_Origin, bytes]:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise HttpError(f"unsupported scheme {parts.scheme!r}")
        host = parts.hostname
        if not host:
            raise HttpError(f"no host in {url!r}")
        try:
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError as exc:
            raise HttpError(f"bad port in {url!r}: {exc}") from None
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in target + host):
            raise HttpError(f"control characters or spaces in {url!r}")  # would split the head
        name = f"[{host}]" if ":" in host else host
        if parts.port is not None and parts.port != (443 if scheme == "https" else 80):
            name = f"{name}:{port}"
        lines = [f"POST {target} HTTP/1.1", f"Host: {name}", f"Content-Length: {length}"]
        if parts.username is not None:
            user = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            lines.append(f"Authorization: Basic {base64.b64encode(user.encode()).decode()}")
        for key, value in headers.items():
            if key.lower() in OWN_HEADERS:
                continue
            if any(c in key or c in value for c in "\r\n\0") or ":" in key or not key.strip():
                raise HttpError(f"invalid header {key!r}")
            lines.append(f"{key}: {value}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")
        return (scheme, host, port), head

    def _take(self, origin: _Origin) -> _Conn | None:
        conns = self._idle.get(origin)
        while conns:
            conn = conns.pop()
            if not conn[1].is_closing() and not conn[0].at_eof():
                return conn
            conn[1].close()
        return None

    def _give_back(self, origin: _Origin, conn: _Conn) -> None:
        conns = self._idle.setdefault(origin, [])
        if len(conns) < self.idle_per_origin:
            conns.append(conn)
        else:
            conn[1].close()

    async def _open(self, origin: _Origin) -> _Conn:
        scheme, host, port = origin
        context = None
        if scheme == "https":
            if self._ssl is None:
                self._ssl = ssl.create_default_context()
            context = self._ssl
        reader, writer = await asyncio.open_connection(
            host, port, ssl=context, server_hostname=host if context else None, limit=MAX_HEAD
        )
        self.opened += 1
        return reader, writer

    async def _exchange(self, origin: _Origin, conn: _Conn, head: bytes, body: bytes) -> int:
        reader, writer = conn
        keep = False
        try:
            writer.write(head + body)  # one send: no small-segment delay between the two
            await writer.drain()
            status, keep = await self._answer(reader)
            return status
        except (ConnectionResetError, BrokenPipeError) as exc:
            raise _Closed() from exc
        finally:
            if keep:
                self._give_back(origin, conn)
            else:
                writer.close()

    @staticmethod
    async def _answer(reader: asyncio.StreamReader) -> tuple[int, bool]:
        """Read one answer (skipping 1xx); its status and whether the connection stays."""
        while True:
            try:
                block = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError as exc:
                if not exc.partial:
                    raise _Closed() from None
                raise
            lines = block.decode("latin-1").split("\r\n")
            status_line = lines[0].split(" ", 2)
            if len(status_line) < 2 or not status_line[0].startswith("HTTP/"):
                raise HttpError(f"not an HTTP answer: {lines[0][:80]!r}")
            try:
                status = int(status_line[1])
            except ValueError:
                raise HttpError(f"bad status line {lines[0][:80]!r}") from None
            fields: dict[str, str] = {}
            for line in lines[1:]:
                if not line:
                    continue
                key, sep, value = line.partition(":")
                if not sep:
                    raise HttpError(f"bad header line {line[:80]!r}")
                name = key.strip().lower()
                value = value.strip()
                fields[name] = f"{fields[name]}, {value}" if name in fields else value
            if 100 <= status < 200:
                continue  # 100 Continue, 103 Early Hints: the real answer follows
            break
        tokens = {t.strip().lower() for t in fields.get("connection", "").split(",")}
        keep = "close" not in tokens if status_line[0] != "HTTP/1.0" else "keep-alive" in tokens
        if status in (204, 304):
            return status, keep
        if "chunked" in fields.get("transfer-encoding", "").lower():
            return status, keep and await _drop_chunked(reader)
        if "content-length" in fields:
            try:
                length = int(fields["content-length"].split(",")[0])
            except ValueError:
                raise HttpError("bad Content-Length") from None
            if length > MAX_BODY:
                return status, False
            await reader.readexactly(length)
            return status, keep
        # no framing: the body ends with the connection
        await reader.read(MAX_BODY)
        return status, False


async def _drop_chunked(reader: asyncio.StreamReader) -> bool:
    """Read a chunked body; False when it is too long to read (the connection is closed)."""
    total = 0
    while True:
        line = await reader.readuntil(b"\r\n")
        try:
            size = int(line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise HttpError("bad chunk size") from None
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass  # trailers
            return True
        total += size
        if total > MAX_BODY:
            return False
        await reader.readexactly(size + 2)
