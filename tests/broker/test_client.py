"""The portal's NGSI-LD client against the in-process broker and over "HTTP" with a token."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from dos.broker import tokens
from dos.broker.app import create_app
from dos.broker.client import BrokerClient, BrokerError
from dos.broker.store import Store
from dos.config import load

KPI = {
    "id": "urn:ngsi-ld:KeyPerformanceIndicator:dortmund-co2",
    "type": "KeyPerformanceIndicator",
    "kpiValue": {"type": "Property", "value": 42.0},
    "name": {"type": "Property", "value": "CO2-Einsparung"},
}


def test_in_process_client_round_trip(store: Store, tmp_path: Path) -> None:
    app = create_app(load({"DOS_DATA_DIR": str(tmp_path)}), store=store)

    async def scenario() -> None:
        client = BrokerClient(app=app)  # trusted: no token although writes need one
        try:
            created = await client.upsert_entities([KPI], tenant="dortmund")
            assert created == [KPI["id"]]
            again = await client.upsert_entities(
                [{**KPI, "kpiValue": {"type": "Property", "value": 50.0}}], tenant="dortmund"
            )
            assert again == []
            got = await client.get_entity(KPI["id"], tenant="dortmund")
            assert got is not None and got["kpiValue"]["value"] == 50.0
            assert await client.get_entity(KPI["id"], tenant="schwerte") is None
            found = await client.query_entities(
                tenant="dortmund",
                type="KeyPerformanceIndicator",
                q="kpiValue>45",
                options="keyValues",
            )
            assert found == [
                {
                    "id": KPI["id"],
                    "type": "KeyPerformanceIndicator",
                    "kpiValue": 50.0,
                    "name": "CO2-Einsparung",
                }
            ]
            assert await client.query_entities(tenant="hagen", type="KeyPerformanceIndicator") == []
            with pytest.raises(BrokerError) as info:
                await client.upsert_entities([{"id": "no uri", "type": "T"}], tenant="dortmund")
            assert info.value.status == 207
            assert await client.delete_entity(KPI["id"], tenant="dortmund") is True
            assert await client.delete_entity(KPI["id"], tenant="dortmund") is False
        finally:
            await client.aclose()
            await app.state.resolver.aclose()

    asyncio.run(scenario())


def test_remote_client_sends_its_token(store: Store, tmp_path: Path) -> None:
    app = create_app(load({"DOS_DATA_DIR": str(tmp_path)}), store=store)
    _, secret = tokens.token_create(store, "dortmund", "write")

    async def scenario() -> None:
        anonymous = BrokerClient(
            base_url="http://broker.example", transport=httpx.ASGITransport(app=app)
        )
        authorised = BrokerClient(
            base_url="http://broker.example", token=secret, transport=httpx.ASGITransport(app=app)
        )
        try:
            with pytest.raises(BrokerError) as info:
                await anonymous.upsert_entities([KPI], tenant="dortmund")
            assert info.value.status == 401
            assert await authorised.upsert_entities([KPI], tenant="dortmund") == [KPI["id"]]
            assert (await anonymous.get_entity(KPI["id"], tenant="dortmund")) is not None
        finally:
            await anonymous.aclose()
            await authorised.aclose()
            await app.state.resolver.aclose()

    asyncio.run(scenario())


def test_from_config_picks_remote_broker(tmp_path: Path) -> None:
    config = load(
        {
            "DOS_DATA_DIR": str(tmp_path),
            "DOS_BROKER_URL": "http://orion:1026",
            "DOS_BROKER_TOKEN": "secret",
        }
    )
    client = BrokerClient.from_config(config)
    assert str(client._http.base_url) == "http://orion:1026/ngsi-ld/v1/"
    assert client._http.headers["Authorization"] == "Bearer secret"
    asyncio.run(client.aclose())
