"""Every command's success and failure output, in a real subprocess."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest

from dos.broker.store.migrations import MIGRATIONS
from tests.cli.conftest import Run


def test_help_lists_every_command(dos: Run) -> None:
    out = dos("--help").stdout
    for command in (
        "serve",
        "migrate",
        "createadmin",
        "demo",
        "check",
        "version",
        "config",
        "city",
    ):
        assert command in out
    for command in (
        "serve",
        "migrate",
        "createadmin",
        "demo",
        "check",
        "version",
        "config",
        "city",
    ):
        result = dos(command, "--help")
        assert result.returncode == 0, command
        assert "usage: dos" in result.stdout


def test_version(dos: Run) -> None:
    result = dos("version")
    assert result.returncode == 0
    assert re.match(r"dos \d+\.\d+\.\d+\npython 3\.\d+", result.stdout)


def test_unknown_setting_stops_with_one_line(dos: Run) -> None:
    result = dos("config", env={"DOS_PROT": "8000"})
    assert result.returncode == 2
    assert result.stderr == (
        "dos: error: unknown setting DOS_PROT (the settings are listed in docs/settings.md)\n"
    )


def test_wrong_type_stops_with_one_line(dos: Run) -> None:
    result = dos("serve", env={"DOS_PORT": "achttausend"})
    assert result.returncode == 2
    assert result.stderr == "dos: error: DOS_PORT must be a whole number, got 'achttausend'\n"


def test_missing_secret_in_production(dos: Run) -> None:
    result = dos("migrate", env={"DOS_MODE": "production"})
    assert result.returncode == 2
    assert result.stderr == "dos: error: DOS_SECRET_KEY is required in production mode\n"


def test_config_masks_secrets(dos: Run) -> None:
    result = dos(
        "config",
        env={
            "DOS_DATABASE_URL": "postgresql://dos:geheim@db/dos",
            "DOS_SMTP_PASSWORD": "auch-geheim",
        },
    )
    assert result.returncode == 0
    assert "geheim" not in result.stdout
    assert "postgresql://dos:***@db/dos" in result.stdout
    assert re.search(r"DOS_SMTP_PASSWORD\s+\*\*\*\s+\[environment\]", result.stdout)


def test_config_markdown_is_the_settings_doc(dos: Run) -> None:
    from pathlib import Path

    doc = Path(__file__).resolve().parents[2] / "docs" / "settings.md"
    assert dos("config", "--markdown").stdout == doc.read_text()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_database_is_one_line_without_password(dos: Run) -> None:
    url = f"postgresql://dos:streng-geheim@127.0.0.1:{_closed_port()}/dos"
    for command in ("migrate", "serve"):
        result = dos(command, env={"DOS_DATABASE_URL": url})
        assert result.returncode == 2, command
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith(
            "dos: error: cannot reach the broker database at postgresql://dos:***@127.0.0.1:"
        )
        assert "streng-geheim" not in result.stderr


def test_malformed_url_is_named(dos: Run) -> None:
    result = dos("check", env={"DOS_DATABASE_URL": "postgresql://db:port/x"})
    assert result.returncode == 2
    assert result.stderr == (
        "dos: error: DOS_DATABASE_URL has an invalid port: 'postgresql://db:port/x'\n"
    )


def test_serve_refuses_an_unmigrated_database(dos: Run) -> None:
    assert dos("migrate", "--only", "broker").returncode == 0
    result = dos("serve")
    assert result.returncode == 2
    assert "unapplied migration(s): run `dos migrate` first" in result.stderr


@pytest.mark.slow
def test_migrate_demo_createadmin_city_check(dos: Run) -> None:
    result = dos("migrate")
    assert result.returncode == 0, result.stderr
    assert f"broker (sqlite): {len(MIGRATIONS)} migration(s) applied" in result.stdout
    assert re.search(r"portal: \d+ migration\(s\) applied", result.stdout)
    again = dos("migrate")
    assert "broker (sqlite): 0 migration(s) applied" in again.stdout
    assert "portal: 0 migration(s) applied" in again.stdout

    demo = dos("demo", "--days", "0")  # the sensor backfill: the latest hour only
    assert demo.returncode == 0, demo.stderr
    assert "city Dortmund: added" in demo.stdout and "city Schwerte: added" in demo.stdout
    # the live KPI is computed from the sensor history right after the backfill
    assert "strategy: live KPI Hitzetage ≥ 30 °C an den Klimastationen: " in demo.stdout
    password = re.search(r"admin@dos\.localhost / (\S+)", demo.stdout).group(1)
    demo2 = dos("demo", "--days", "0")
    assert "city Dortmund: up to date" in demo2.stdout
    assert password not in demo2.stdout  # printed once only

    admin = dos(
        "createadmin",
        "--email",
        "chefin@example.org",
        "--password-stdin",
        input="ein-sehr-langes-passwort\n",
    )
    assert admin.returncode == 0
    assert admin.stdout == "region admin chefin@example.org is ready\n"
    short = dos("createadmin", "--email", "x@example.org", "--password-stdin", input="kurz\n")
    assert short.returncode == 2
    assert short.stderr == "dos: error: the password must have at least 10 characters\n"
    bad = dos("createadmin", "--email", "kein-mail")
    assert bad.returncode == 2
    assert bad.stderr.startswith("dos: error: invalid admin account: email:")

    added = dos(
        "city",
        "add",
        "--slug",
        "unna",
        "--name",
        "Unna",
        "--ags",
        "05978040",
        "--lat",
        "51.53",
        "--lon",
        "7.69",
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout == "city Unna added: /unna/ (NGSI-LD tenant unna)\n"
    listed = dos("city", "list").stdout
    assert "unna" in listed and "dortmund" in listed and "schwerte" in listed
    refused = dos(
        "city", "add", "--slug", "admin", "--name", "X", "--ags", "1", "--lat", "0", "--lon", "0"
    )
    assert refused.returncode == 2
    assert refused.stderr.startswith("dos: error: city not added: ")
    assert "slug: “admin” is reserved by the platform." in refused.stderr
    assert "ags: The AGS has exactly 8 digits." in refused.stderr

    check = dos("check")
    assert check.returncode == 0, check.stdout
    assert re.search(r"^portal database\s+ok", check.stdout, re.M)
    assert re.search(r"^broker database\s+ok", check.stdout, re.M)
    assert re.search(r"^mqtt\s+skipped\s+DOS_MQTT_URL is not set", check.stdout, re.M)
    assert re.search(r"^oidc\s+skipped", check.stdout, re.M)


def test_check_reports_an_unreachable_mqtt_broker(dos: Run) -> None:
    dos("migrate", "--only", "broker")
    result = dos(
        "check", "--timeout", "2", env={"DOS_MQTT_URL": f"mqtt://127.0.0.1:{_closed_port()}"}
    )
    assert result.returncode == 1
    assert re.search(r"^mqtt\s+FAIL\s+mqtt://127\.0\.0\.1:\d+: .*refused", result.stdout, re.M)


def test_check_reports_an_unreachable_oidc_provider(dos: Run) -> None:
    result = dos(
        "check",
        "--timeout",
        "2",
        env={
            "DOS_OIDC_ISSUER": f"http://127.0.0.1:{_closed_port()}/realms/dos",
            "DOS_OIDC_CLIENT_ID": "dos",
        },
    )
    assert result.returncode == 1
    assert re.search(
        r"^oidc\s+FAIL\s+http://127\.0\.0\.1:\d+/realms/dos/\.well-known/", result.stdout, re.M
    )


@pytest.mark.slow
def test_serve_answers_portal_and_broker(dos: Run, tmp_path) -> None:
    import os
    import subprocess
    import sys
    import time

    import httpx

    assert dos("migrate", "--quiet").returncode == 0
    port = _closed_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOS_")}
    env["DOS_DATA_DIR"] = str(tmp_path / "var")
    proc = subprocess.Popen(
        [sys.executable, "-m", "dos", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError("dos serve did not come up") from None
                time.sleep(0.3)
        assert ready.json()["status"] == "ready"
        home = httpx.get(f"http://127.0.0.1:{port}/")
        assert home.status_code == 200 and '<html lang="de">' in home.text
        broker = httpx.get(f"http://127.0.0.1:{port}/ngsi-ld/v1/unknown")
        assert broker.headers["content-type"] == "application/problem+json"
        # every worker listens on a socket of its own (SO_REUSEPORT): the kernel spreads the
        # connections, not the worker that wakes first
        assert _listening(port) == 2
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert _listening(port) == 0  # the workers ended with the supervisor


def _listening(port: int) -> int:
    """Listening TCP sockets on ``port`` (from /proc/net/tcp: state 0A is LISTEN)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                count += 1
    return count


@pytest.mark.slow
def test_serve_workers_end_when_the_supervisor_is_killed(dos: Run, tmp_path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    import httpx

    assert dos("migrate", "--quiet").returncode == 0
    port = _closed_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOS_")}
    env["DOS_DATA_DIR"] = str(tmp_path / "var")
    command = [sys.executable, "-m", "dos", "serve", "--only", "broker", "--port", str(port)]
    proc = subprocess.Popen(
        [*command, "--workers", "2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while _listening(port) < 2:
        assert time.monotonic() < deadline and proc.poll() is None, "dos serve did not come up"
        time.sleep(0.2)
    assert httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.monotonic() + 20
    while _listening(port):  # no orphaned worker keeps serving the port
        assert time.monotonic() < deadline, "workers outlived their supervisor"
        time.sleep(0.2)
    # a port another program holds: one line, exit 2, no restart loop
    with __import__("socket").create_server(("127.0.0.1", port)):
        taken = subprocess.run(
            [*command, "--workers", "2"], env=env, capture_output=True, text=True, timeout=60
        )
    assert taken.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in taken.stderr
