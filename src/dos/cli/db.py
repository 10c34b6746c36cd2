"""``dos migrate``: bring the portal's and the broker's databases up to date."""

from __future__ import annotations

import argparse
import io
from typing import Any

from dos.cli import CommandError, setup


def register(sub: Any) -> None:
    p = sub.add_parser(
        "migrate",
        help="create or update the portal and broker databases",
        description="Apply the schema migrations of the portal (Django) and of "
        "the broker, and collect the static files.",
    )
    p.add_argument("--only", choices=("portal", "broker"), help="migrate one part only")
    p.add_argument("--quiet", action="store_true", help="print only errors")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    cfg = setup.config()
    say = (lambda _msg: None) if args.quiet else print
    if args.only in (None, "broker"):
        from dos.broker.store import open_store

        store = open_store(cfg)
        try:
            applied = store.migrate()
        except Exception as exc:
            raise CommandError(setup.describe_db_error(cfg, exc, "broker")) from None
        finally:
            store.close()
        say(f"broker ({store.engine}): {len(applied)} migration(s) applied")
    if args.only in (None, "portal"):
        setup.django()
        from django.core.management import call_command
        from django.db.utils import OperationalError

        out = io.StringIO()
        try:
            call_command("migrate", interactive=False, verbosity=1, stdout=out)
        except OperationalError as exc:
            raise CommandError(setup.describe_db_error(cfg, exc, "portal")) from None
        applied = out.getvalue().count(" OK")
        say(f"portal: {applied} migration(s) applied")
        call_command("collectstatic", interactive=False, verbosity=0)
        say(f"static files collected in {cfg.data_dir / 'static'}")
    return 0
