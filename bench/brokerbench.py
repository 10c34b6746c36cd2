"""What the broker benches share: a throw-away database per engine, the broker server, RSS.

Each bench runs ``dos`` from the source tree this file belongs to, on its own database:

- ``--engine sqlite``: a temporary data folder (removed afterwards);
- ``--engine postgresql``: a new database ``dos_bench_<pid>`` on ``--postgres-url``
  (dropped afterwards), so the bench never touches another installation's schema.

Ports come from ``BENCH_PORTS`` (``first-last``, e.g. ``18600-18699``) or the kernel.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("DOS_TEST_POSTGRES_URL", DEFAULT_POSTGRES),
        help="server on which the bench creates (and drops) its own database",
    )
    parser.add_argument(
        "--synchronous",
        choices=("FULL", "NORMAL"),
        default="FULL",
        help="SQLite synchronous mode of the broker and of the raw ceiling (DOS_BROKER_SQLITE_SYNCHRONOUS)",
    )


def free_port() -> int:
    ports = os.environ.get("BENCH_PORTS", "")
    candidates = range(int(ports.split("-")[0]), int(ports.split("-")[1]) + 1) if ports else [0]
    for port in candidates:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise SystemExit(f"no free port in BENCH_PORTS={ports}")


def wait_for(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server at {url} did not come up")


@dataclass
class BenchDatabase:
    """One engine's throw-away database and the environment that points ``dos`` at it."""

    engine: str
    work: Path
    env: dict[str, str]
    url: str = ""  # PostgreSQL: the bench database's URL
    sqlite_path: Path | None = None

    def config(self) -> Any:
        from dos.config import load

        return load(self.env, create_secret=False)

    def open_store(self) -> Any:
        """The broker store in this process (for loading data through its batch path)."""
        from dos.broker.store import open_store

        return open_store(self.config())

    def connect_broker_raw(self) -> Any:
        """A plain DB-API connection to the broker's own (migrated) tables, autocommit."""
        if self.engine == "postgresql":
            import psycopg

            return psycopg.connect(self.url, autocommit=True, options="-c search_path=broker")
        import sqlite3

        assert self.sqlite_path is not None
        conn = sqlite3.connect(self.sqlite_path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={self.env.get('DOS_BROKER_SQLITE_SYNCHRONOUS', 'FULL')}")
        return conn

    def connect_raw(self) -> Any:
        """A plain DB-API connection for the raw ceilings (autocommit off)."""
        if self.engine == "postgresql":
            import psycopg

            return psycopg.connect(self.url)
        import sqlite3

        assert self.sqlite_path is not None
        conn = sqlite3.connect(self.work / "raw.sqlite3", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={self.env.get('DOS_BROKER_SQLITE_SYNCHRONOUS', 'FULL')}")
        return conn


@contextlib.contextmanager
def bench_database(args: argparse.Namespace, tag: str = "") -> Iterator[BenchDatabase]:
    """A fresh broker database (migrated) for ``args.engine``; removed on exit. ``tag``
    tells apart several databases of one bench process."""
    work = Path(tempfile.mkdtemp(prefix="dos-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOS_")}
    env.update(
        {
            "PYTHONPATH": str(ROOT / "src"),
            "DOS_DATA_DIR": str(work / "var"),
            "DOS_BROKER_OPEN_WRITES": "true",
            "DOS_LOG_LEVEL": "WARNING",
            "DOS_BROKER_SQLITE_SYNCHRONOUS": args.synchronous,
        }
    )
    admin = None
    name = f"dos_bench_{os.getpid()}{tag}"
    db = BenchDatabase(args.engine, work, env)
    try:
        if args.engine == "postgresql":
            import psycopg

            admin = psycopg.connect(args.postgres_url, autocommit=True)
            admin.execute(f"DROP DATABASE IF EXISTS {name}")
            admin.execute(f"CREATE DATABASE {name}")
            base = args.postgres_url.rsplit("/", 1)[0]
            db.url = f"{base}/{name}"
            env["DOS_DATABASE_URL"] = db.url
        else:
            db.sqlite_path = work / "var" / "broker.sqlite3"
        subprocess.run(
            [PYTHON, "-m", "dos", "migrate", "--only", "broker", "--quiet"], env=env, check=True
        )
        yield db
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if admin is not None:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin.close()


@contextlib.contextmanager
def broker_server(db: BenchDatabase, workers: int = 2) -> Iterator[tuple[int, subprocess.Popen]]:
    """``dos serve --only broker`` on a free port; yields (port, process)."""
    port = free_port()
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "dos",
            "serve",
            "--only",
            "broker",
            *("--workers", str(workers)),
            *("--port", str(port)),
        ],
        env=db.env,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        yield port, process
    finally:
        process.terminate()
        process.wait()


def rss_mb(pid: int) -> dict[int, float]:
    """Resident set size (MiB) of ``pid`` and each of its descendants, by pid."""
    found: dict[int, float] = {}
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except FileNotFoundError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                found[current] = int(line.split()[1]) / 1024
        with contextlib.suppress(FileNotFoundError):
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            todo.extend(int(c) for c in children)
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by ``pid`` and its living descendants."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            stat = Path(f"/proc/{current}/stat").read_text()
        except FileNotFoundError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
        with contextlib.suppress(FileNotFoundError):
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            todo.extend(int(c) for c in children)
    return total


def entity_id(n: int) -> str:
    return f"urn:ngsi-ld:WeatherObserved:bench-{n:07d}"
