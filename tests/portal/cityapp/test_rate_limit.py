"""Rate limits of client keys hold across server processes (issue #7): the count lives in the
database, so two workers (here: two threads with their own connections) share one limit."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection

from dos.portal.cityapp import access
from dos.portal.cityapp.models import RateWindow

NOW = 1_800_000_030.0  # half a minute into a minute: no window turns during a test


@pytest.fixture
def fixed_clock(monkeypatch: Any) -> SimpleNamespace:
    clock = SimpleNamespace(now=NOW)
    monkeypatch.setattr(access, "time", SimpleNamespace(time=lambda: clock.now))
    return clock


def config(client: Any, raw: str) -> Any:
    return client.get("/api/app/v1/dortmund/config", HTTP_X_API_KEY=raw)


#: A server process in miniature: counts ``argv[3]`` requests of one bucket at a fixed time.
WORKER = """
import os, sys
from types import SimpleNamespace
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dos.portal.settings")
django.setup()
from django.db import connection
connection.settings_dict["NAME"] = sys.argv[1]
from dos.portal.cityapp import access
access.time = SimpleNamespace(time=lambda: float(sys.argv[2]))
allowed = 0
for _ in range(int(sys.argv[3])):
    try:
        access.throttle("key:shared", 12)
        allowed += 1
    except access.Refusal:
        pass
print(allowed)
"""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_processes_share_one_limit() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    args = [connection.settings_dict["NAME"], str(NOW), "10"]
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, *args], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    allowed = [int(worker.communicate(timeout=120)[0].strip()) for worker in workers]
    assert sum(allowed) == 12, allowed
    assert RateWindow.objects.get(bucket="key:shared").hits == 20


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_threads_share_one_limit(apps: dict[str, Any], fixed_clock: Any) -> None:
    from django.test import Client

    key = apps["dortmund"]["key"]
    key.rate_limit = 12
    key.save()
    codes: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        client = Client()
        try:
            for _ in range(10):
                status = config(client, apps["dortmund"]["raw"]).status_code
                with lock:
                    codes.append(status)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(codes) == 20
    assert codes.count(200) == 12 and codes.count(429) == 8
    assert RateWindow.objects.get(bucket=f"key:{key.pk}").hits == 20


@pytest.mark.django_db
def test_refusal_is_a_problem_with_retry_after(
    client: Any, apps: dict[str, Any], fixed_clock: Any
) -> None:
    key = apps["dortmund"]["key"]
    key.rate_limit = 1
    key.save()
    assert config(client, apps["dortmund"]["raw"]).status_code == 200
    refused = config(client, apps["dortmund"]["raw"])
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["title"] == "Too Many Requests"
    assert refused["Retry-After"] == "30"
    fixed_clock.now += 60  # the next minute starts afresh
    assert config(client, apps["dortmund"]["raw"]).status_code == 200


@pytest.mark.django_db
def test_open311_refusal_in_the_standard_format(
    client: Any, apps: dict[str, Any], fixed_clock: Any
) -> None:
    key = apps["dortmund"]["key"]
    key.rate_limit = 1
    key.save()
    url = "/open311/v2/services.xml?jurisdiction_id=dortmund"
    assert client.get(url, HTTP_X_API_KEY=apps["dortmund"]["raw"]).status_code == 200
    refused = client.get(url, HTTP_X_API_KEY=apps["dortmund"]["raw"])
    assert refused.status_code == 429 and refused["Retry-After"] == "30"
    assert b"<errors><error><code>429</code>" in refused.content


@pytest.mark.django_db
def test_past_minutes_are_forgotten(apps: dict[str, Any], fixed_clock: Any) -> None:
    access.throttle("ip:192.0.2.1", 10)
    fixed_clock.now += 60
    access.throttle("ip:192.0.2.1", 10)
    access.throttle("ip:192.0.2.2", 10)
    assert RateWindow.objects.count() == 3  # the last minute stays for the turn of the window
    fixed_clock.now += 120
    access.throttle("ip:192.0.2.1", 10)
    assert list(RateWindow.objects.values_list("bucket", "hits")) == [("ip:192.0.2.1", 1)]
