"""A small HTTP/1.1 keep-alive load generator for the broker benches (used where wrk is absent).

    from loadgen import load
    result = load("127.0.0.1", port, make_request, connections=32, seconds=5)

``make_request(random.Random) -> bytes`` returns one whole request (the generator adds nothing).
Each connection sends one request, reads the whole response, and sends the next, like wrk
without pipelining. The result has requests/s, latency percentiles (ms) and the count of
responses that were not 2xx/3xx, with the first such response kept for the error message.

It runs on one asyncio loop (uvloop when installed) in the calling process, so it needs a
core of its own to keep up: a run on a loaded 2-core machine under-reports more than wrk would.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

MakeRequest = Callable[[random.Random], bytes]


@dataclass
class LoadResult:
    requests: int
    seconds: float
    latencies_ms: list[float] = field(repr=False)
    failures: int = 0
    first_failure: bytes = b""

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def request_bytes(method: str, path: str, body: bytes = b"", content_type: str = "") -> bytes:
    """One HTTP/1.1 keep-alive request."""
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    if content_type:
        head += f"Content-Type: {content_type}\r\n"
    if body or method in ("POST", "PATCH", "PUT"):
        head += f"Content-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    chunked = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            body += await reader.readexactly(size + 2)
            if size == 0:
                return status, head + body
    body = await reader.readexactly(length) if length else b""
    return status, head + body


async def _connection(
    host: str, port: int, make: MakeRequest, seed: int, until: float, result: LoadResult
) -> None:
    rng = random.Random(seed)
    reader, writer = await asyncio.open_connection(host, port)
    clock = time.perf_counter
    try:
        while clock() < until:
            request = make(rng)
            start = clock()
            writer.write(request)
            status, response = await _read_response(reader)
            result.latencies_ms.append((clock() - start) * 1000)
            result.requests += 1
            if status >= 400:
                result.failures += 1
                if not result.first_failure:
                    result.first_failure = response[:2000]
    finally:
        writer.close()


async def _load(
    host: str, port: int, make: MakeRequest, connections: int, seconds: float
) -> LoadResult:
    result = LoadResult(0, 0.0, [])
    start = time.perf_counter()
    until = start + seconds
    await asyncio.gather(
        *(_connection(host, port, make, n, until, result) for n in range(connections))
    )
    result.seconds = time.perf_counter() - start
    return result


def load(
    host: str, port: int, make: MakeRequest, *, connections: int = 32, seconds: float = 5
) -> LoadResult:
    """Run ``connections`` keep-alive connections for ``seconds``; raise on failed responses."""
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:  # pragma: no cover - uvloop is installed with uvicorn[standard]
        runner = asyncio.run
    result = runner(_load(host, port, make, connections, seconds))
    if result.failures:
        raise SystemExit(
            f"{result.failures} of {result.requests} responses failed, the first:\n"
            + result.first_failure.decode(errors="replace")
        )
    return result
