"""``dos broker service|device add|list|remove``: the ingestion registry from the shell.

Writes go straight to the broker database with the validation of the HTTP API; a running
server notices a changed or removed device within a few seconds (its lookup cache).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from dos.cli import CommandError


def register_under(broker_sub: Any) -> None:
    service = broker_sub.add_parser("service", help="add, list or remove service groups")
    ssub = service.add_subparsers(dest="service_command", metavar="ACTION", required=True)
    add = ssub.add_parser("add", help="add a service group (an API key for one entity type)")
    add.add_argument("--apikey", required=True)
    add.add_argument("--entity-type", required=True, help="e.g. WeatherObserved")
    add.add_argument("--resource", default="/iot/json")
    add.add_argument("--tenant", default="", help="tenant (fiware-service); default: none")
    add.set_defaults(handler=run_service_add)
    ls = ssub.add_parser("list", help="list the service groups of a tenant")
    ls.add_argument("--tenant", default="")
    ls.set_defaults(handler=run_service_list)
    rm = ssub.add_parser("remove", help="remove a service group")
    rm.add_argument("--apikey", required=True)
    rm.add_argument("--tenant", default="")
    rm.set_defaults(handler=run_service_remove)

    device = broker_sub.add_parser("device", help="add, list or remove devices")
    dsub = device.add_subparsers(dest="device_command", metavar="ACTION", required=True)
    dadd = dsub.add_parser(
        "add",
        help="provision a device",
        description="Provision a device. Example: dos broker device add klima-001 "
        "--apikey klima --entity-type WeatherObserved --attr t=temperature:CEL "
        "--attr h=relativeHumidity:P1 --location 51.51,7.46",
    )
    dadd.add_argument("device_id")
    dadd.add_argument("--apikey", help="the service group's API key (default: the only one)")
    dadd.add_argument("--entity-type", help="default: the service group's")
    dadd.add_argument("--entity-id", help="default: urn:ngsi-ld:<type>:<device_id>")
    dadd.add_argument(
        "--attr",
        action="append",
        default=[],
        metavar="OBJECT_ID=NAME[:UNITCODE]",
        help="map a measured value (repeatable)",
    )
    dadd.add_argument(
        "--static", action="append", default=[], metavar="NAME=VALUE", help="static attribute"
    )
    dadd.add_argument("--location", metavar="LAT,LON", help="where the device is")
    dadd.add_argument("--tenant", default="")
    dadd.set_defaults(handler=run_device_add)
    dls = dsub.add_parser("list", help="list the devices of a tenant")
    dls.add_argument("--tenant", default="")
    dls.set_defaults(handler=run_device_list)
    drm = dsub.add_parser("remove", help="remove a device (its entity stays)")
    drm.add_argument("device_id")
    drm.add_argument("--tenant", default="")
    drm.set_defaults(handler=run_device_remove)


def _write(fn: Any) -> Any:
    from dos.broker.errors import NgsiError
    from dos.cli.broker import _store

    with _store() as store:
        try:
            return store.write(fn)
        except NgsiError as exc:
            raise CommandError(exc.detail) from None


def _read(fn: Any) -> Any:
    from dos.cli.broker import _store

    with _store() as store:
        return store.read(fn)


def _valid(build: Any, raw: dict[str, Any]) -> dict[str, Any]:
    from dos.broker.errors import NgsiError

    try:
        record: dict[str, Any] = build(raw)
    except NgsiError as exc:
        raise CommandError(exc.detail) from None
    return record


def run_service_add(args: argparse.Namespace) -> int:
    from dos.broker.ingest import registry

    raw = {"apikey": args.apikey, "entity_type": args.entity_type, "resource": args.resource}
    record = _valid(registry.service_from, raw)
    _write(lambda s: registry.service_put(s, args.tenant, record, create=True))
    print(f"service group {args.apikey} added ({args.entity_type})")
    return 0


def run_service_list(args: argparse.Namespace) -> int:
    from dos.broker.ingest import registry

    for group in _read(lambda s: registry.service_list(s, args.tenant)):
        print(f"{group['apikey']:<24} {group['resource']:<12} {group['entity_type']}")
    return 0


def run_service_remove(args: argparse.Namespace) -> int:
    from dos.broker.ingest import registry

    _write(lambda s: registry.service_delete(s, args.tenant, args.apikey, None))
    print(f"service group {args.apikey} removed")
    return 0


def _attr(text: str) -> dict[str, str]:
    object_id, sep, rest = text.partition("=")
    if not sep:
        raise CommandError(f"--attr {text!r} must be OBJECT_ID=NAME[:UNITCODE]")
    name, _, unit = rest.partition(":")
    attr = {"object_id": object_id, "name": name, "type": "Number"}
    if unit:
        attr["unitCode"] = unit
    return attr


def _static(text: str) -> dict[str, Any]:
    name, sep, value = text.partition("=")
    if not sep:
        raise CommandError(f"--static {text!r} must be NAME=VALUE")
    try:
        parsed: Any = json.loads(value)
    except ValueError:
        parsed = value
    return {"name": name, "type": "Property", "value": parsed}


def run_device_add(args: argparse.Namespace) -> int:
    from dos.broker.ingest import registry

    raw: dict[str, Any] = {
        "device_id": args.device_id,
        "attributes": [_attr(a) for a in args.attr],
        "static_attributes": [_static(s) for s in args.static],
    }
    if args.location:
        raw["static_attributes"].append(
            {"name": "location", "type": "geo:point", "value": args.location}
        )
    for key, value in (
        ("apikey", args.apikey),
        ("entity_type", args.entity_type),
        ("entity_name", args.entity_id),
    ):
        if value:
            raw[key] = value
    record = _valid(registry.device_from, raw)
    _write(lambda s: registry.device_put(s, args.tenant, record, create=True))
    print(f"device {args.device_id} added → {record['entity_name']}")
    return 0


def run_device_list(args: argparse.Namespace) -> int:
    from dos.broker.ingest import registry

    devices, count = _read(lambda s: registry.device_list(s, args.tenant, 100_000, 0))
    for device in devices:
        mapped = ",".join(f"{a['object_id']}={a['name']}" for a in device["attributes"])
        print(f"{device['device_id']:<24} {device['apikey']:<16} {device['entity_name']}  {mapped}")
    print(f"{count} devices")
    return 0


def run_device_remove(args: argparse.Namespace) -> int:
    from dos.broker.ingest import registry

    _write(lambda s: registry.device_delete(s, args.tenant, args.device_id))
    print(f"device {args.device_id} removed")
    return 0
