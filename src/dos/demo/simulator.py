"""The live sensor simulator: every device of the demo network sends measures, round after round.

Measures take the real path of a sensor: MQTT ``/<apikey>/<device_id>/attrs`` when
``DOS_MQTT_URL`` is set, else HTTP ``POST /iot/json?k=<apikey>&i=<device_id>``. Values come
from :class:`dos.demo.physics.Climate` at the simulated time, which runs ``speed`` times as
fast as the clock (time-lapse; with speed > 1 the simulated time runs ahead of now).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import httpx
import orjson

from dos.demo.network import Station
from dos.demo.physics import Climate
from dos.demo.sensors import apikey_of, iso

log = logging.getLogger("dos.demo.simulator")


class Sender(Protocol):
    """Where measures go."""

    async def send(self, batch: list[tuple[str, str, bytes]]) -> int:
        """Send (apikey, device_id, JSON payload) triples; return how many were accepted."""
        ...

    async def ready(self, timeout: float) -> bool:
        """Wait until the receiving side answers (True) or ``timeout`` seconds passed."""
        ...

    async def close(self) -> None: ...


class HttpSender:
    """``POST /iot/json`` to a running DOS (``base_url``) or an ASGI ``transport``."""

    def __init__(
        self,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        concurrency: int = 16,
    ) -> None:
        self.http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), transport=transport, timeout=30
        )
        self.limit = asyncio.Semaphore(concurrency)

    async def _one(self, apikey: str, device_id: str, payload: bytes) -> bool:
        async with self.limit:
            try:
                response = await self.http.post(
                    "/iot/json",
                    params={"k": apikey, "i": device_id},
                    content=payload,
                    headers={"Content-Type": "application/json"},
                )
            except httpx.HTTPError as exc:
                log.debug("sending for %s failed: %s", device_id, exc)
                return False
        if response.status_code >= 400:
            log.warning("measure of %s refused: %s", device_id, response.text[:200])
            return False
        return True

    async def ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            try:
                await self.http.get("/healthz")  # any answer means the server is up
                return True
            except httpx.HTTPError:
                pass
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(1.0)

    async def send(self, batch: list[tuple[str, str, bytes]]) -> int:
        results = await asyncio.gather(*(self._one(*item) for item in batch))
        return sum(results)

    async def close(self) -> None:
        await self.http.aclose()


class MqttSender:
    """QoS 1 publishes on ``/<apikey>/<device_id>/attrs``."""

    def __init__(self, url: str) -> None:
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        from dos.broker.ingest.mqtt import parse_url

        settings = parse_url(url)
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        if settings["username"]:
            self.client.username_pw_set(settings["username"], settings["password"])
        if settings["tls"]:
            self.client.tls_set()
        self.client.connect(settings["host"], settings["port"])
        self.client.loop_start()

    async def ready(self, timeout: float) -> bool:
        return True  # connected in __init__; consumers pick messages up when they come

    async def send(self, batch: list[tuple[str, str, bytes]]) -> int:
        infos = [
            self.client.publish(f"/{apikey}/{device_id}/attrs", payload, qos=1)
            for apikey, device_id, payload in batch
        ]

        def wait() -> int:
            done = 0
            for info in infos:
                try:
                    info.wait_for_publish(30)
                except (RuntimeError, ValueError):
                    continue
                done += info.is_published()
            return done

        return await asyncio.to_thread(wait)

    async def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def round_of(
    stations: list[Station], climate: Climate, moment: datetime
) -> list[tuple[str, str, bytes]]:
    """One measure per station at ``moment`` (the device's timestamp in ``TimeInstant``)."""
    stamp = iso(moment)
    batch = []
    for station in stations:
        payload = {**climate.measure(station, moment), "TimeInstant": stamp}
        batch.append((apikey_of(station), station.device_id, orjson.dumps(payload)))
    return batch


async def simulate(
    stations: list[Station],
    sender: Sender,
    *,
    seed: int = 2030,
    interval: float = 60.0,
    speed: float = 1.0,
    once: bool = False,
    start: datetime | None = None,
    say: Callable[[str], None] = print,
) -> int:
    """Send rounds until cancelled (``once``: a single round); return the measures accepted."""
    climate = Climate(seed)
    if not await sender.ready(60.0):
        say("simulate: the server does not answer yet; sending anyway")
    origin = start or datetime.now(UTC)
    clock = time.monotonic()
    accepted = 0
    while True:
        began = time.monotonic()
        moment = origin + timedelta(seconds=(began - clock) * speed)
        batch = round_of(stations, climate, moment)
        ok = await sender.send(batch)
        accepted += ok
        say(f"simulate: {iso(moment)} {ok}/{len(batch)} measures accepted")
        if once:
            return accepted
        await asyncio.sleep(max(0.0, interval - (time.monotonic() - began)))


def sender_for(config: Any, url: str | None) -> Sender:
    """MQTT when DOS_MQTT_URL is set, else HTTP to ``url`` (default: DOS_HOST:DOS_PORT)."""
    if config.MQTT_URL and not url:
        return MqttSender(str(config.MQTT_URL))
    host = config.HOST if config.HOST not in ("0.0.0.0", "::", "") else "127.0.0.1"
    return HttpSender(url or f"http://{host}:{config.PORT}")
