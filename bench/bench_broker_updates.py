"""Single-attribute NGSI-LD updates against their raw ceiling, measured in the same run.

    .venv/bin/python bench/bench_broker_updates.py [--entities 10000] [--seconds 10]

1. Raw ceiling: a bare ASGI app (no framework) whose every POST does one INSERT into SQLite
   (WAL, synchronous=FULL, like the broker's store) and commits, then answers 204.
2. The broker: ``PATCH /ngsi-ld/v1/entities/{id}/attrs`` with one Property on one of N
   entities, chosen at random per request.

Both are served by uvicorn with 2 workers on loopback and loaded with wrk (32 keep-alive
connections, 2 threads). Prints requests/s of each and the ratio (issue target: ≥ 60 % of the
ceiling, ≥ 5,000 updates/s on SQLite).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx

RAW_APP = """
import os, sqlite3, threading
_local = threading.local()
PATH = os.environ["BENCH_DB"]

def _conn():
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(PATH, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=10000")
        _local.conn = conn
    return conn

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    conn = _conn()
    conn.execute("INSERT INTO writes (body) VALUES (?)", (body,))
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})
"""

WRK_SCRIPT = """
math.randomseed(os.time())
request = function()
  local n = math.random(0, {entities} - 1)
  local body = '{{"temperature":{{"type":"Property","value":' .. math.random(0, 400) / 10 .. '}}}}'
  return wrk.format("{method}", "{path}" .. string.format("%05d", n) .. "{suffix}",
    {{["Content-Type"] = "application/json"}}, body)
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"server at {url} did not come up")


def run_wrk(url: str, script: str, seconds: int) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    out = subprocess.run(
        ["wrk", "-t2", "-c32", f"-d{seconds}s", "-s", f.name, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"wrk saw {errors.group(1)} failed responses:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    work = Path(tempfile.mkdtemp(prefix="dos-bench-"))
    python = sys.executable

    # 1. the raw ceiling
    (work / "raw_app.py").write_text(textwrap.dedent(RAW_APP))
    db = work / "raw.sqlite3"
    import sqlite3

    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE writes (id INTEGER PRIMARY KEY, body BLOB)")
    conn.close()
    port = free_port()
    raw = subprocess.Popen(
        [
            python,
            "-m",
            "uvicorn",
            "raw_app:app",
            "--port",
            str(port),
            "--workers",
            "2",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=work,
        env={**os.environ, "BENCH_DB": str(db)},
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/")
        script = WRK_SCRIPT.format(entities=args.entities, method="POST", path="/w/", suffix="")
        ceiling = run_wrk(f"http://127.0.0.1:{port}", script, args.seconds)
    finally:
        raw.terminate()
        raw.wait()

    # 2. the broker
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOS_")}
    env.update(
        {
            "DOS_DATA_DIR": str(work / "var"),
            "DOS_BROKER_OPEN_WRITES": "true",
            "DOS_LOG_LEVEL": "WARNING",
        }
    )
    subprocess.run(
        [python, "-m", "dos", "migrate", "--only", "broker", "--quiet"], env=env, check=True
    )
    port = free_port()
    broker = subprocess.Popen(
        [python, "-m", "dos", "serve", "--only", "broker", "--workers", "2", "--port", str(port)],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/ngsi-ld/v1"
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        with httpx.Client(timeout=60) as client:
            for start in range(0, args.entities, 1000):
                batch = [
                    {
                        "id": f"urn:ngsi-ld:WeatherObserved:bench-{n:05d}",
                        "type": "WeatherObserved",
                        "temperature": {"type": "Property", "value": 20.0},
                    }
                    for n in range(start, min(start + 1000, args.entities))
                ]
                r = client.post(
                    f"{base}/entityOperations/upsert",
                    content=json.dumps(batch),
                    headers={"Content-Type": "application/json"},
                )
                r.raise_for_status()
        script = WRK_SCRIPT.format(
            entities=args.entities,
            method="PATCH",
            path="/ngsi-ld/v1/entities/urn:ngsi-ld:WeatherObserved:bench-",
            suffix="/attrs",
        )
        updates = run_wrk(f"http://127.0.0.1:{port}", script, args.seconds)
        with httpx.Client() as client:
            sample = client.get(f"{base}/entities/urn:ngsi-ld:WeatherObserved:bench-00001")
            sample.raise_for_status()
    finally:
        broker.terminate()
        broker.wait()
        shutil.rmtree(work, ignore_errors=True)

    print(f"raw ceiling (POST -> INSERT -> commit -> 204): {ceiling:,.0f} req/s")
    print(f"broker PATCH .../attrs on {args.entities:,} entities: {updates:,.0f} updates/s")
    print(f"ratio: {updates / ceiling:.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
