"""Notifications to a local HTTP receiver against their raw ceiling, measured in the same run.

    .venv/bin/python bench/bench_notifications.py [--changes 4000] [--subscriptions 4]
        [--rate 500] [--seconds 5] [--port 18810]

The receiver is a bare ASGI app under uvicorn in its own process: it notes the arrival time
of every entity in the ``data`` of a POST by its ``seq`` value, and counts the POSTs. The
broker side runs in this process like ``dos serve`` (SQLite store in a temporary directory,
the :class:`Dispatcher`); every change updates ``seq`` of one of ``--subscriptions`` entity
groups, each with its own subscription (endpoint ``/r<k>``), so each change gives one entity
notification. The dispatcher sends pending entity notifications of a subscription together
(distinct entities, up to ``Settings.coalesce`` per POST): what is counted as delivered is
the entity notifications received, not the POSTs (their number is printed too).

1. Raw ceilings, each one sequential stream per subscription (the dispatcher's order per
   subscription), to the same receiver: a bare httpx client and the dispatcher's own lean
   client (``dos.broker.subscriptions.httpclient``) with one entity per POST, and the lean
   client with ``min(--entities, coalesce)`` entities per POST (entities/s).
2. Throughput: ``--changes`` changes are committed while the dispatcher is stopped, then it
   is started; entity notifications/s until the receiver has them all.
3. Latency: changes at ``--rate`` per second for ``--seconds``, each its own commit; the time
   from the commit (the write returned) to the receipt, p50 / p99. Printed with it: how long
   the changes' own writes waited for their commit — when that grows, the store's single
   writer is saturated by the changes, and the dispatcher's claims wait in the same queue.

Issue targets: ≥ 2,000 notifications/s; at 500 changes/s p99 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from dos.broker.entities import operations as ops  # noqa: E402
from dos.broker.jsonld import core_active_context, expand_entity  # noqa: E402
from dos.broker.jsonld.resolver import ContextResolver  # noqa: E402
from dos.broker.store import Store  # noqa: E402
from dos.broker.store.sqlite import SqliteStore  # noqa: E402
from dos.broker.subscriptions import registry  # noqa: E402
from dos.broker.subscriptions.dispatcher import Dispatcher, Settings  # noqa: E402
from dos.broker.subscriptions.httpclient import HttpClient  # noqa: E402
from dos.broker.subscriptions.model import parse_subscription  # noqa: E402

RECEIVER = """
import time, orjson
got = {}
posts = [0]

