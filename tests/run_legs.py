"""Run the test suite in its legs and print one summary.

- SQLite leg: always (the embedded default); the browser tests (headless Chromium against
  the embedded server) run as a separate process of it, the "browser" leg.
- PostgreSQL leg: when DOS_TEST_POSTGRES_URL is set; the same tests on PostgreSQL (browser
  tests, which drive the embedded server, run in the SQLite leg only).
- MQTT tests run in the SQLite leg when DOS_TEST_MQTT_URL is set.

With DOS_TEST_REQUIRE_SERVICES=1 (CI) a missing service fails the run instead of skipping.
Extra arguments are passed to pytest.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time

SUMMARY = re.compile(r"(\d+) (passed|failed|error|errors|skipped|xfailed|xpassed)")


def run_leg(
    name: str, env_extra: dict[str, str], args: list[str]
) -> tuple[int, dict[str, int], float]:
    env = {**os.environ, **env_extra}
    env.setdefault("DOS_DATA_DIR", tempfile.mkdtemp(prefix=f"dos-test-{name}-"))
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-n",
        os.environ.get("DOS_TEST_WORKERS", "2"),
        "-q",
        *args,
    ]
    print(f"\n=== {name} leg: {' '.join(cmd[2:])}", flush=True)
    started = time.monotonic()
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    last = ""
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stdout.write(line)
        if SUMMARY.search(line):
            last = line
    code = proc.wait()
    counts: dict[str, int] = {}
    for number, kind in SUMMARY.findall(last):
        kind = "errors" if kind == "error" else kind
        counts[kind] = counts.get(kind, 0) + int(number)
    return code, counts, time.monotonic() - started


def main() -> int:
    from dos.portal.web.i18n import compile_all

    compile_all()  # translations are compiled at install; make sure they are current
    args = sys.argv[1:]
    # Browser tests run in a process of their own: Playwright's sync API keeps an event loop
    # running in the test thread, which async tests in the same process must not meet.
    legs: list[tuple[str, dict[str, str], list[str]]] = [
        ("sqlite", {}, ["-m", "not browser", *args]),
        ("browser", {}, ["-m", "browser", *args]),
    ]
    notes = []
    pg = os.environ.get("DOS_TEST_POSTGRES_URL")
    if pg:
        legs.append(("postgresql", {"DOS_DATABASE_URL": pg}, ["-m", "not browser", *args]))
    else:
        notes.append("PostgreSQL leg not run (DOS_TEST_POSTGRES_URL is not set)")
    if not args and not os.environ.get("DOS_TEST_MQTT_URL"):
        notes.append("MQTT tests skipped (DOS_TEST_MQTT_URL is not set)")
    results = [(name, *run_leg(name, env, leg_args)) for name, env, leg_args in legs]
    print("\n=== summary")
    total_passed = total_failed = total_skipped = 0
    worst = 0
    for name, code, counts, seconds in results:
        passed = counts.get("passed", 0)
        failed = counts.get("failed", 0) + counts.get("errors", 0)
        skipped = counts.get("skipped", 0)
        total_passed += passed
        total_failed += failed
        total_skipped += skipped
        # pytest exits 5 when nothing was collected: that is a failure here too.
        worst = max(worst, code)
        print(
            f"{name} leg: {passed} passed, {failed} failed, {skipped} skipped "
            f"in {seconds:.0f}s (exit {code})"
        )
    for note in notes:
        print(note)
    print(f"{total_passed} passed, {total_failed} failed, {total_skipped} skipped")
    return 1 if worst else 0


if __name__ == "__main__":
    raise SystemExit(main())
