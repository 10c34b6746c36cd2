"""``dos simulate``: the demo sensors keep sending measures through the real ingestion path."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from dos.cli import CommandError, setup


def register(sub: Any) -> None:
    p = sub.add_parser(
        "simulate",
        help="send live measures for every demo sensor (MQTT or HTTP)",
        description="Every --interval seconds, send one measure per device of the demo "
        "network: over MQTT when DOS_MQTT_URL is set, else HTTP POST /iot/json to the running "
        "server (DOS_HOST:DOS_PORT or --url). Run `dos demo` first (it provisions the devices).",
    )
    p.add_argument("--interval", type=float, default=60.0, help="seconds between rounds (60)")
    p.add_argument(
        "--speed", type=float, default=1.0, help="time-lapse factor of the simulated clock (1)"
    )
    p.add_argument("--seed", type=int, default=2030, help="seed of network and weather (2030)")
    p.add_argument("--once", action="store_true", help="send one round and stop")
    p.add_argument("--url", help="send over HTTP to this DOS base URL, even with MQTT set")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.interval <= 0 or args.speed <= 0:
        raise CommandError("--interval and --speed must be positive")
    cfg = setup.config()
    from dos.demo.network import build_network
    from dos.demo.simulator import sender_for, simulate

    stations = build_network(args.seed)

    async def main() -> int:
        try:
            sender = sender_for(cfg, args.url)
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot reach the MQTT broker: {exc}") from None
        try:
            return await simulate(
                stations,
                sender,
                seed=args.seed,
                interval=args.interval,
                speed=args.speed,
                once=args.once,
                say=lambda text: print(text, flush=True),
            )
        finally:
            await sender.close()

    accepted = asyncio.run(main())
    if args.once and accepted == 0:
        raise CommandError("no measure was accepted: is `dos serve` running and `dos demo` loaded?")
    return 0
