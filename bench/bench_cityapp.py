"""City app API latency on the demo data, against its raw ceiling.

Uses the demo data of ``DOS_DATA_DIR`` / ``DOS_DATABASE_URL`` when ``dos demo`` has loaded it
there; otherwise migrates a fresh data directory (SQLite) and loads the demo region without
sensor history. Then it times requests through the whole Django stack (middleware, key check,
rate limit, query, rendering, ETag) with a client key of Dortmund:

- raw ceiling: ``GET /api/app/v1/openapi.json`` answered 304 (the full stack, no database);
- ``/api/app/v1/dortmund/config`` (with and without a matching ETag);
- Open311 ``services.json`` and ``requests.json``;
- the content lists ``projects``, ``news``, ``events``, ``ideas`` (and a 304 of ``projects``);
- the live lists ``environment`` (Dortmund) and ``parking`` (Schwerte, whose car parks are
  counted from their parking spots), through the in-process NGSI-LD broker.

Last it times the rate limit alone (one atomic upsert in the database per request, shared by
all worker processes), to show what the shared count adds to each request.

It prints p50 / p95 in milliseconds and the p95 ratio to the ceiling; the target is
p95 ≤ 20 ms for the config and the lists. Run:
``PYTHONPATH=src python bench/bench_cityapp.py [requests-per-endpoint]``.
"""

from __future__ import annotations

import contextlib
import io
import os
import platform
import statistics
import sys
import tempfile
import time
from typing import Any

TARGET_MS = 20.0


def setup() -> None:
    """Django on the demo data: the given one, or a fresh directory loaded here."""
    from dos.cli import main as dos

    given = os.environ.get("DOS_DATABASE_URL") or os.environ.get("DOS_DATA_DIR")
    if not given:
        os.environ["DOS_DATA_DIR"] = tempfile.mkdtemp(prefix="dos-bench-cityapp-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dos.portal.settings")
    import django

    django.setup()
    from dos.portal.tenancy.models import City

    try:
        loaded = City.objects.filter(slug="dortmund").exists()
    except Exception:  # not migrated yet
        loaded = False
    if not loaded:
        assert dos(["migrate", "--quiet"]) == 0
        with contextlib.redirect_stdout(io.StringIO()):
            assert dos(["demo", "--days", "0"]) == 0


def timings(client: Any, path: str, count: int, **headers: Any) -> list[float]:
    found = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(path, **headers)
        found.append((time.perf_counter() - started) * 1000)
        assert response.status_code in (200, 304), (path, response.status_code)
    return found


def main(count: int) -> int:
    setup()
    from django.test import Client

    from dos.portal.accounts.permissions import SYSTEM
    from dos.portal.cityapp.actions import client_key_create
    from dos.portal.cityapp.models import ClientKey
    from dos.portal.tenancy.models import City

    dortmund = City.objects.get(slug="dortmund")
    _key, raw = client_key_create(SYSTEM, dortmund, label="bench", rate_limit=100_000)
    client = Client(HTTP_X_API_KEY=raw)
    schwerte = City.objects.get(slug="schwerte")  # its car parks count their parking spots
    _key, schwerte_raw = client_key_create(SYSTEM, schwerte, label="bench", rate_limit=100_000)
    spec_tag = client.get("/api/app/v1/openapi.json")["ETag"]
    config_tag = client.get("/api/app/v1/dortmund/config")["ETag"]
    list_tag = client.get("/api/app/v1/dortmund/projects")["ETag"]
    cases = [
        ("raw ceiling (304, no DB)", "/api/app/v1/openapi.json", {"HTTP_IF_NONE_MATCH": spec_tag}),
        ("config", "/api/app/v1/dortmund/config", {}),
        ("config (304)", "/api/app/v1/dortmund/config", {"HTTP_IF_NONE_MATCH": config_tag}),
        ("open311 services.json", "/open311/v2/services.json?jurisdiction_id=dortmund", {}),
        ("open311 requests.json", "/open311/v2/requests.json?jurisdiction_id=dortmund", {}),
        ("projects (page of 20)", "/api/app/v1/dortmund/projects", {}),
        ("projects (304)", "/api/app/v1/dortmund/projects", {"HTTP_IF_NONE_MATCH": list_tag}),
        ("news (page of 20)", "/api/app/v1/dortmund/news", {}),
        ("events (page of 20)", "/api/app/v1/dortmund/events", {}),
        ("ideas (page of 20)", "/api/app/v1/dortmund/ideas", {}),
        ("environment (live)", "/api/app/v1/dortmund/environment", {}),
        (
            "parking (live, Schwerte)",
            "/api/app/v1/schwerte/parking",
            {"HTTP_X_API_KEY": schwerte_raw},
        ),
    ]
    print(
        f"# city app API, {count} requests each, {platform.python_version()} on {platform.machine()}"
    )
    print(f"{'endpoint':<28} {'p50 ms':>8} {'p95 ms':>8} {'p95/ceiling':>12}")
    ceiling = 0.0
    slow = []
    for label, path, headers in cases:
        timings(client, path, 20, **headers)  # warm up
        values = sorted(timings(client, path, count, **headers))
        p50 = statistics.median(values)
        p95 = values[int(len(values) * 0.95) - 1]
        ceiling = ceiling or p95
        print(f"{label:<28} {p50:8.2f} {p95:8.2f} {p95 / ceiling:12.1f}")
        if not label.startswith("raw") and p95 > TARGET_MS:
            slow.append(label)
    ClientKey.objects.filter(label="bench").delete()
    from dos.portal.cityapp.access import throttle

    counts = []
    for _ in range(count):
        started = time.perf_counter()
        throttle("bench", 10**9)
        counts.append((time.perf_counter() - started) * 1000)
    counts.sort()
    p50, p95 = statistics.median(counts), counts[int(len(counts) * 0.95) - 1]
    print(f"{'rate limit alone (upsert)':<28} {p50:8.2f} {p95:8.2f} {p95 / ceiling:12.1f}")
    if slow:
        print(f"over {TARGET_MS:g} ms p95: {', '.join(slow)}")
        return 1
    print(f"all endpoints within {TARGET_MS:g} ms p95")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
