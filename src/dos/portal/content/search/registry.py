"""What is searchable: one :class:`SearchKind` per kind of object, registered by its app."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save


@dataclass(frozen=True)
class SearchDocument:
    """The searchable form of one object. ``visible_from`` hides it until that time."""

    title: str
    text: str
    url: str
    summary: str = ""
    city_id: int | None = None
    visible_from: datetime | None = None


@dataclass(frozen=True)
class SearchKind:
    """A kind of search result (``news``, ``page``, ``project`` …).

    ``document`` returns the object's :class:`SearchDocument`, or ``None`` while the object is
    not public (a draft, an unpublished page): it is then removed from the index.
    ``objects`` yields every object of the kind for a rebuild.
    """

    kind: str
    label: Any  # a lazy translation
    model: type[models.Model]
    document: Callable[[Any], SearchDocument | None]
    objects: Callable[[], Iterable[Any]]
    order: int = 100
    matches: Callable[[Any], bool] = lambda obj: True
    #: Many-to-many fields whose changes alter the document (e.g. a project's cities).
    watch_m2m: tuple[str, ...] = ()


_KINDS: dict[str, SearchKind] = {}


def register(kind: SearchKind) -> None:
    """Make a kind searchable and keep the index current on every save and delete."""
    from dos.portal.content.search.index import index_object, remove_object

    _KINDS[kind.kind] = kind

    def saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
        if raw:
            return
        if kind.matches(instance):
            index_object(instance, kind.kind)
        else:  # e.g. a post whose kind changed from news to blog
            remove_object(instance, kind.kind)

    def deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
        if kind.matches(instance):
            remove_object(instance, kind.kind)

    def relinked(sender: Any, instance: Any, action: str, reverse: bool, **kwargs: Any) -> None:
        if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, kind.model):
            saved(kind.model, instance)

    uid = f"dos.content.search.{kind.kind}"
    post_save.connect(saved, sender=kind.model, weak=False, dispatch_uid=uid + ".save")
    post_delete.connect(deleted, sender=kind.model, weak=False, dispatch_uid=uid + ".delete")
    for name in kind.watch_m2m:
        through = getattr(kind.model, name).through
        m2m_changed.connect(relinked, sender=through, weak=False, dispatch_uid=f"{uid}.{name}")


def kinds() -> list[SearchKind]:
    """The registered kinds in display order."""
    return sorted(_KINDS.values(), key=lambda k: (k.order, k.kind))


def get(kind: str) -> SearchKind:
    return _KINDS[kind]
