"""The NGSI-LD core @context documents shipped inside the package (ETSI GS CIM 009 Annex B).

They are recognised by their exact URLs and never fetched: a broker must work without the
internet (uri.etsi.org is not reachable from every deployment). The files are copies of the
published core contexts:

- ``ngsi-ld-core-context-v1.8.jsonld``: the published v1.8.1 core context, the broker's own.
- ``ngsi-ld-core-context-v1.7.jsonld``: the published v1.7 core context.
- ``ngsi-ld-core-context-v1.6.jsonld``: the v1.6 core context — the v1.7 document without
  the five terms v1.7 added (``VocabularyProperty``, ``vocab``, ``vocabs``, ``previousVocab``,
  ``dataset``); every other term is defined identically in both.

The older URLs (v1.5 and below, and the unversioned one) are served with the v1.7 document.
Core contexts only ever add terms, and the broker's core context (v1.8, ``@protected``) is
always applied last (§5.5.7), so every term an older client uses expands exactly as before.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import orjson

CORE_PREFIX = "https://uri.etsi.org/ngsi-ld/v1/"

#: The core @context URL this broker advertises (Link headers, /jsonldContexts).
CORE_CONTEXT_URL = CORE_PREFIX + "ngsi-ld-core-context-v1.8.jsonld"

#: Every core @context URL recognised without network → the packaged file holding it.
CORE_CONTEXT_FILES: dict[str, str] = {
    CORE_PREFIX + "ngsi-ld-core-context-v1.8.jsonld": "ngsi-ld-core-context-v1.8.jsonld",
    CORE_PREFIX + "ngsi-ld-core-context-v1.7.jsonld": "ngsi-ld-core-context-v1.7.jsonld",
    CORE_PREFIX + "ngsi-ld-core-context-v1.6.jsonld": "ngsi-ld-core-context-v1.6.jsonld",
    CORE_PREFIX + "ngsi-ld-core-context-v1.5.jsonld": "ngsi-ld-core-context-v1.7.jsonld",
    CORE_PREFIX + "ngsi-ld-core-context-v1.4.jsonld": "ngsi-ld-core-context-v1.7.jsonld",
    CORE_PREFIX + "ngsi-ld-core-context-v1.3.jsonld": "ngsi-ld-core-context-v1.7.jsonld",
    CORE_PREFIX + "ngsi-ld-core-context.jsonld": "ngsi-ld-core-context-v1.7.jsonld",
}

#: The default vocabulary of the core context: terms no @context defines expand under it.
DEFAULT_VOCAB = "https://uri.etsi.org/ngsi-ld/default-context/"

NGSI_LD = "https://uri.etsi.org/ngsi-ld/"


def is_core_context_url(url: str) -> bool:
    """True when ``url`` names one of the packaged core @context documents."""
    return url in CORE_CONTEXT_FILES


@functools.cache
def _load_file(name: str) -> bytes:
    return resources.files("dos.broker.jsonld").joinpath("data", name).read_bytes()


def core_context_document(url: str = CORE_CONTEXT_URL) -> dict[str, Any]:
    """The packaged JSON-LD document (``{"@context": {...}}``) served for a core context URL.

    A fresh copy each call, so callers may not corrupt the shared one. Raises ``KeyError``
    for a URL that is not a core context.
    """
    document: dict[str, Any] = orjson.loads(_load_file(CORE_CONTEXT_FILES[url]))
    return document


def core_context_bytes(url: str = CORE_CONTEXT_URL) -> bytes:
    """The packaged core @context document as stored (to serve it byte for byte)."""
    return _load_file(CORE_CONTEXT_FILES[url])
