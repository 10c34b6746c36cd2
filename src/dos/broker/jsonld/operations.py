"""The operations behind ``/jsonldContexts`` (ETSI GS CIM 009 §5.13, §6.29-6.30).

HTTP handlers parse the query parameters as strings and pass them on; these functions check
them, so the errors are the specification's (BadRequestData for an unknown ``kind`` or a
``details`` / ``reload`` that is not ``true``/``false``). ``url_prefix`` is the broker's own
base for hosted contexts, e.g. ``http://broker:8000/ngsi-ld/v1/jsonldContexts/``.
"""

from __future__ import annotations

import uuid
from typing import Any

from dos.broker.errors import NgsiError
from dos.broker.jsonld.active import build_active_context
from dos.broker.jsonld.contexts import (
    CORE_CONTEXT_FILES,
    CORE_CONTEXT_URL,
    core_context_document,
    is_core_context_url,
)
from dos.broker.jsonld.repository import (
    CONTEXT_KINDS,
    ContextRepository,
    StoredContext,
    utc_now,
)
from dos.broker.jsonld.resolver import ContextResolver

#: the stable localId under which the core context is listed
CORE_LOCAL_ID = "ngsi-ld-core-context-v1.8"
_CORE_CREATED_AT = "2024-03-19T00:00:00.000Z"


def _flag(name: str, raw: str | bool | None) -> bool:
    if raw is None or raw == "":
        return False
    if isinstance(raw, bool):
        return raw
    if raw in ("true", "false"):
        return raw == "true"
    raise NgsiError("BadRequestData", f"{name} must be true or false, not {raw!r}")


def _core_entry() -> StoredContext:
    return StoredContext(
        id=CORE_LOCAL_ID,
        url=CORE_CONTEXT_URL,
        kind="Cached",
        body=core_context_document(CORE_CONTEXT_URL)["@context"],
        created_at=_CORE_CREATED_AT,
    )


async def context_list(
    repository: ContextRepository, *, details: str | bool | None = None, kind: str | None = None
) -> list[Any]:
    """List the @contexts (§5.13.3): URLs, or detail objects with ``details=true``.

    The broker's core context is listed as ``Cached``.
    """
    show_details = _flag("details", details)
    if kind not in (None, "", *CONTEXT_KINDS):
        raise NgsiError(
            "BadRequestData", f"kind must be one of {', '.join(CONTEXT_KINDS)}, not {kind!r}"
        )
    stored = await repository.list(kind or None)
    if kind in (None, "", "Cached"):
        stored = [_core_entry(), *stored]
    if show_details:
        return [c.details() for c in stored]
    return [c.url for c in stored]


async def _find(repository: ContextRepository, id_or_url: str) -> StoredContext:
    if is_core_context_url(id_or_url) or id_or_url == CORE_LOCAL_ID:
        entry = _core_entry()
        if id_or_url in CORE_CONTEXT_FILES:
            entry = StoredContext(
                id=entry.id,
                url=id_or_url,
                kind="Cached",
                body=core_context_document(id_or_url)["@context"],
                created_at=entry.created_at,
            )
        return entry
    found = await repository.get(id_or_url)
    if found is None:
        raise NgsiError("ResourceNotFound", f"no @context {id_or_url}")
    return found


async def context_show(
    repository: ContextRepository, id_or_url: str, *, details: str | bool | None = None
) -> dict[str, Any]:
    """Serve one @context (§5.13.4): its document, or its details with ``details=true``.

    Serving a stored context is a use of it: it counts in ``numberOfHits`` after the
    answer is made (ETSI tests 053_06, 053_08 expect exactly this count).
    """
    show_details = _flag("details", details)
    found = await _find(repository, id_or_url)
    answer = found.details() if show_details else found.document()
    if found.id != CORE_LOCAL_ID:
        await repository.record_hit(found.id, utc_now())
    return answer


def _check_context_value(body: Any) -> Any:
    if not isinstance(body, dict) or "@context" not in body:
        # test 050_02_01: a payload without @context is an invalid request
        raise NgsiError(
            "InvalidRequest", "the payload must be a JSON object with an @context member"
        )
    value = body["@context"]
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(i, dict | str) for i in items):
        raise NgsiError("BadRequestData", "@context must be an object, a URL or an array of them")
    if all(isinstance(i, dict) for i in items):
        # checks the term definitions now rather than when someone uses the context
        build_active_context(items, _refuse_remote)
    return value


def _refuse_remote(url: str) -> Any:
    raise NgsiError("BadRequestData", f"@context refers to {url}")


async def context_add(
    repository: ContextRepository, body: Any, *, url_prefix: str
) -> StoredContext:
    """Add a Hosted @context from a ``{"@context": ...}`` payload (§5.13.2); its URL is
    ``url_prefix`` + its new localId."""
    value = _check_context_value(body)
    local_id = str(uuid.uuid4())
    context = StoredContext(
        id=local_id, url=url_prefix + local_id, kind="Hosted", body=value, created_at=utc_now()
    )
    await repository.add(context)
    return context


async def context_add_implicit(
    repository: ContextRepository, value: Any, *, url_prefix: str
) -> StoredContext:
    """Store an inline @context as ``ImplicitlyCreated`` (e.g. a subscription's), so that it
    has a URL (§5.13.1); the same context value is stored once."""
    for existing in await repository.list("ImplicitlyCreated"):
        if existing.body == value:
            return existing
    _check_context_value({"@context": value})
    local_id = str(uuid.uuid4())
    context = StoredContext(
        id=local_id,
        url=url_prefix + local_id,
        kind="ImplicitlyCreated",
        body=value,
        created_at=utc_now(),
    )
    await repository.add(context)
    return context


async def context_delete(
    repository: ContextRepository,
    resolver: ContextResolver,
    id_or_url: str,
    *,
    reload: str | bool | None = None,
) -> None:
    """Delete a @context, or with ``reload=true`` download a Cached one again (§5.13.5).

    The core context cannot be deleted (BadRequestData); reloading it re-reads the packaged
    copy (the broker never downloads core contexts; test 051_09). Hosted and
    ImplicitlyCreated contexts cannot be reloaded (BadRequestData); a reload whose download
    fails leaves the cached copy in place and raises LdContextNotAvailable.
    """
    do_reload = _flag("reload", reload)
    if is_core_context_url(id_or_url) or id_or_url == CORE_LOCAL_ID:
        if not do_reload:
            raise NgsiError("BadRequestData", "the core @context cannot be deleted")
        resolver.forget()
        return
    found = await repository.get(id_or_url)
    if found is None:
        if do_reload:
            raise NgsiError("BadRequestData", f"no cached @context {id_or_url} to reload")
        raise NgsiError("ResourceNotFound", f"no @context {id_or_url}")
    if not do_reload:
        await repository.delete(found.id)
        resolver.forget(found.url)
        return
    if found.kind != "Cached":
        raise NgsiError("BadRequestData", f"a {found.kind} @context cannot be reloaded")
    body = await resolver.fetch(found.url)
    await repository.add(
        StoredContext(
            id=found.id,
            url=found.url,
            kind="Cached",
            body=body,
            created_at=found.created_at,
            last_usage=found.last_usage,
            number_of_hits=found.number_of_hits,
        )
    )
    resolver.forget(found.url)
