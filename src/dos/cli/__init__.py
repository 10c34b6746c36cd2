"""The ``dos`` command. Each subcommand lives in its own module with ``register(subparsers)``;
every module of this package that has one is picked up, so an app adds a command by adding a
module.

Errors an operator can fix (bad settings, unreachable database, invalid input) end with one
line ``dos: error: …`` and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import import_module

from dos import __version__
from dos.config import ConfigError


def command_modules() -> list[str]:
    """The modules of this package that define commands, in name order."""
    import pkgutil

    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name != "setup")


class CommandError(Exception):
    """A failure to report as one line with exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dos",
        description="DOS – Digital Operating System of a smart-city region: NGSI-LD broker and "
        "participation portal.",
    )
    parser.add_argument("--version", action="version", version=f"dos {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in command_modules():
        module = import_module(f"dos.cli.{name}")
        if hasattr(module, "register"):
            module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result: int | None = args.handler(args)
    except (ConfigError, CommandError) as exc:
        print(f"dos: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return result or 0
