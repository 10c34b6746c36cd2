"""The notification HTTP client against real local servers: keep-alive reuse, answers framed by
Content-Length, chunked or the close, 1xx, non-2xx statuses, closed idle connections,
timeouts, refused connections and bad headers."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from dos.broker.subscriptions.httpclient import HttpClient, HttpError
from tests.broker.subscriptions.receiver import Receiver, free_port
from tests.tls import self_signed

ANSWERS = {
    "/length": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    "/chunked": (
        b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"4\r\nabcd\r\n3;ext=1\r\nefg\r\n0\r\nX-Trailer: t\r\n\r\n"
    ),
    "/status500": b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 3\r\n\r\nbad",
    "/continue": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
    "/close": b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end",
    "/http10": b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
    "/bye": b"HTTP/1.1 204 No Content\r\n\r\n",  # then the server closes the connection
}


class Server:
    """An HTTP/1.1 server on asyncio streams that answers by path and records the requests."""

    def __init__(self, context: ssl.SSLContext | None = None) -> None:
        self.context = context
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.connections = 0
        self.drops = 0  # requests to /drop answered by closing the connection
        self.server: asyncio.Server | None = None

    async def start(self) -> Server:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.context)
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        scheme = "https" if self.context else "http"
        return f"{scheme}://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError:
                    return
                lines = head.decode().split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (line.partition(":") for line in lines[1:] if line)
                }
                body = await reader.readexactly(int(headers["content-length"]))
                self.requests.append((path, headers, body))
                if path == "/drop" and self.drops:
                    self.drops -= 1
                    return
                if path == "/slow":
                    await asyncio.sleep(2)
                writer.write(ANSWERS.get(path.split("?")[0], ANSWERS["/length"]))
                await writer.drain()
                if path in ("/close", "/http10", "/bye"):
                    return
        finally:
            writer.close()

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    running = await Server().start()
    yield running
    await running.stop()


async def test_keep_alive_reuses_one_connection_for_every_framing(server: Server) -> None:
    client = HttpClient(timeout=2)
    try:
        statuses = [
            await client.post(f"{server.url}{path}", b'{"n": %d}' % n, {"X-Key": "v"})
            for n, path in enumerate(["/length", "/chunked", "/status500", "/continue", "/length"])
        ]
        assert statuses == [200, 201, 500, 204, 200]
        assert client.opened == 1 and server.connections == 1
        assert [body for _, _, body in server.requests] == [b'{"n": %d}' % n for n in range(5)]
        path, headers, _ = server.requests[0]
        assert path == "/length" and headers["x-key"] == "v"
        assert headers["host"] == server.url.removeprefix("http://")
        assert headers["content-length"] == "8"
    finally:
        await client.aclose()


async def test_answers_that_end_the_connection_are_not_reused(server: Server) -> None:
    client = HttpClient(timeout=2)
    try:
        assert await client.post(f"{server.url}/close", b"a", {}) == 200
        assert await client.post(f"{server.url}/http10", b"b", {}) == 200
        assert await client.post(f"{server.url}/length?x=1", b"c", {}) == 200
        assert client.opened == 3
        assert [p for p, _, _ in server.requests] == ["/close", "/http10", "/length?x=1"]
    finally:
        await client.aclose()


async def test_an_idle_connection_the_server_closed_is_replaced(server: Server) -> None:
    client = HttpClient(timeout=2)
    try:
        assert await client.post(f"{server.url}/bye", b"1", {}) == 204
        await asyncio.sleep(0.05)  # the server has closed the kept connection
        assert await client.post(f"{server.url}/length", b"2", {}) == 200
        assert [body for _, _, body in server.requests] == [b"1", b"2"]  # each once
        assert client.opened == 2
    finally:
        await client.aclose()


async def test_a_reused_connection_closed_without_an_answer_is_retried_once(
    server: Server,
) -> None:
    client = HttpClient(timeout=2)
    try:
        assert await client.post(f"{server.url}/length", b"1", {}) == 200
        server.drops = 1  # the kept connection is closed instead of answered: sent again
        assert await client.post(f"{server.url}/drop", b"2", {}) == 200
        assert [body for _, _, body in server.requests] == [b"1", b"2", b"2"]
        assert client.opened == 2
        server.drops = 2  # on a fresh connection too: an error, no endless retries
        await client.aclose()
        with pytest.raises(HttpError, match="without an answer"):
            await client.post(f"{server.url}/drop", b"3", {})
    finally:
        await client.aclose()


async def test_concurrent_posts_use_separate_connections(server: Server) -> None:
    client = HttpClient(timeout=2)
    try:
        bodies = [b"%d" % n for n in range(8)]
        results = await asyncio.gather(*(client.post(server.url, b, {}) for b in bodies))
        assert results == [200] * 8
        assert sorted(body for _, _, body in server.requests) == sorted(bodies)
        opened = client.opened
        await client.post(server.url, b"again", {})
        assert client.opened == opened  # an idle one was reused
    finally:
        await client.aclose()


async def test_timeout_refused_and_bad_input_raise_http_errors(server: Server) -> None:
    client = HttpClient(timeout=0.3)
    try:
        with pytest.raises(HttpError, match="no answer within"):
            await client.post(f"{server.url}/slow", b"x", {})
        with pytest.raises(HttpError):
            await client.post(f"http://127.0.0.1:{free_port()}/", b"x", {})
        with pytest.raises(HttpError, match="invalid header"):
            await client.post(server.url, b"x", {"X-Bad": "a\r\nInjected: 1"})
        with pytest.raises(HttpError, match="unsupported scheme"):
            await client.post("ftp://127.0.0.1/", b"x", {})
        with pytest.raises(HttpError, match="control characters or spaces"):
            await client.post(f"{server.url}/a b\r\nInjected: 1", b"x", {})
        assert await client.post(f"{server.url}/length", b"after", {}) == 200
    finally:
        await client.aclose()


async def test_http10_threading_receiver_gets_the_notification() -> None:
    receiver = Receiver().start()
    client = HttpClient(timeout=2)
    try:
        body: dict[str, Any] = {"type": "Notification", "data": [{"id": "urn:x"}]}
        status = await client.post(
            receiver.url, orjson.dumps(body), {"Content-Type": "application/json", "A": "b"}
        )
        assert status == 204
        assert receiver.received == [body] and receiver.headers[0]["A"] == "b"
        receiver.status = 503
        assert await client.post(receiver.url, b"{}", {}) == 503
    finally:
        await client.aclose()
        receiver.stop()


async def test_https_verifies_the_certificate_and_keeps_the_connection(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(cert, key)
    server = await Server(served).start()
    trusting = ssl.create_default_context(cafile=str(cert))
    client = HttpClient(timeout=2, ssl_context=trusting)
    stranger = HttpClient(timeout=2)  # the system's authorities do not know the certificate
    try:
        assert await client.post(f"{server.url}/length", b"secret 1", {}) == 200
        assert await client.post(f"{server.url}/chunked", b"secret 2", {}) == 201
        assert client.opened == 1
        assert [body for _, _, body in server.requests] == [b"secret 1", b"secret 2"]
        with pytest.raises(HttpError, match=r"CERTIFICATE_VERIFY_FAILED|certificate verify"):
            await stranger.post(f"{server.url}/length", b"x", {})
    finally:
        await client.aclose()
        await stranger.aclose()
        await server.stop()