async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if scope["method"] == "GET":
        if scope["path"] == "/reset":
            got.clear()
            posts[0] = 0
        payload = orjson.dumps({"posts": posts[0], "got": got})
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": payload})
        return
    moment = time.time()
    posts[0] += 1
    for entity in orjson.loads(body)["data"]:
        got[str(entity["seq"]["value"])] = moment
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})
"""
TYPE = "https://uri.etsi.org/ngsi-ld/default-context/BenchThing"
SEQ = "https://uri.etsi.org/ngsi-ld/default-context/seq"


def entity_id(group: int, n: int) -> str:
    return f"urn:ngsi-ld:BenchThing:g{group}:e{n}"


def start_receiver(port: int, workdir: Path) -> subprocess.Popen[bytes]:
    (workdir / "bench_receiver.py").write_text(RECEIVER)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench_receiver:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=workdir,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/reset", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the receiver did not start")


def received(port: int, reset: bool = False) -> dict[str, float]:
    """Arrival time by ``seq`` of every entity the receiver got."""
    return stats(port, reset)["got"]  # type: ignore[no-any-return]


def stats(port: int, reset: bool = False) -> dict[str, Any]:
    path = "/reset" if reset else "/stats"
    result: dict[str, Any] = httpx.get(f"http://127.0.0.1:{port}{path}", timeout=30).json()
    return result


def wait_received(port: int, total: int, timeout: float = 120) -> dict[str, float]:
    deadline = time.monotonic() + timeout
    while True:
        got = received(port)
        if len(got) >= total or time.monotonic() > deadline:
            return got
        time.sleep(0.05)


def setup(store: Store, port: int, groups: int, per_group: int) -> None:
    ctx = core_active_context()

    def write(session: Any) -> None:
        for k in range(groups):
            body = {
                "id": f"urn:ngsi-ld:Subscription:bench-{k}",
                "type": "Subscription",
                "entities": [{"type": "BenchThing", "idPattern": f"^urn:ngsi-ld:BenchThing:g{k}:"}],
                "watchedAttributes": ["seq"],
                "notification": {"endpoint": {"uri": f"http://127.0.0.1:{port}/r{k}"}},
            }
            registry.subscription_insert(
                session, "", parse_subscription(body, ctx, moment=ops.now())
            )
            for n in range(per_group):
                doc = {
                    "id": entity_id(k, n),
                    "type": "BenchThing",
                    "seq": {"type": "Property", "value": -1},
                    "name": {"type": "Property", "value": f"thing {k}/{n} of the benchmark"},
                }
                ops.create(session, "", expand_entity(doc, ctx))

    store.write(write)
    store.write(lambda s: s.x("DELETE FROM outbox"))


def change(session: Any, group: int, n: int, seq: int) -> None:
    attrs = {SEQ: [{"type": "Property", "value": seq}]}
    ops.append_attrs(session, "", entity_id(group, n), attrs, no_overwrite=False)


def notification(seqs: list[int]) -> dict[str, Any]:
    """A Notification like the dispatcher's, one entity per ``seq``."""
    return {
        "id": "urn:ngsi-ld:Notification:x",
        "type": "Notification",
        "subscriptionId": "urn:ngsi-ld:Subscription:bench-0",
        "notifiedAt": ops.now(),
        "data": [
            {
                "id": entity_id(0, n),
                "type": "BenchThing",
                "seq": {"type": "Property", "value": seq},
                "name": {"type": "Property", "value": f"thing 0/{n} of the benchmark"},
            }
            for n, seq in enumerate(seqs)
        ],
    }


HEADERS = {"Content-Type": "application/json", "Link": "<https://x>; rel=context"}


async def ceiling_httpx(port: int, groups: int, total: int) -> float:
    """Entities/s a bare httpx client posts, one entity per POST, one sequential stream per
    subscription (the dispatcher's order per subscription)."""
    received(port, reset=True)

    async def stream(client: httpx.AsyncClient, k: int) -> None:
        for seq in range(k, total, groups):
            response = await client.post(
                f"http://127.0.0.1:{port}/r{k}",
                content=orjson.dumps(notification([seq])),
                headers=HEADERS,
            )
            response.raise_for_status()

    async with httpx.AsyncClient() as client:
        began = time.time()
        await asyncio.gather(*(stream(client, k) for k in range(groups)))
        ended = time.time()
    return total / (ended - began)


async def ceiling_lean(port: int, groups: int, total: int, per_post: int) -> float:
    """Entities/s the dispatcher's own HTTP client posts bare, ``per_post`` entities per POST,
    one sequential stream per subscription."""
    received(port, reset=True)
    client = HttpClient(timeout=30)

    async def stream(k: int) -> None:
        mine = list(range(k, total, groups))
        for start in range(0, len(mine), per_post):
            body = orjson.dumps(notification(mine[start : start + per_post]))
            status = await client.post(f"http://127.0.0.1:{port}/r{k}", body, HEADERS)
            assert status < 300, status

    try:
        began = time.time()
        await asyncio.gather(*(stream(k) for k in range(groups)))
        ended = time.time()
    finally:
        await client.aclose()
    return total / (ended - began)


