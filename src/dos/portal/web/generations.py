"""Content generations: a token per portal app that changes with every write to its data.

Pages and the app API cache what they render under the tokens of the apps it is read from,
so a cached rendering is never served after a change. The tokens live in the database
(:class:`~dos.portal.web.models.ContentGeneration`), in the same transaction as the change,
so every server process (and the CLI, the admin, an importer) sees a change at once, although
each process keeps its own local-memory cache. Reading the tokens is one query.

Writes that send no model signal (``QuerySet.update``, ``bulk_create``, raw SQL) do not change
a token; code that writes data shown from a cache that way calls :func:`bump` itself.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

#: Apps whose data is shown from caches (and which therefore have a token).
TRACKED_APPS = ("tenancy", "cityapp", "strategy", "content", "events", "participation")
#: Models whose writes change nothing that is shown from a cache (counters, requests).
UNTRACKED_MODELS = ("cityapp.ratewindow", "cityapp.servicerequest")

_local_writes = 0  # committed bumps made in this process (see local_writes)


def _table() -> str:
    from dos.portal.web.models import ContentGeneration

    return connection.ops.quote_name(ContentGeneration._meta.db_table)


def bump(app_label: str) -> None:
    """Give ``app_label`` a new token (inside the caller's transaction, if any)."""
    table = _table()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (app_label, token) VALUES (%s, %s) "
            f"ON CONFLICT (app_label) DO UPDATE SET token = EXCLUDED.token",
            [app_label, secrets.token_hex(8)],
        )
    transaction.on_commit(_count_local_write)


def _count_local_write() -> None:
    global _local_writes
    _local_writes += 1


def local_writes() -> int:
    """How many token changes this process has committed: a cache holding :func:`snapshot`
    for a while reads it again at once when this number moves (the page cache)."""
    return _local_writes


def current(app_labels: Iterable[str]) -> str:
    """The tokens of these apps, joined in their given order ("-" for an app never written)."""
    labels = list(app_labels)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT app_label, token FROM {_table()} WHERE app_label IN "
            f"({', '.join(['%s'] * len(labels))})",
            labels,
        )
        tokens = dict(cursor.fetchall())
    return ".".join(tokens.get(label, "-") for label in labels)


def snapshot() -> str:
    """The tokens of all apps in one string (changes with any write to any tracked app)."""
    return current(TRACKED_APPS)


def _changed(sender: Any, **kwargs: Any) -> None:
    if kwargs.get("action", "post_").startswith("post_"):  # m2m_changed sends pre_ too
        bump(sender._meta.app_label)


def connect() -> None:
    """Change an app's token on every save, delete and many-to-many change of its models."""
    for label in TRACKED_APPS:
        if not apps.is_installed(f"dos.portal.{label}"):
            continue
        for model in apps.get_app_config(label).get_models():
            if model._meta.label_lower in UNTRACKED_MODELS:
                continue
            uid = f"generation-{model._meta.label_lower}"
            post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}-save")
            post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}-delete")
            for field in model._meta.local_many_to_many:
                through = field.remote_field.through
                m2m_changed.connect(
                    _changed, sender=through, dispatch_uid=f"generation-{through._meta.label_lower}"
                )
