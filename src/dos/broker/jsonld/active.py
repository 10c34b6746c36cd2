"""Active JSON-LD contexts: term maps built once per distinct @context and reused.

This is the part of the JSON-LD 1.1 context processing algorithm (W3C JSON-LD 1.1 API §4.1,
§4.2) that NGSI-LD needs: term definitions (simple and expanded), keyword aliases, compact IRIs,
``@vocab``, ``@import``, nested and remote contexts. Expansion and compaction of names are
cached per context, so the common case (core context plus one small user context) costs a
dictionary lookup per attribute. Remote documents are loaded beforehand by
:mod:`dos.broker.jsonld.resolver`; this module never touches the network.

The core @context is always applied last (ETSI GS CIM 009 §5.5.7): its terms win over user
definitions, as its ``@protected`` flag demands.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import orjson

from dos.broker.errors import NgsiError
from dos.broker.jsonld.contexts import (
    CORE_CONTEXT_URL,
    core_context_document,
    is_core_context_url,
)

#: JSON-LD 1.1 gen-delims: an IRI ending in one of these may serve as a prefix (§4.2.2 step 14.2.3).
_GEN_DELIMS = (":", "/", "?", "#", "[", "]", "@")
_MAX_TERMS_CACHE = 10_000


@dataclass(frozen=True, slots=True)
class TermDefinition:
    """One term of an active context (JSON-LD 1.1 API §4.2)."""

    iri: str
    type_mapping: str | None = None
    container: str | None = None
    prefix: bool = False


class ActiveContext:
    """A processed @context: term definitions plus cached name expansion and compaction."""

    __slots__ = (
        "_compact_cache",
        "_expand_cache",
        "_inverse",
        "_prefixes",
        "source",
        "terms",
        "vocab",
    )

    def __init__(self, terms: dict[str, TermDefinition], vocab: str | None, source: list[Any]):
        self.terms = terms
        self.vocab = vocab
        #: the user @context items in request order (URLs or inline objects), core excluded
        self.source = source
        self._expand_cache: dict[str, str] = {}
        self._compact_cache: dict[str, str] = {}
        self._inverse: dict[str, str] | None = None
        self._prefixes: list[tuple[str, str]] | None = None

    # ------------------------------------------------------------------ expansion
    def expand(self, name: str) -> str:
        """Expand a term, compact IRI or IRI used as a name or type (vocab-relative)."""
        cached = self._expand_cache.get(name)
        if cached is not None:
            return cached
        iri = self._expand_uncached(name)
        if len(self._expand_cache) < _MAX_TERMS_CACHE:
            self._expand_cache[name] = iri
        return iri

    def _expand_uncached(self, name: str) -> str:
        if name.startswith("@"):
            return name
        definition = self.terms.get(name)
        if definition is not None:
            return definition.iri
        if ":" in name:
            prefix, suffix = name.split(":", 1)
            if prefix == "_" or suffix.startswith("//"):
                return name
            prefix_def = self.terms.get(prefix)
            if prefix_def is not None and prefix_def.prefix:
                return prefix_def.iri + suffix
            return name
        if self.vocab is not None:
            return self.vocab + name
        return name

    def term(self, name: str) -> TermDefinition | None:
        """The definition of a term, if the context defines it."""
        return self.terms.get(name)

    # ------------------------------------------------------------------ compaction
    def compact(self, iri: str) -> str:
        """Compact an IRI back to the shortest name that expands to it (JSON-LD 1.1 API §6.2)."""
        cached = self._compact_cache.get(iri)
        if cached is not None:
            return cached
        name = self._compact_uncached(iri)
        if len(self._compact_cache) < _MAX_TERMS_CACHE:
            self._compact_cache[iri] = name
        return name

    def _compact_uncached(self, iri: str) -> str:
        inverse = self._inverse_map()
        term = inverse.get(iri)
        if term is not None:
            return term
        vocab = self.vocab
        if vocab is not None and iri.startswith(vocab) and len(iri) > len(vocab):
            suffix = iri[len(vocab) :]
            if suffix not in self.terms and ":" not in suffix:
                return suffix
        best: str | None = None
        for prefix_iri, prefix_term in self._prefix_list():
            if iri.startswith(prefix_iri) and len(iri) > len(prefix_iri):
                candidate = prefix_term + ":" + iri[len(prefix_iri) :]
                if (best is None or (len(candidate), candidate) < (len(best), best)) and (
                    candidate not in self.terms
                ):
                    best = candidate
        return best if best is not None else iri

    def _inverse_map(self) -> dict[str, str]:
        if self._inverse is None:
            inverse: dict[str, str] = {}
            for term, definition in self.terms.items():
                if definition.iri.startswith("@"):
                    continue
                current = inverse.get(definition.iri)
                if current is None or (len(term), term) < (len(current), current):
                    inverse[definition.iri] = term
            self._inverse = inverse
        return self._inverse

    def _prefix_list(self) -> list[tuple[str, str]]:
        if self._prefixes is None:
            self._prefixes = [
                (definition.iri, term)
                for term, definition in self.terms.items()
                if definition.prefix and not definition.iri.startswith("@")
            ]
        return self._prefixes

    # ------------------------------------------------------------------ rendering
    def context_value(self) -> Any:
        """The ``@context`` to put into an application/ld+json response body.

        The request's own @context as it came (a URL stays a string); the core context URL
        when the request brought none. The core context applies implicitly in NGSI-LD, so it
        is not appended (clients compare the @context they sent with the one they get).
        """
        if not self.source:
            return CORE_CONTEXT_URL
        return self.source[0] if len(self.source) == 1 else list(self.source)

    def link_url(self) -> str:
        """The URL for a ``Link`` header on an application/json response.

        The user's context URL when the request named exactly one; the core context otherwise
        (inline contexts have no URL; the broker helper may host them and link to that).
        """
        if len(self.source) == 1 and isinstance(self.source[0], str):
            return self.source[0]
        return CORE_CONTEXT_URL


# ---------------------------------------------------------------------- processing
LoadContext = Callable[[str], Any]
"""Returns the ``@context`` member of the document at a URL (already fetched)."""


def _bad_context(detail: str) -> NgsiError:
    return NgsiError("BadRequestData", f"invalid @context: {detail}")


class _Builder:
    def __init__(self, load: LoadContext) -> None:
        self.terms: dict[str, TermDefinition] = {}
        self.vocab: str | None = None
        self.load = load

    def process(self, local: Any, seen: tuple[str, ...] = ()) -> None:
        items = local if isinstance(local, list) else [local]
        for item in items:
            if item is None:
                self.terms = {}
                self.vocab = None
            elif isinstance(item, str):
                if item in seen:
                    raise _bad_context(f"{item} includes itself")
                if len(seen) > 16:
                    raise _bad_context("remote contexts nested too deeply")
                if is_core_context_url(item):
                    self.process(_core_value(item), (*seen, item))
                else:
                    self.process(self.load(item), (*seen, item))
            elif isinstance(item, dict):
                self._process_object(item, seen)
            else:
                raise _bad_context(f"a context must be a URL, an object or an array, not {item!r}")

    def _process_object(self, local: dict[str, Any], seen: tuple[str, ...]) -> None:
        if "@import" in local:
            url = local["@import"]
            if not isinstance(url, str):
                raise _bad_context("@import must be a URL")
            imported = self.load(url)
            if not isinstance(imported, dict):
                raise _bad_context(f"@import {url} is not a context object")
            local = {**imported, **{k: v for k, v in local.items() if k != "@import"}}
        version = local.get("@version")
        if version is not None and version != 1.1:
            raise _bad_context(f"@version {version!r} (only 1.1)")
        if "@vocab" in local:
            vocab = local["@vocab"]
            if vocab is None:
                self.vocab = None
            elif isinstance(vocab, str):
                self.vocab = self._expand_for_definition(local, vocab, {})
            else:
                raise _bad_context("@vocab must be a string or null")
        defined: dict[str, bool] = {}
        for term in local:
            if not term.startswith("@"):
                self._create_term(local, term, defined)

    def _create_term(self, local: dict[str, Any], term: str, defined: dict[str, bool]) -> None:
        state = defined.get(term)
        if state is True:
            return
        if state is False:
            raise _bad_context(f"cyclic IRI mapping for {term!r}")
        defined[term] = False
        value = local[term]
        simple = isinstance(value, str)
        if value is None or (isinstance(value, dict) and value.get("@id", "") is None):
            self.terms.pop(term, None)
            defined[term] = True
            return
        if simple:
            value = {"@id": value}
        if not isinstance(value, dict):
            raise _bad_context(f"the definition of {term!r} must be a string or an object")
        raw_id = value.get("@id")
        if raw_id == term:
            raw_id = None  # JSON-LD 1.1 API §4.2.2 step 14.2: a term mapped to itself
        if raw_id is not None:
            if not isinstance(raw_id, str):
                raise _bad_context(f"@id of {term!r} must be a string")
            iri = self._expand_for_definition(local, raw_id, defined)
        elif "@reverse" in value:
            defined[term] = True
            return
        elif ":" in term:
            iri = self._expand_for_definition(local, term, defined)
        elif self.vocab is not None:
            iri = self.vocab + term
        else:
            raise _bad_context(f"{term!r} has no IRI and there is no @vocab")
        type_mapping = value.get("@type")
        if type_mapping is not None:
            if not isinstance(type_mapping, str):
                raise _bad_context(f"@type of {term!r} must be a string")
            if not type_mapping.startswith("@"):
                type_mapping = self._expand_for_definition(local, type_mapping, defined)
        container = value.get("@container")
        if isinstance(container, list):
            container = ",".join(sorted(str(c) for c in container))
        elif container is not None and not isinstance(container, str):
            raise _bad_context(f"@container of {term!r} must be a string or an array")
        is_prefix = bool(value.get("@prefix", simple and iri.endswith(_GEN_DELIMS)))
        self.terms[term] = TermDefinition(iri, type_mapping, container, is_prefix)
        defined[term] = True

    def _expand_for_definition(
        self, local: dict[str, Any], value: str, defined: dict[str, bool]
    ) -> str:
        if value.startswith("@"):
            return value
        if value in local and defined.get(value) is not True and not value.startswith("@"):
            self._create_term(local, value, defined)
        definition = self.terms.get(value)
        if definition is not None:
            return definition.iri
        if ":" in value:
            prefix, suffix = value.split(":", 1)
            if prefix == "_" or suffix.startswith("//"):
                return value
            if prefix in local and defined.get(prefix) is not True:
                self._create_term(local, prefix, defined)
            prefix_def = self.terms.get(prefix)
            if prefix_def is not None:
                return prefix_def.iri + suffix
            return value
        if self.vocab is not None:
            return self.vocab + value
        return value


@functools.cache
def _core_value(url: str) -> Any:
    # parsed once per core URL; processing never mutates it
    return core_context_document(url)["@context"]


def build_active_context(user_contexts: Iterable[Any], load: LoadContext) -> ActiveContext:
    """Process the user's @context items, then the core context, into an active context.

    ``load`` returns the ``@context`` value of a remote document (already fetched and
    cached by the resolver; core context URLs are answered from the package).
    """
    source = list(user_contexts)
    builder = _Builder(load)
    builder.process(source)
    builder.process(_core_value(CORE_CONTEXT_URL), (CORE_CONTEXT_URL,))
    return ActiveContext(builder.terms, builder.vocab, source)


def context_key(user_contexts: list[Any]) -> str:
    """A stable cache key for a list of user @context items."""
    return orjson.dumps(user_contexts, option=orjson.OPT_SORT_KEYS).decode()


_CORE: ActiveContext | None = None


def core_active_context() -> ActiveContext:
    """The active context of a request that brings no @context (core only), built once."""
    global _CORE
    if _CORE is None:
        _CORE = build_active_context([], _no_remote)
    return _CORE


def _no_remote(url: str) -> Any:
    raise NgsiError("LdContextNotAvailable", f"@context {url} was not loaded")
