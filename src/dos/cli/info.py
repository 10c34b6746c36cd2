"""``dos version`` and ``dos config``."""

from __future__ import annotations

import argparse
import platform
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from dos import __version__
from dos.cli import setup
from dos.config import settings_markdown


def register(sub: Any) -> None:
    p = sub.add_parser("version", help="print the versions of DOS and its main components")
    p.set_defaults(handler=run_version)
    p = sub.add_parser(
        "config",
        help="print the effective settings (secrets masked)",
        description="Print every setting with its effective value and where it "
        "came from. Secrets are masked.",
    )
    p.add_argument(
        "--markdown",
        action="store_true",
        help="print the settings reference (docs/settings.md) instead",
    )
    p.set_defaults(handler=run_config)


def _v(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def run_version(args: argparse.Namespace) -> int:
    print(f"dos {__version__}")
    print(
        f"python {platform.python_version()}, django {_v('django')}, "
        f"starlette {_v('starlette')}, uvicorn {_v('uvicorn')}"
    )
    return 0


def run_config(args: argparse.Namespace) -> int:
    if args.markdown:
        print(settings_markdown(), end="")
        return 0
    cfg = setup.config()
    rows = cfg.effective()
    width = max(len(name) for name, _, _ in rows)
    for name, value, source in rows:
        print(f"{name:<{width}}  {value or '(empty)'}  [{source}]")
    return 0
