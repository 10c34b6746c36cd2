"""Full-text search over posts, pages and whatever other apps register (projects, ideas …).

- :mod:`.registry`: what is searchable. An app calls :func:`register` with a
  :class:`SearchKind` (its model and a function that turns an object into a
  :class:`SearchDocument`, or ``None`` when it is not public); saving or deleting such an
  object then updates the index by itself.
- :mod:`.index`: writes the index (:class:`~dos.portal.content.models.SearchEntry` rows plus
  the engine's full-text structure).
- :mod:`.query`: answers a query, results grouped by kind.
- Engines: :mod:`.sqlite` (FTS5 over German Snowball stems computed in Python) and
  :mod:`.postgresql` (``to_tsvector('german', …)`` with a GIN index).
"""

from dos.portal.content.search.index import index_object, rebuild, remove_object
from dos.portal.content.search.query import ResultGroup, search
from dos.portal.content.search.registry import SearchDocument, SearchKind, kinds, register

__all__ = [
    "ResultGroup",
    "SearchDocument",
    "SearchKind",
    "index_object",
    "kinds",
    "rebuild",
    "register",
    "remove_object",
    "search",
]
