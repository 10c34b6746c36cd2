"""``dos check``: can this installation reach what it is configured to use?"""

from __future__ import annotations

import argparse
from typing import Any
from urllib.parse import urlsplit

from dos.cli import setup
from dos.config import Config, mask_url


def register(sub: Any) -> None:
    p = sub.add_parser(
        "check",
        help="check the databases, MQTT and OIDC (a line each)",
        description="Check that the databases, the MQTT broker and the OIDC "
        "provider answer. Exit code 1 if anything fails.",
    )
    p.add_argument("--timeout", type=float, default=5.0, help="seconds per check")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    cfg = setup.config()
    results = [
        ("portal database", check_portal_db(cfg)),
        ("broker database", check_broker_db(cfg)),
        ("mqtt", check_mqtt(cfg, args.timeout)),
        ("oidc", check_oidc(cfg, args.timeout)),
    ]
    failed = False
    for name, (ok, detail) in results:
        state = {True: "ok", False: "FAIL", None: "skipped"}[ok]
        failed = failed or ok is False
        print(f"{name:<16} {state:<8} {detail}")
    return 1 if failed else 0


def check_portal_db(cfg: Config) -> tuple[bool | None, str]:
    setup.django()
    from django.db import connection

    where = mask_url(cfg.DATABASE_URL) if cfg.uses_postgres else str(cfg.sqlite_path("portal"))
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return False, setup.describe_db_error(cfg, exc, "portal")
    finally:
        connection.close()
    return True, where


def check_broker_db(cfg: Config) -> tuple[bool | None, str]:
    from dos.broker.store import open_store

    store = open_store(cfg)
    where = mask_url(cfg.DATABASE_URL) if cfg.uses_postgres else str(cfg.sqlite_path("broker"))
    try:
        store.ping()
    except Exception as exc:
        return False, setup.describe_db_error(cfg, exc, "broker")
    finally:
        store.close()
    return True, where


def check_mqtt(cfg: Config, timeout: float) -> tuple[bool | None, str]:
    if not cfg.MQTT_URL:
        return None, "DOS_MQTT_URL is not set"
    import paho.mqtt.client as mqtt

    url = urlsplit(cfg.MQTT_URL)
    port = url.port or (8883 if url.scheme == "mqtts" else 1883)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    if url.username:
        client.username_pw_set(url.username, url.password)
    if url.scheme == "mqtts":
        client.tls_set()
    try:
        client.connect(url.hostname or "localhost", port, keepalive=10)
        result = client.loop(timeout=timeout)
        deadline = timeout
        while not client.is_connected() and deadline > 0 and result == mqtt.MQTT_ERR_SUCCESS:
            result = client.loop(timeout=0.2)
            deadline -= 0.2
        if not client.is_connected():
            return False, f"{mask_url(cfg.MQTT_URL)}: no CONNACK within {timeout:g}s"
    except (TimeoutError, OSError) as exc:
        return False, f"{mask_url(cfg.MQTT_URL)}: {exc}"
    finally:
        client.disconnect()
    return True, mask_url(cfg.MQTT_URL)


def check_oidc(cfg: Config, timeout: float) -> tuple[bool | None, str]:
    if not cfg.OIDC_ISSUER:
        return None, "DOS_OIDC_ISSUER is not set"
    import httpx

    url = cfg.OIDC_ISSUER.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = httpx.get(url, timeout=timeout)
        response.raise_for_status()
        issuer = response.json().get("issuer")
    except (httpx.HTTPError, ValueError) as exc:
        return False, f"{url}: {exc}"
    return True, f"issuer {issuer}"
