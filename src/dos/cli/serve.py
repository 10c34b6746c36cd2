"""``dos serve``: the portal and the NGSI-LD broker in one ASGI server (uvicorn)."""

from __future__ import annotations

import argparse
import os
from typing import Any

from dos.cli import CommandError, setup


def register(sub: Any) -> None:
    p = sub.add_parser(
        "serve",
        help="serve the portal and the NGSI-LD API",
        description="Serve DOS over HTTP. Defaults come from DOS_HOST, DOS_PORT, "
        "DOS_WORKERS and DOS_SERVE_ONLY.",
    )
    p.add_argument("--host", help="address to bind (default: DOS_HOST)")
    p.add_argument("--port", type=int, help="port (default: DOS_PORT)")
    p.add_argument("--workers", type=int, help="worker processes (default: DOS_WORKERS)")
    p.add_argument(
        "--only",
        choices=("broker", "portal"),
        help="serve only the NGSI-LD broker or only the portal",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.only:
        os.environ["DOS_SERVE_ONLY"] = args.only
    cfg = setup.config()
    workers = args.workers or cfg.WORKERS
    if workers < 1:
        raise CommandError("--workers must be at least 1")
    _check_databases(cfg)
    options: dict[str, Any] = {
        "app": "dos.asgi:create_app",
        "factory": True,
        "log_config": None,
        "proxy_headers": True,
        "server_header": False,
        "lifespan": "on",
    }
    host, port = args.host or cfg.HOST, args.port or cfg.PORT
    from dos import serving

    if workers > 1 and serving.supported():
        # a listening socket per worker: the kernel spreads connections over the workers
        try:
            serving.run(options, host, port, workers)
        except OSError as exc:
            raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        return 0
    import uvicorn

    uvicorn.run(host=host, port=port, workers=workers, **options)
    return 0


def _check_databases(cfg: Any) -> None:
    """Fail before binding the port when a database is unreachable or not migrated."""
    if cfg.SERVE_ONLY in ("all", "broker"):
        from dos.broker.store import open_store

        store = open_store(cfg)
        try:
            store.ping()
        except Exception as exc:
            raise CommandError(setup.describe_db_error(cfg, exc, "broker")) from None
        finally:
            store.close()
    if cfg.SERVE_ONLY in ("all", "portal"):
        setup.django()
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        try:
            plan = MigrationExecutor(connection).migration_plan(
                MigrationExecutor(connection).loader.graph.leaf_nodes()
            )
        except Exception as exc:
            raise CommandError(setup.describe_db_error(cfg, exc, "portal")) from None
        finally:
            connection.close()
        if plan:
            raise CommandError(
                f"the portal database has {len(plan)} unapplied migration(s): "
                "run `dos migrate` first"
            )
