"""Answers a search query, results grouped by kind in the registry's order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from dos.portal.content.models import SearchEntry
from dos.portal.content.search import registry
from dos.portal.content.search.index import engine
from dos.portal.content.search.stemming import words

MAX_RESULTS = 200


@dataclass
class ResultGroup:
    """The hits of one kind, best first; ``total`` counts all hits of the kind."""

    kind: str
    label: Any
    entries: list[SearchEntry] = field(default_factory=list)
    total: int = 0


def search(
    text: str,
    *,
    city_id: int | None = None,
    kind: str | None = None,
    per_kind: int | None = 10,
) -> list[ResultGroup]:
    """Visible entries matching every word of ``text`` (German stemming, prefix match).

    ``city_id`` limits to that city's and region-wide entries; ``kind`` to one kind, whose
    hits are then all returned (``per_kind`` caps each group otherwise).
    """
    if not words(text):
        return []
    known = [spec.kind for spec in registry.kinds()]
    wanted = [kind] if kind in known else known
    ids = engine().match(text, now=timezone.now(), city_id=city_id, kinds=wanted, limit=MAX_RESULTS)
    by_id = SearchEntry.objects.only("kind", "title", "summary", "url", "city_id").in_bulk(ids)
    groups = {
        spec.kind: ResultGroup(spec.kind, spec.label)
        for spec in registry.kinds()
        if spec.kind in wanted
    }
    cap = None if kind else per_kind
    for entry_id in ids:
        entry = by_id.get(entry_id)
        if entry is None or entry.kind not in groups:
            continue
        group = groups[entry.kind]
        group.total += 1
        if cap is None or len(group.entries) < cap:
            group.entries.append(entry)
    return [group for group in groups.values() if group.total]
