"""``dos broker retention`` and the worker's daily run, as an operator uses them."""

from __future__ import annotations

import asyncio
from pathlib import Path

from dos.broker.store.sqlite import SqliteStore
from dos.broker.temporal.operations import temporal_upsert
from dos.broker.temporal.times import from_ms, now_ms
from tests.cli.conftest import Run

W1 = "urn:ngsi-ld:WeatherObserved:w1"
TEMPERATURE = "https://uri.etsi.org/ngsi-ld/default-context/temperature"


def seed(path: Path) -> None:
    """Three old and two recent temperatures in the default tenant's broker database."""
    store = SqliteStore(path)
    store.migrate()
    recent = now_ms() - 3_600_000
    stamps = ["2020-01-01T00:00:00Z", "2020-01-01T00:30:00Z", "2020-01-01T01:00:00Z"]
    stamps += [from_ms(recent), from_ms(recent + 60_000)]
    values = [
        {"type": "Property", "value": float(i), "observedAt": stamp}
        for i, stamp in enumerate(stamps)
    ]
    types = ["https://uri.etsi.org/ngsi-ld/default-context/WeatherObserved"]
    asyncio.run(temporal_upsert(store, "", W1, types, {TEMPERATURE: values}))
    store.close()


def history(path: Path) -> tuple[int, int, str | None]:
    store = SqliteStore(path)
    try:
        return store.read(
            lambda s: (
                s.x("SELECT COUNT(*) FROM attr_history").fetchone()[0],
                s.x("SELECT COUNT(*) FROM attr_rollups").fetchone()[0],
                (
                    s.x("SELECT value FROM meta WHERE key = 'retention.last_run'").fetchone()
                    or [None]
                )[0],
            )
        )
    finally:
        store.close()


def test_retention_commands_and_the_worker(dos: Run, tmp_path: Path) -> None:
    db = tmp_path / "var" / "broker.sqlite3"
    seed(db)

    def fails(*args: str) -> str:
        result = dos("broker", "retention", *args)
        assert result.returncode == 2, result
        assert result.stderr.count("\n") == 1, result.stderr
        return result.stderr

    assert "tenant 'nowhere' does not exist" in fails(
        "set", "--tenant", "nowhere", "--type", "WeatherObserved", "--raw", "P2Y"
    )
    assert "raw: '2Y' is not an ISO 8601 duration" in fails(
        "set", "--type", "WeatherObserved", "--raw", "2Y"
    )
    assert "hourly: P1D is shorter than raw P30D" in fails(
        "set", "--type", "WeatherObserved", "--raw", "P30D", "--hourly", "P1D"
    )
    assert "no retention policy" in fails("delete", "--type", "WeatherObserved")
    assert "(no policies" in dos("broker", "retention", "show").stdout

    made = dos("broker", "retention", "set", "--type", "WeatherObserved", "--raw", "P30D")
    assert made.returncode == 0 and "retention set" in made.stdout
    shown = dos("broker", "retention", "show").stdout.splitlines()
    assert shown[0].split() == ["TENANT", "TYPE", "RAW", "HOURLY", "DAILY", "CHANGED"]
    assert shown[1].split()[:5] == ["(default)", "WeatherObserved", "P30D", "forever", "none"]
    assert shown[-1] == "last applied: never"

    dry = dos("broker", "retention", "apply", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert (
        "(default) WeatherObserved: 1 entities, would roll up 3 instances, delete 3" in dry.stdout
    )
    assert history(db) == (5, 0, None)

    # the worker applies retention at start when it is due, and records the run
    worker = dos("worker", "--once")
    assert worker.returncode == 0, worker.stderr
    raw, rollups, last = history(db)
    assert (raw, rollups) == (2, 2) and last is not None
    again = dos("worker", "--once")  # restarted the same day: not due, nothing rerun
    assert again.returncode == 0 and history(db)[2] == last

    applied = dos("broker", "retention", "apply").stdout
    assert "rolled up 0 instances, deleted 0, expired 0 rollups" in applied
    assert dos("broker", "retention", "delete", "--type", "WeatherObserved").returncode == 0
    assert "(no policies" in dos("broker", "retention", "show").stdout


def test_the_running_worker_applies_at_start_and_stops_cleanly(dos: Run, tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    db = tmp_path / "var" / "broker.sqlite3"
    seed(db)
    assert dos("broker", "retention", "set", "--type", "*", "--raw", "P30D").returncode == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOS_")}
    env["DOS_DATA_DIR"] = str(tmp_path / "var")
    worker = subprocess.Popen(
        [sys.executable, "-m", "dos", "worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while history(db)[:2] != (2, 2) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert history(db)[:2] == (2, 2)  # rolled up at start: it was due
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=60)
    assert worker.returncode == 0, output
    assert "retention: (default) *: rolled up 3, deleted 3 instances" in output