async def throughput(
    store: Store, port: int, groups: int, per_group: int, total: int
) -> tuple[float, int]:
    """Entity notifications/s the dispatcher delivers from a backlog of ``total`` changes;
    and the number of POSTs they came in."""
    received(port, reset=True)

    def write(session: Any) -> None:
        for seq in range(total):
            change(session, seq % groups, (seq // groups) % per_group, seq)

    store.write(write)
    dispatcher = Dispatcher(store, ContextResolver())
    began = time.time()
    task = asyncio.create_task(dispatcher.run())
    got = await asyncio.to_thread(wait_received, port, total)
    await dispatcher.stop()
    await task
    if len(got) < total:
        print(f"throughput: only {len(got)} of {total} notifications arrived")
    return len(got) / (max(got.values()) - began), int(stats(port)["posts"])


def percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def latency(
    store: Store, port: int, groups: int, per_group: int, rate: float, seconds: float
) -> tuple[tuple[float, float], tuple[float, float], int]:
    """p50 and p99 (ms) from commit to receipt at ``rate`` changes/s; p50 and p99 of the
    changes' own writes (queued → committed: the store's queue, which the dispatcher's claims
    share); and the count."""
    received(port, reset=True)
    dispatcher = Dispatcher(store, ContextResolver())
    task = asyncio.create_task(dispatcher.run())
    committed: dict[str, float] = {}
    writes: list[float] = []
    total = int(rate * seconds)
    began = time.monotonic()

    async def one(seq: int) -> None:
        queued = time.time()
        await store.awrite(
            lambda s: change(s, seq % groups, (seq // groups) % per_group, 1_000_000 + seq)
        )
        committed[str(1_000_000 + seq)] = time.time()
        writes.append((committed[str(1_000_000 + seq)] - queued) * 1000)

    pending = []
    for seq in range(total):
        delay = began + seq / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        pending.append(asyncio.create_task(one(seq)))
    await asyncio.gather(*pending)
    got = await asyncio.to_thread(wait_received, port, total, 60)
    await dispatcher.stop()
    await task
    delays = [(got[k] - committed[k]) * 1000 for k in committed if k in got]
    if not delays:
        raise SystemExit("no notification arrived")
    return percentiles(delays), percentiles(writes), len(got)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=4000)
    parser.add_argument("--subscriptions", type=int, default=4)
    parser.add_argument("--entities", type=int, default=50, help="per subscription")
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--port", type=int, default=18810)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-notify-"))
    receiver = start_receiver(args.port, workdir)
    store = SqliteStore(workdir / "broker.sqlite3")
    try:
        store.migrate()
        setup(store, args.port, args.subscriptions, args.entities)
        n, changes = args.subscriptions, args.changes
        httpx_raw = await ceiling_httpx(args.port, n, changes)
        print(f"ceiling: bare httpx POSTs, 1 entity each ({n} streams)      {httpx_raw:8.0f} /s")
        lean_one = await ceiling_lean(args.port, n, changes, 1)
        print(f"ceiling: bare lean POSTs, 1 entity each ({n} streams)       {lean_one:8.0f} /s")
        per_post = min(args.entities, Settings().coalesce)
        lean_many = await ceiling_lean(args.port, n, changes, per_post)
        print(
            f"ceiling: bare lean POSTs, {per_post} entities each ({n} streams)   "
            f"{lean_many:8.0f} entities/s"
        )
        got, posts = await throughput(store, args.port, n, args.entities, changes)
        print(
            f"dispatcher, backlog of {changes} changes: {got:8.0f} entity notifications/s "
            f"in {posts} POSTs"
        )
        print(
            f"ratio: {got / lean_many:.0%} of the coalesced lean ceiling, "
            f"{got / httpx_raw:.0%} of the httpx one (target: ≥ 2,000/s)"
        )
        (p50, p99), (w50, w99), count = await latency(
            store, args.port, args.subscriptions, args.entities, args.rate, args.seconds
        )
        print(
            f"latency at {args.rate:.0f} changes/s ({count} notifications): "
            f"commit → receipt p50 {p50:.1f} ms, p99 {p99:.1f} ms (target: p99 ≤ 100 ms)"
        )
        print(f"  the changes' own writes, queued → committed: p50 {w50:.1f} ms, p99 {w99:.1f} ms")
    finally:
        store.close()
        receiver.terminate()
        receiver.wait(timeout=30)


if __name__ == "__main__":
    asyncio.run(main())
