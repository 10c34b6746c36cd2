"""``dos broker retention set|show|delete|apply``: how long the temporal history is kept.

Policies per tenant and entity type (see docs/temporal.md, "Retention"); ``apply`` rolls raw
instances past their retention up into hourly (and daily) aggregates and deletes them. The
worker (``dos worker``) applies the policies once a day.
"""

from __future__ import annotations

import argparse
from typing import Any

from dos.cli import CommandError


def register_under(broker_sub: Any) -> None:
    retention = broker_sub.add_parser(
        "retention", help="how long the temporal history is kept, per tenant and entity type"
    )
    rsub = retention.add_subparsers(dest="retention_command", metavar="ACTION", required=True)
    put = rsub.add_parser(
        "set",
        help="set the policy of a tenant and entity type",
        description="Set how long raw attribute instances of a tenant's entities of one type "
        "are kept, and their hourly/daily rollups. Example: dos broker retention set "
        "--tenant dortmund --type WeatherObserved --raw P2Y --hourly forever. "
        "Tenant '*': all tenants; type '*': every type of the tenant.",
    )
    put.add_argument("--tenant", default="", help="a city's slug, '*' for all (default: none)")
    put.add_argument("--type", required=True, help="entity type (short name or IRI), or '*'")
    put.add_argument(
        "--raw", required=True, help="ISO 8601 duration (P2Y, P30D, PT48H) or 'forever'"
    )
    put.add_argument("--hourly", default="forever", help="duration, 'forever' or 'none'")
    put.add_argument("--daily", default="none", help="duration, 'forever' or 'none'")
    put.set_defaults(handler=run_set)
    show = rsub.add_parser("show", help="list the policies (of one tenant)")
    show.add_argument("--tenant", help="only this tenant (and the policies for all tenants)")
    show.set_defaults(handler=run_show)
    rm = rsub.add_parser("delete", help="remove a policy (its history is kept from then on)")
    rm.add_argument("--tenant", default="")
    rm.add_argument("--type", required=True)
    rm.set_defaults(handler=run_delete)
    apply = rsub.add_parser(
        "apply",
        help="roll up and delete what the policies no longer keep (the worker does it daily)",
    )
    apply.add_argument("--tenant", help="only this tenant")
    apply.add_argument("--dry-run", action="store_true", help="report, change nothing")
    apply.set_defaults(handler=run_apply)


def _ngsi(fn: Any) -> Any:
    from dos.broker.errors import NgsiError
    from dos.cli.broker import _store

    with _store() as store:
        try:
            return fn(store)
        except NgsiError as exc:
            raise CommandError(exc.detail) from None


def run_set(args: argparse.Namespace) -> int:
    from dos.broker.temporal.retention import check_policy, policy_set

    def write(store: Any) -> bool:
        policy = check_policy(args.tenant, args.type, args.raw, args.hourly, args.daily)
        created: bool = store.write(lambda s: policy_set(s, policy))
        return created

    created = _ngsi(write)
    tenant = args.tenant or "(default tenant)"
    verb = "set" if created else "replaced"
    print(f"retention {verb} for {tenant} {args.type}: raw {args.raw}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from dos.broker.temporal.retention import policy_list
    from dos.broker.temporal.rollup import last_run
    from dos.broker.temporal.times import from_ms

    policies, last = _ngsi(
        lambda store: store.read(lambda s: (policy_list(s, args.tenant), last_run(s)))
    )
    rows = [("TENANT", "TYPE", "RAW", "HOURLY", "DAILY", "CHANGED")]
    for p in policies:
        rows.append(
            (p.tenant or "(default)", p.entity_type, p.raw, p.hourly, p.daily, p.modified_at)
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    if not policies:
        print("(no policies: the whole history is kept)")
    print(f"last applied: {from_ms(last) if last is not None else 'never'}")
    return 0


def run_delete(args: argparse.Namespace) -> int:
    from dos.broker.temporal.retention import policy_delete

    _ngsi(lambda store: store.write(lambda s: policy_delete(s, args.tenant, args.type)))
    print(f"retention policy removed for {args.tenant or '(default tenant)'} {args.type}")
    return 0


def run_apply(args: argparse.Namespace) -> int:
    from dos.broker.temporal.rollup import retention_apply

    def apply(store: Any) -> Any:
        if args.tenant and not store.read(lambda s: s.tenant_exists(args.tenant)):
            raise CommandError(f"tenant {args.tenant!r} does not exist")
        return retention_apply(store, tenant=args.tenant, dry_run=args.dry_run)

    outcomes = _ngsi(apply)
    for o in outcomes:
        counts = (o.rolled_up, o.deleted, o.expired)
        if args.dry_run:
            done = "would roll up {} instances, delete {} and expire {} rollups".format(*counts)
        else:
            done = "rolled up {} instances, deleted {}, expired {} rollups".format(*counts)
        print(f"{o.tenant or '(default)'} {o.entity_type}: {o.entities} entities, {done}")
    if not outcomes:
        print("no entity is covered by a retention policy")
    if args.dry_run:
        print("dry run: nothing changed")
    return 0
