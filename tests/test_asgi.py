"""The composed ASGI process: routing, ops endpoints, request ids, metrics."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from dos.asgi import create_app
from dos.config import load


@pytest.fixture
def config(tmp_path: Path):
    from dos.broker.store import open_store

    cfg = load({"DOS_DATA_DIR": str(tmp_path)})
    store = open_store(cfg)
    store.migrate()
    store.close()
    return cfg


def client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def test_broker_answers_problem_json(config) -> None:
    async with client(create_app(config)) as c:
        response = await c.get("/ngsi-ld/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound"
    assert "/ngsi-ld/v1/nothing-here" in body["detail"]


async def test_health_and_metrics(config) -> None:
    app = create_app(load({"DOS_DATA_DIR": str(config.data_dir), "DOS_SERVE_ONLY": "broker"}))
    async with client(app) as c:
        alive = await c.get("/healthz")
        ready = await c.get("/readyz")
        await c.get("/ngsi-ld/v1/x", headers={"X-Request-ID": "abc123"})
        metrics = await c.get("/metrics")
    assert alive.json() == {"status": "alive"}
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert metrics.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = metrics.text
    assert re.search(
        r'dos_http_requests_total\{route="/readyz",method="GET",status="200"\} \d+', text
    )
    assert 'dos_http_request_duration_seconds_bucket{route="/healthz",le="+Inf"}' in text


async def test_request_id_is_kept_or_made(config) -> None:
    app = create_app(load({"DOS_DATA_DIR": str(config.data_dir), "DOS_SERVE_ONLY": "broker"}))
    async with client(app) as c:
        given = await c.get("/healthz", headers={"X-Request-ID": "req-42"})
        made = await c.get("/healthz")
    assert given.headers["x-request-id"] == "req-42"
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])


async def test_readyz_reports_a_missing_database(tmp_path: Path) -> None:
    app = create_app(load({"DOS_DATA_DIR": str(tmp_path), "DOS_SERVE_ONLY": "broker"}))
    async with client(app) as c:
        response = await c.get("/readyz")
    assert response.status_code == 503
    assert "broker" in response.json()["problems"]


async def test_broker_only_process_serves_no_portal(config) -> None:
    app = create_app(load({"DOS_DATA_DIR": str(config.data_dir), "DOS_SERVE_ONLY": "broker"}))
    async with client(app) as c:
        response = await c.get("/")
    assert response.status_code == 404
    assert "only the NGSI-LD broker" in response.text


@pytest.mark.django_db
async def test_portal_and_static_files_through_the_composition() -> None:
    from asgiref.sync import sync_to_async
    from django.core.management import call_command

    await sync_to_async(call_command)("collectstatic", interactive=False, verbosity=0)
    app = create_app(load())  # the same data folder as the test's Django settings
    async with client(app) as c:
        css = await c.get("/static/web/dos.css")
        home = await c.get("/")
        metrics = await c.get("/metrics")
    assert css.status_code == 200 and "--brand" in css.text
    assert home.status_code == 200 and '<html lang="de">' in home.text
    assert 'route="/",method="GET",status="200"' in metrics.text


def test_json_log_lines_carry_the_request_id(capsys) -> None:
    import json
    import logging

    from dos.observability import configure_logging, request_id

    configure_logging("json", "INFO")
    token = request_id.set("rid-7")
    logging.getLogger("dos.test").info("hallo")
    request_id.reset(token)
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["message"] == "hallo" and line["request_id"] == "rid-7"


def test_server_processes_collect_young_garbage_less_often(tmp_path: Path) -> None:
    """DOS_GC_GEN0_THRESHOLD sets the youngest generation's threshold; 0 keeps CPython's."""
    import gc

    from dos.asgi import tune_gc

    before = gc.get_threshold()
    try:
        create_app(load({"DOS_DATA_DIR": str(tmp_path), "DOS_SERVE_ONLY": "broker"}))
        assert gc.get_threshold() == (50000, 20, 10)
        gc.set_threshold(*before)
        tune_gc(0)
        assert gc.get_threshold() == before
        with pytest.raises(Exception, match="DOS_GC_GEN0_THRESHOLD must be a whole number"):
            load({"DOS_DATA_DIR": str(tmp_path), "DOS_GC_GEN0_THRESHOLD": "lots"})
    finally:
        gc.set_threshold(*before)
