"""``dos broker token|service|device|retention …``: API tokens, the ingestion registry and
the retention of the temporal history (``dos.cli.broker_retention``).

``token create|list|revoke``: bearer tokens of the NGSI-LD API. ``service add|list|remove``
and ``device add|list|remove``: service groups (API keys) and devices of the IoT ingestion,
the same records as ``/iot/services`` and ``/iot/devices`` (see docs/ingestion.md).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dos.cli import CommandError, setup

_TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")


def register(sub: Any) -> None:
    p = sub.add_parser("broker", help="manage the NGSI-LD broker (API tokens, sensors)")
    broker_sub = p.add_subparsers(dest="broker_command", metavar="ACTION", required=True)
    token = broker_sub.add_parser("token", help="create, list or revoke NGSI-LD API tokens")
    token_sub = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    create = token_sub.add_parser(
        "create",
        help="create a token (shown once)",
        description="Create a bearer token for one tenant. The token is printed once and "
        "stored only as a hash. Scope `write` allows reading too.",
    )
    create.add_argument(
        "--tenant", default="", help="NGSILD-Tenant, a city's slug (default: the default tenant)"
    )
    create.add_argument("--scope", choices=("read", "write"), required=True)
    create.add_argument("--label", default="", help="what the token is for, e.g. the device")
    create.set_defaults(handler=run_create)
    ls = token_sub.add_parser("list", help="list the tokens (never their secrets)")
    ls.set_defaults(handler=run_list)
    revoke = token_sub.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("id", help="the token id shown by `dos broker token list`")
    revoke.set_defaults(handler=run_revoke)
    from dos.cli import broker_devices, broker_retention

    broker_devices.register_under(broker_sub)
    broker_retention.register_under(broker_sub)


@contextmanager
def _store() -> Iterator[Any]:
    from dos.broker.store import open_store

    cfg = setup.config()
    store = open_store(cfg)
    try:
        store.migrate()
    except Exception as exc:
        store.close()
        raise CommandError(setup.describe_db_error(cfg, exc, "broker")) from None
    try:
        yield store
    finally:
        store.close()


def run_create(args: argparse.Namespace) -> int:
    from dos.broker.tokens import token_create

    if args.tenant and not _TENANT.match(args.tenant):
        raise CommandError(f"tenant {args.tenant!r} is not a tenant name (letters, digits, -, _)")
    with _store() as store:
        token_id, secret = token_create(store, args.tenant, args.scope, args.label)
    tenant = args.tenant or "(default tenant)"
    print(f"token {token_id} for {tenant}, scope {args.scope}; shown only now:")
    print(secret)
    return 0


def run_list(args: argparse.Namespace) -> int:
    from dos.broker.tokens import token_list

    with _store() as store:
        tokens = token_list(store)
    for token in tokens:
        state = f"revoked {token['revoked_at']}" if token["revoked_at"] else "active"
        tenant = token["tenant"] or "(default)"
        print(
            f"{token['id']}  {tenant:<16} {token['scope']:<6} {state:<32} "
            f"{token['created_at']}  {token['label']}".rstrip()
        )
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    from dos.broker.tokens import token_revoke

    with _store() as store:
        if not token_revoke(store, args.id):
            raise CommandError(f"no active token with id {args.id}")
    print(f"token {args.id} revoked")
    return 0
