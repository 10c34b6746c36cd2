"""The NGSI-LD HTTP binding (ETSI GS CIM 009 §6): every route of the broker in one list."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from dos.broker.http import batch, contexts, discovery, entities, query, subscriptions, temporal

PREFIX = "/ngsi-ld/v1"
Endpoint = Callable[[Request], Awaitable[Response]]

e = entities
t = temporal
#: (path below /ngsi-ld/v1, method, handler)
TABLE: list[tuple[str, str, Endpoint]] = [
    ("/entities", "GET", e.query_entities),
    ("/entities", "POST", e.create_entity),
    ("/entities", "DELETE", e.purge_entities),
    ("/entities", "PUT", e.missing_entity_id),
    ("/entities", "PATCH", e.missing_entity_id),
    # attribute routes first: an entity id may contain "/" (e.g. an http URI, sent as %2F)
    ("/entities/{entity_id:path}/attrs/{attr}", "PATCH", e.patch_attr),
    ("/entities/{entity_id:path}/attrs/{attr}", "PUT", e.replace_attr),
    ("/entities/{entity_id:path}/attrs/{attr}", "DELETE", e.delete_attr),
    ("/entities/{entity_id:path}/attrs", "POST", e.append_attrs),
    ("/entities/{entity_id:path}/attrs", "PATCH", e.update_attrs),
    ("/entities/{entity_id:path}/attrs", "DELETE", e.missing_attribute_name),
    ("/entities/{entity_id:path}", "GET", e.retrieve_entity),
    ("/entities/{entity_id:path}", "PUT", e.replace_entity),
    ("/entities/{entity_id:path}", "PATCH", e.merge_entity),
    ("/entities/{entity_id:path}", "DELETE", e.delete_entity),
    ("/entityOperations/create", "POST", batch.batch_create),
    ("/entityOperations/upsert", "POST", batch.batch_upsert),
    ("/entityOperations/update", "POST", batch.batch_update),
    ("/entityOperations/delete", "POST", batch.batch_delete),
    ("/entityOperations/merge", "POST", batch.batch_merge),
    ("/entityOperations/query", "POST", query.query_post),
    ("/types", "GET", discovery.list_types),
    ("/types/{type:path}", "GET", discovery.show_type),
    ("/attributes", "GET", discovery.list_attributes),
    ("/attributes/{attr:path}", "GET", discovery.show_attribute),
    ("/temporal/entities", "GET", t.query),
    ("/temporal/entities", "POST", t.upsert),
    ("/temporal/entities/{entity_id:path}/attrs/{attr}/{instance_id}", "PATCH", t.modify_instance),
    ("/temporal/entities/{entity_id:path}/attrs/{attr}/{instance_id}", "DELETE", t.delete_instance),
    ("/temporal/entities/{entity_id:path}/attrs/{attr}", "DELETE", t.delete_attr),
    ("/temporal/entities/{entity_id:path}/attrs", "POST", t.append_attrs),
    ("/temporal/entities/{entity_id:path}", "GET", t.retrieve),
    ("/temporal/entities/{entity_id:path}", "DELETE", t.delete),
    ("/temporal/entityOperations/query", "POST", t.query_post),
    ("/subscriptions", "GET", subscriptions.query),
    ("/subscriptions", "POST", subscriptions.create),
    ("/subscriptions/{subscription_id:path}", "GET", subscriptions.retrieve),
    ("/subscriptions/{subscription_id:path}", "PATCH", subscriptions.update),
    ("/subscriptions/{subscription_id:path}", "DELETE", subscriptions.delete),
    ("/jsonldContexts", "GET", contexts.list_contexts),
    ("/jsonldContexts", "POST", contexts.add_context),
    ("/jsonldContexts/{context_id:path}", "GET", contexts.show_context),
    ("/jsonldContexts/{context_id:path}", "DELETE", contexts.delete_context),
]


def _dispatch(path: str, handlers: dict[str, Endpoint]) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        request.scope["dos.route"] = PREFIX + path
        method = "GET" if request.method == "HEAD" else request.method
        return await handlers[method](request)

    return endpoint


def routes() -> list[BaseRoute]:
    """One route per path with all its methods, so another method gets 405 with ``Allow``."""
    by_path: dict[str, dict[str, Endpoint]] = {}
    for path, method, handler in TABLE:
        by_path.setdefault(path, {})[method] = handler
    return [
        Route(PREFIX + path, _dispatch(path, handlers), methods=list(handlers))
        for path, handlers in by_path.items()
    ]
