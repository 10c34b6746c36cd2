"""Start Django for commands that need the portal, turning its failures into one line."""

from __future__ import annotations

import os
from typing import Any

from dos.config import Config, load, mask_url


def config() -> Config:
    return load()


def django() -> Config:
    """Load the settings and set up Django (raises ConfigError on bad settings)."""
    cfg = load()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dos.portal.settings")
    import django as dj

    dj.setup()
    from django.utils import translation

    translation.activate("en")  # command output is English; the web UI is German first
    return cfg


def describe_db_error(cfg: Config, exc: Exception, part: str) -> str:
    """One line naming the database and the problem, never its password."""
    where = mask_url(str(cfg.DATABASE_URL)) if cfg.uses_postgres else str(cfg.sqlite_path(part))
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if cfg.DATABASE_URL and "@" in str(cfg.DATABASE_URL):
        password = _password(str(cfg.DATABASE_URL))
        if password:
            reason = reason.replace(password, "***")
    return f"cannot reach the {part} database at {where}: {reason}"


def _password(url: str) -> Any:
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).password
    except ValueError:
        return None
