"""``dos strategy export|import``: the strategy as JSON (everything) or CSV (projects)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from dos.cli import CommandError, setup


def register(sub: Any) -> None:
    p = sub.add_parser("strategy", help="export or import the strategy (JSON or CSV)")
    strategy_sub = p.add_subparsers(dest="strategy_command", metavar="ACTION", required=True)
    export = strategy_sub.add_parser(
        "export",
        help="write the strategy as JSON or the projects as CSV",
        description="Write the whole strategy (texts, action fields, projects with "
        "milestones, KPIs and values, evaluations) as JSON, or the projects as CSV.",
    )
    export.add_argument("--format", choices=["json", "csv"], default="json")
    export.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
    export.set_defaults(handler=run_export)
    imp = strategy_sub.add_parser(
        "import",
        help="create or update the strategy from a JSON or CSV file",
        description="Import a JSON or CSV export. Projects are matched by their code. "
        "Every row is checked; if any row is invalid, nothing is imported and each problem "
        "is listed with its row number, field and reason.",
    )
    imp.add_argument("file", type=Path, help="the .json or .csv file")
    imp.add_argument("--format", choices=["json", "csv"], help="default: from the file name")
    imp.set_defaults(handler=run_import)
    kpis = strategy_sub.add_parser(
        "kpis",
        help="compute the live KPIs and publish all KPIs to the NGSI-LD broker",
        description="Compute every live KPI from the urban data platform (storing today's "
        "value) and publish every KPI as a KeyPerformanceIndicator entity.",
    )
    kpis.add_argument("--no-publish", action="store_true", help="only compute, do not publish")
    kpis.set_defaults(handler=run_kpis)


def run_export(args: argparse.Namespace) -> int:
    setup.django()
    from dos.portal.strategy import transfer

    if args.format == "csv":
        text = transfer.export_csv()
    else:
        text = json.dumps(transfer.export_data(), ensure_ascii=False, indent=2) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"strategy exported to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def run_import(args: argparse.Namespace) -> int:
    setup.django()
    from dos.portal.strategy import transfer

    try:
        text = args.file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CommandError(f"cannot read {args.file}: {exc.strerror}") from None
    fmt = args.format or ("csv" if args.file.suffix.lower() == ".csv" else "json")
    try:
        if fmt == "csv":
            count = transfer.import_csv(text)
        else:
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise CommandError(f"{args.file} is not valid JSON: {exc}") from None
            count = transfer.import_data(data)
    except transfer.ImportFailed as failed:
        for error in failed.errors:
            print(f"{args.file}: {error}", file=sys.stderr)
        raise CommandError(f"import failed: {failed}") from None
    print(f"{count} project(s) imported from {args.file}")
    return 0


def run_kpis(args: argparse.Namespace) -> int:
    config = setup.django()
    try:
        from dos.broker.client import BrokerClient
    except ImportError:
        raise CommandError(
            "the broker client (dos.broker.client) is not part of this build"
        ) from None
    from dos.portal.accounts.permissions import SYSTEM
    from dos.portal.strategy import actions, live
    from dos.portal.strategy.models import Kpi

    client = BrokerClient.from_config(config)
    kpis = list(Kpi.objects.select_related("project", "city").prefetch_related("values"))
    for kpi in kpis:
        if kpi.source != "live":
            continue
        try:
            entry = actions.kpi_refresh(SYSTEM, kpi, client)
        except live.LiveUnavailable as exc:
            print(f"{kpi.project.code} {kpi.name}: not computed ({exc})", file=sys.stderr)
            continue
        shown = f"{entry.value} {kpi.unit}" if entry else "no data in the period"
        print(f"{kpi.project.code} {kpi.name}: {shown}")
    if not args.no_publish:
        kpis = list(
            Kpi.objects.select_related("project").prefetch_related("values", "project__cities")
        )
        print(f"{live.publish(kpis, client)} KPI entities published")
    return 0
