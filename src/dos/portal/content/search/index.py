"""Writes the search index: one SearchEntry row per object plus the engine's full-text data."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from django.db import connection
from django.utils import timezone

from dos.portal.content.models import SearchEntry
from dos.portal.content.search import registry
from dos.portal.content.search.stemming import stem_text


def engine() -> ModuleType:
    """The module that speaks the current database's full-text dialect."""
    if connection.vendor == "postgresql":
        from dos.portal.content.search import postgresql

        return postgresql
    from dos.portal.content.search import sqlite

    return sqlite


def index_object(obj: Any, kind: str) -> SearchEntry | None:
    """Add or refresh ``obj`` in the index; remove it when it is not (or no longer) public."""
    spec = registry.get(kind)
    document = spec.document(obj)
    if document is None:
        remove_object(obj, kind)
        return None
    entry, _created = SearchEntry.objects.update_or_create(
        kind=kind,
        object_id=str(obj.pk),
        defaults={
            "city_id": document.city_id,
            "title": document.title[:300],
            "summary": document.summary,
            "body": document.text,
            "stemmed_title": stem_text(document.title),
            "stemmed_body": stem_text(f"{document.summary} {document.text}"),
            "url": document.url,
            "visible_from": document.visible_from or timezone.now(),
        },
    )
    engine().write(entry)
    return entry


def remove_object(obj: Any, kind: str) -> None:
    """Drop ``obj`` from the index (nothing happens when it is not indexed)."""
    ids = list(
        SearchEntry.objects.filter(kind=kind, object_id=str(obj.pk)).values_list("pk", flat=True)
    )
    if ids:
        engine().delete(ids)
        SearchEntry.objects.filter(pk__in=ids).delete()


def rebuild(kinds: list[str] | None = None) -> int:
    """Index every object of the given kinds (all by default) afresh; returns the entry count."""
    count = 0
    for spec in registry.kinds():
        if kinds is not None and spec.kind not in kinds:
            continue
        ids = list(SearchEntry.objects.filter(kind=spec.kind).values_list("pk", flat=True))
        engine().delete(ids)
        SearchEntry.objects.filter(pk__in=ids).delete()
        for obj in spec.objects():
            if spec.matches(obj) and index_object(obj, spec.kind) is not None:
                count += 1
    return count
