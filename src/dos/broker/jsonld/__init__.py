"""JSON-LD for the NGSI-LD broker: core contexts, @context resolution, expansion, compaction.

Pure functions over plain dicts (no Django, no storage); see docs/jsonld.md. The names below
are the public API the rest of the broker uses:

- :class:`ContextResolver` turns a request's ``Link`` header / body ``@context`` into an
  :class:`ActiveContext` (core context always last; user contexts fetched with a timeout
  and a size cap, cached, stored as ``Cached`` in a :class:`ContextRepository`).
- :func:`expand_entity` validates a client payload (normalized, concise or simplified) and
  returns the internal entity form; :func:`compact_entity` renders it back, and
  :func:`to_geojson` / :func:`to_feature` render application/geo+json.
- :func:`context_list`, :func:`context_show`, :func:`context_add`,
  :func:`context_add_implicit`, :func:`context_delete` implement ``/jsonldContexts``.
"""

from dos.broker.jsonld.active import ActiveContext, build_active_context, core_active_context
from dos.broker.jsonld.compact import compact_attribute, compact_entity, compact_types
from dos.broker.jsonld.contexts import CORE_CONTEXT_URL, core_context_document, is_core_context_url
from dos.broker.jsonld.expand import (
    NGSI_LD_NULL,
    expand_attribute,
    expand_attributes,
    expand_entity,
    expand_name,
    expand_projection,
    expand_scope,
    expand_types,
)
from dos.broker.jsonld.geojson import GEO_JSON, to_feature, to_geojson
from dos.broker.jsonld.operations import (
    context_add,
    context_add_implicit,
    context_delete,
    context_list,
    context_show,
)
from dos.broker.jsonld.repository import (
    ContextRepository,
    MemoryContextRepository,
    StoredContext,
)
from dos.broker.jsonld.representations import pick_language, representation_from_options
from dos.broker.jsonld.resolver import (
    JSON_LD,
    NO_CONTEXT,
    ContextResolver,
    context_url_from_link,
    link_header,
)

__all__ = [
    "CORE_CONTEXT_URL",
    "GEO_JSON",
    "JSON_LD",
    "NGSI_LD_NULL",
    "NO_CONTEXT",
    "ActiveContext",
    "ContextRepository",
    "ContextResolver",
    "MemoryContextRepository",
    "StoredContext",
    "build_active_context",
    "compact_attribute",
    "compact_entity",
    "compact_types",
    "context_add",
    "context_add_implicit",
    "context_delete",
    "context_list",
    "context_show",
    "context_url_from_link",
    "core_active_context",
    "core_context_document",
    "expand_attribute",
    "expand_attributes",
    "expand_entity",
    "expand_name",
    "expand_projection",
    "expand_scope",
    "expand_types",
    "is_core_context_url",
    "link_header",
    "pick_language",
    "representation_from_options",
    "to_feature",
    "to_geojson",
]
