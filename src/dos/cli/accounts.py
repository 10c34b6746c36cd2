"""``dos createadmin``: create or reset a region admin."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dos.cli import CommandError, setup


def register(sub: Any) -> None:
    p = sub.add_parser(
        "createadmin",
        help="create (or reset the password of) a region admin",
        description="Create a region admin who can log in at /admin/. Without "
        "--password-stdin a password is generated and printed once.",
    )
    p.add_argument("--email", required=True, help="the admin's e-mail address (the login)")
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input instead of generating one",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    setup.django()
    from django.core.exceptions import ValidationError

    from dos.portal.accounts.actions import admin_create

    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if len(password) < 10:
            raise CommandError("the password must have at least 10 characters")
    try:
        user, password = admin_create(args.email, password)
    except ValidationError as exc:
        fields = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        raise CommandError(f"invalid admin account: {fields}") from None
    print(f"region admin {user.email} is ready")
    if not args.password_stdin:
        print(f"password (shown once): {password}")
    return 0
