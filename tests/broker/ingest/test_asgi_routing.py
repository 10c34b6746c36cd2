"""``/iot/`` reaches the broker through the composed ASGI app, with its own metric route."""

from __future__ import annotations

from pathlib import Path

import httpx

from dos.asgi import create_app
from dos.broker.store import open_store
from dos.config import load


async def test_iot_routes_go_to_the_broker(tmp_path: Path) -> None:
    config = load({"DOS_DATA_DIR": str(tmp_path), "DOS_SERVE_ONLY": "broker"})
    store = open_store(config)
    store.migrate()
    store.close()
    app = create_app(config)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        devices = await c.get("/iot/devices")
        measure = await c.post("/iot/json?k=nokey&i=nodevice", json={"t": 1})
        metrics = await c.get("/metrics")
    assert devices.status_code == 401  # a write token is needed
    assert devices.headers["content-type"] == "application/problem+json"
    assert measure.status_code == 404 and "apikey nokey" in measure.json()["detail"]
    assert 'route="/iot/json",method="POST",status="404"' in metrics.text
    assert 'dos_ingest_rejected_total{reason="unknown_apikey"}' in metrics.text
