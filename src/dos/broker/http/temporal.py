"""Handlers of ``/temporal/entities`` (ETSI GS CIM 009 §6.18-§6.22, §6.24).

They parse the request, read or write through :mod:`dos.broker.temporal` and render one of the
temporal representations.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from dos.broker.entities.validate import check_entity_id, is_uri
from dos.broker.errors import NgsiError
from dos.broker.http.access import require
from dos.broker.http.context import request_context
from dos.broker.http.params import DEFAULT_LIMIT, build_query
from dos.broker.http.query import Check, entity_selectors
from dos.broker.http.render import context_headers, empty, json_response, tenant_headers
from dos.broker.http.request import (
    LD_JSON,
    accept_of,
    bool_param,
    check_params,
    csv_param,
    int_param,
    options_of,
    read_json,
)
from dos.broker.jsonld.active import ActiveContext
from dos.broker.jsonld.expand import expand_attributes, expand_name, expand_projection, expand_types
from dos.broker.query.order import parse_order_by, sort_docs
from dos.broker.query.projection import parse_projection
from dos.broker.query.temporal import TemporalQuery, parse_temporal_query
from dos.broker.store import EntityQuery
from dos.broker.temporal import operations as tops
from dos.broker.temporal import render
from dos.broker.temporal.aggregate import METHODS as AGGREGATE_METHODS
from dos.broker.temporal.aggregate import aggregate, parse_duration
from dos.broker.temporal.read import (
    TemporalEntity,
    live_modified,
    load_instances,
    load_instances_many,
    temporal_entities,
)
from dos.broker.temporal.times import to_iso

#: the query parameters of the temporal API (§6.18.3.1, §6.19.3.1); others are refused
TEMPORAL_PARAMS = frozenset(
    {
        "id", "idPattern", "type", "attrs", "q", "csf", "georel", "geometry", "coordinates",
        "geoproperty", "lang", "scopeQ", "options", "format", "limit", "offset", "count",
        "local", "pick", "omit", "datasetId", "timerel", "timeAt", "endTimeAt",
        "timeproperty", "lastN", "aggrMethods", "aggrPeriodDuration", "expandValues",
        "contextSourceInfo", "via", "orderBy", "collapse", "deleteAll", "geometryProperty",
    }
)  # fmt: skip
#: ``format`` values (``simplified`` is the other name of ``temporalValues``, §6.3.12)
FORMATS = {
    "normalized": "normalized",
    "temporalValues": "temporalValues",
    "simplified": "temporalValues",
    "aggregatedValues": "aggregatedValues",
}
#: ``options`` values of the temporal API: representations and ``sysAttrs``
OPTIONS = frozenset({*FORMATS, "sysAttrs"})


def _expand_temporal_attrs(body: dict[str, Any], ctx: ActiveContext) -> dict[str, Any]:
    """Attributes of a temporal payload (each an instance or a list of instances)."""
    attrs: dict[str, list[dict[str, Any]]] = {}
    for name, raw in body.items():
        if name in ("id", "@id", "type", "@type", "@context", "scope"):
            continue
        for item in raw if isinstance(raw, list) else [raw]:
            for iri, instances in expand_attributes({name: item}, ctx).items():
                attrs.setdefault(iri, []).extend(instances)
    return attrs


def _text(value: Any) -> str | None:
    """A parameter that may come as a list (Query object member) as comma-separated text."""
    if value is None or isinstance(value, str):
        return value
    return ",".join(str(v) for v in value)


def _representation(options: list[str], fmt: Any) -> str:
    """The representation asked by ``format`` (first) or ``options``; InvalidRequest for an
    unknown value (§6.3.20) or two different representations."""
    chosen: set[str] = set()
    for option in options:
        option = option.strip()
        if option not in OPTIONS:
            raise NgsiError("InvalidRequest", f"options: unknown option {option!r}")
        if option in FORMATS:
            chosen.add(FORMATS[option])
    if fmt is not None:
        if fmt not in FORMATS:
            raise NgsiError(
                "InvalidRequest",
                f"format: {fmt!r} is not one of normalized, temporalValues, simplified, "
                "aggregatedValues",
            )
        return FORMATS[fmt]
    if len(chosen) > 1:
        raise NgsiError(
            "InvalidRequest", f"options ask for several representations: {sorted(chosen)}"
        )
    return chosen.pop() if chosen else "normalized"


class Temporal:
    """The temporal parameters of one request."""

    def __init__(
        self, source: dict[str, Any], options: list[str], expand: Callable[[str], str]
    ) -> None:
        self.tq: TemporalQuery | None = parse_temporal_query(
            source.get("timerel"),
            source.get("timeAt"),
            source.get("endTimeAt"),
            source.get("timeproperty"),
        )
        self.timeproperty = (
            self.tq.timeproperty if self.tq else source.get("timeproperty") or "observedAt"
        )
        raw_last = source.get("lastN")
        self.last_n: int | None = None
        if raw_last is not None:
            try:
                self.last_n = int(raw_last)
            except (TypeError, ValueError):
                raise NgsiError("BadRequestData", "lastN must be a positive whole number") from None
            if self.last_n < 1:
                raise NgsiError("BadRequestData", "lastN must be a positive whole number")
        representation = _representation(options, source.get("format"))
        self.values = representation == "temporalValues"
        self.aggregated = representation == "aggregatedValues"
        self.sys_attrs = "sysAttrs" in options
        raw_datasets = _text(source.get("datasetId"))
        self.dataset_ids = set(raw_datasets.split(",")) if raw_datasets else None
        self.projection = parse_projection(
            _text(source.get("pick")), _text(source.get("omit")), expand, _text(source.get("attrs"))
        )
        self.methods: list[str] = []
        self.period_ms: int | None = None
        if self.aggregated:
            raw_methods = source.get("aggrMethods")
            if not raw_methods:
                raise NgsiError("BadRequestData", "aggrMethods: needed with aggregatedValues")
            methods = raw_methods.split(",") if isinstance(raw_methods, str) else list(raw_methods)
            for method in methods:
                if method not in AGGREGATE_METHODS:
                    raise NgsiError(
                        "BadRequestData",
                        f"aggrMethods: {method!r} is not one of {', '.join(AGGREGATE_METHODS)}",
                    )
            self.methods = methods
            if source.get("aggrPeriodDuration"):
                self.period_ms = parse_duration(str(source["aggrPeriodDuration"]))


def _limit(request: Request) -> int:
    """Most instances of one entity in an answer (``DOS_BROKER_TEMPORAL_LIMIT``, §6.3.10)."""
    return max(int(request.app.state.config.BROKER_TEMPORAL_LIMIT), 1)


def _cut(entity: TemporalEntity, limit: int, t: Temporal) -> None:
    """Only the instances of the ``datasetId`` asked (``@none``: the default instance, §4.5.5),
    then :func:`_cut_at_limit`."""
    if t.dataset_ids is not None:
        wanted = t.dataset_ids
        entity.attrs = {
            name: kept
            for name, found in entity.attrs.items()
            if (kept := [i for i in found if i.instance.get("datasetId", "@none") in wanted])
        }
    _cut_at_limit(entity, limit, t)


def _cut_at_limit(entity: TemporalEntity, limit: int, t: Temporal) -> None:
    """Keep the first ``limit`` instances of the entity in time order (the last ones with
    ``lastN``) over all its attributes (§6.3.10); an attribute whose instances all lie beyond
    the cut is left empty. Marks the entity truncated when something was left out."""
    if sum(len(found) for found in entity.attrs.values()) <= limit:
        return
    rows = [(i.time_ms, name, i) for name, found in entity.attrs.items() for i in found]
    rows.sort(key=lambda r: r[0], reverse=bool(t.last_n))
    kept = {id(r[2]) for r in rows[:limit]}
    entity.attrs = {
        name: [i for i in found if id(i) in kept] for name, found in entity.attrs.items()
    }
    entity.truncated = True


def _load(
    session: Any,
    tenant: str,
    entity: TemporalEntity,
    attrs: list[str] | None,
    t: Temporal,
    limit: int,
) -> dict[str, Any] | None:
    """The entity's history as the client asked (None: nothing to show)."""
    if t.aggregated:
        names = attrs
        if names is None:
            # attributes whose old values retention rolled up count too
            names = [
                row[0]
                for row in session.x(
                    "SELECT attr FROM temporal_attrs WHERE tenant = ? AND entity_id = ? UNION "
                    "SELECT attr FROM attr_rollups WHERE tenant = ? AND entity_id = ? ORDER BY 1",
                    (tenant, entity.id, tenant, entity.id),
                ).fetchall()
            ]
        result = {}
        for name in names:
            kind = (
                session.x(
                    "SELECT kind FROM attr_history WHERE tenant = ? AND entity_id = ? AND attr = ? "
                    "LIMIT 1",
                    (tenant, entity.id, name),
                ).fetchone()
                or session.x(
                    "SELECT kind FROM attr_rollups WHERE tenant = ? AND entity_id = ? AND attr = ? "
                    "LIMIT 1",
                    (tenant, entity.id, name),
                ).fetchone()
            )
            if kind is None:
                continue
            buckets = aggregate(
                session, tenant, entity.id, name, methods=t.methods, period_ms=t.period_ms, tq=t.tq
            )
            result[name] = (str(kind[0]), buckets)
        return {"aggregated": result}
    load_instances(
        session,
        tenant,
        entity,
        attrs=attrs,
        tq=t.tq,
        last_n=t.last_n,
        limit=limit,
        timeproperty=t.timeproperty,
    )
    _cut(entity, limit, t)
    return None


def _render(entity: TemporalEntity, ctx: ActiveContext, t: Temporal, extra: Any) -> dict[str, Any]:
    """The entity in the representation asked, with only the members ``pick``/``omit`` keep
    (an empty object when none is kept)."""
    projection = t.projection
    if projection is not None:
        entity.attrs = {k: v for k, v in entity.attrs.items() if projection.keeps(k)}
        if extra is not None:
            extra = {
                "aggregated": {k: v for k, v in extra["aggregated"].items() if projection.keeps(k)}
            }
    if extra is not None:
        out = render.aggregated(entity, ctx, extra["aggregated"])
    elif t.values:
        out = render.temporal_values(entity, ctx)
    else:
        out = render.normalized(entity, ctx, sys_attrs=t.sys_attrs)
    if projection is not None:
        for member in ("id", "type", "createdAt", "modifiedAt", "deletedAt"):
            if member in out and not projection.keeps(member):
                del out[member]
    return out


def _range_headers(entities: list[TemporalEntity], t: Temporal) -> tuple[int, dict[str, str]]:
    """206 and Content-Range when instances were left out at the limit (§6.3.10).

    The range runs from where the asked time range starts (``timeAt`` for ``after`` and
    ``between``, else the first instance returned) to the last instance returned; with
    ``lastN`` it runs backwards, from the end of the asked range (``endTimeAt``, or ``timeAt``
    for ``before``, else the newest instance) to the oldest instance returned.
    """
    if not any(e.truncated for e in entities):
        return 200, {}
    times = [i.time_ms for e in entities for rows in e.attrs.values() for i in rows]
    if not times:
        return 200, {}
    tq = t.tq
    if t.last_n:
        first = to_iso(max(times))
        if tq is not None and tq.timerel == "between" and tq.end_time_at is not None:
            first = to_iso(_ms(tq.end_time_at))
        elif tq is not None and tq.timerel == "before":
            first = to_iso(_ms(tq.time_at))
        last = to_iso(min(times))
    else:
        first = to_iso(min(times))
        if tq is not None and tq.timerel in ("after", "between"):
            first = to_iso(_ms(tq.time_at))
        last = to_iso(max(times))
    size = str(t.last_n) if t.last_n else "*"
    return 206, {"Content-Range": f"date-time {first}-{last}/{size}"}


def _ms(moment: Any) -> int:
    return int(moment.timestamp() * 1000)


def _respond(
    request: Request, ctx: ActiveContext, body: Any, status: int, headers: dict[str, str]
) -> Response:
    accept = accept_of(request)
    if accept == LD_JSON:
        context = ctx.context_value()
        if isinstance(body, list):
            body = [{**item, "@context": context} for item in body]
        else:
            body = {**body, "@context": context}
    return json_response(
        body, status=status, media_type=accept, headers={**context_headers(ctx, accept), **headers}
    )


async def retrieve(request: Request) -> Response:
    """GET /temporal/entities/{id} (§6.19.3.1)."""
    tenant = await require(request, "read")
    entity_id = check_entity_id(request.path_params["entity_id"])
    ctx = await request_context(request)
    check_params(request, TEMPORAL_PARAMS)
    params = dict(request.query_params)
    t = Temporal(params, options_of(request), lambda name: expand_name(name, ctx))
    attrs_param = csv_param(request, "attrs")
    attrs = sorted(expand_projection(attrs_param, ctx)) if attrs_param else None
    limit = _limit(request)

    def read(session: Any) -> tuple[TemporalEntity | None, Any]:
        if tenant and not session.tenant_exists(tenant):
            raise NgsiError("NonexistentTenant", f"tenant {tenant!r} does not exist")
        found = temporal_entities(session, tenant, ids=[entity_id])
        if not found:
            return None, None
        if t.sys_attrs:
            live_modified(session, tenant, found)
        return found[0], _load(session, tenant, found[0], attrs, t, limit)

    entity, extra = await request.app.state.store.aread(read)
    if entity is None:
        raise NgsiError("ResourceNotFound", f"temporal entity {entity_id} does not exist")
    if attrs is not None and extra is None and not entity.attrs and t.tq is None:
        raise NgsiError(
            "ResourceNotFound", f"temporal entity {entity_id} has none of the attributes asked"
        )
    status, headers = _range_headers([entity], t)
    body = _render(entity, ctx, t, extra)
    if t.projection is not None and not body:
        raise NgsiError("ResourceNotFound", f"pick/omit leave nothing of entity {entity_id}")
    return _respond(request, ctx, body, status, headers)


def _matches(entity: TemporalEntity, query: EntityQuery, current: dict[str, Any] | None) -> bool:
    if query.types and not any(all(t in entity.types for t in group) for group in query.types):
        return False
    if query.extra and not all(
        check({"id": entity.id, "type": list(entity.types)}) for check in query.extra
    ):
        return False
    for check in (query.q, query.scope_q, query.geo):
        if check is not None and (current is None or not check.matches(current)):
            return False
    return True


#: most instances of one entity looked at to evaluate ``q``/geo-queries on its history
HISTORY_SCAN = 10000


def _history_matches(
    session: Any, tenant: str, entity: TemporalEntity, query: EntityQuery, t: Temporal
) -> bool:
    """Whether ``q`` and the geo-query hold at some instant of the entity's history in the
    asked time range (the entity as it was after each instance, §5.7.4)."""
    scan = TemporalEntity(entity.id, entity.types, entity.created_ms, entity.modified_ms, None)
    load_instances(
        session,
        tenant,
        scan,
        attrs=None,
        tq=t.tq,
        last_n=None,
        limit=HISTORY_SCAN,
        timeproperty=t.timeproperty,
    )
    rows = sorted(
        ((i.time_ms, name, i.instance) for name, found in scan.attrs.items() for i in found),
        key=lambda r: r[0],
    )
    latest: dict[str, list[dict[str, Any]]] = {}
    for _time, name, instance in rows:
        latest[name] = [instance]
        doc = {"id": entity.id, "type": entity.types, "attrs": dict(latest)}
        if _matches(entity, query, doc):
            return True
    return False


async def _query(
    request: Request,
    tenant: str,
    ctx: ActiveContext,
    source: dict[str, Any],
    t: Temporal,
    selected: Check | None = None,
) -> Response:
    limit = int_param(request, "limit", DEFAULT_LIMIT)
    offset = int_param(request, "offset", 0)
    count = bool_param(request, "count")
    query = build_query(
        {k: v for k, v in source.items() if k not in ("pick", "omit")},
        ctx,
        limit=max(limit, 1),
        offset=offset,
        count=count,
        local=bool_param(request, "local") or selected is not None,
    )
    if selected is not None:  # EntitySelectors of several kinds (see entity_selectors)
        query.extra.append(selected)
    attrs = query.attrs
    instance_limit = _limit(request)
    raw_order = source.get("orderBy")
    order = parse_order_by(raw_order, lambda name: expand_name(name, ctx)) if raw_order else None

    def read(session: Any) -> tuple[list[tuple[TemporalEntity, Any]], int]:
        if tenant and not session.tenant_exists(tenant):
            raise NgsiError("NonexistentTenant", f"tenant {tenant!r} does not exist")
        candidates = temporal_entities(session, tenant, query.ids, query.id_pattern)
        needs_doc = query.q is not None or query.scope_q is not None or query.geo is not None
        docs = session.get_many(tenant, [e.id for e in candidates]) if needs_doc or order else {}
        matching = [
            e
            for e in candidates
            if _matches(e, query, docs.get(e.id))
            or (
                needs_doc
                and _matches(e, EntityQuery(types=query.types), None)
                and _history_matches(session, tenant, e, query, t)
            )
        ]
        if order:
            ranked = sort_docs([docs[e.id] for e in matching if e.id in docs], order)
            position = {doc["id"]: index for index, doc in enumerate(ranked)}
            matching.sort(key=lambda e: position.get(e.id, len(position)))
        page: list[tuple[TemporalEntity, Any]] = []
        selected = 0
        chunk_size = max(limit, 100)
        for begin in range(0, len(matching), chunk_size):
            chunk = matching[begin : begin + chunk_size]
            if not t.aggregated:  # one statement for the instances of the whole chunk
                load_instances_many(
                    session,
                    tenant,
                    chunk,
                    attrs=attrs,
                    tq=t.tq,
                    last_n=t.last_n,
                    limit=instance_limit,
                    timeproperty=t.timeproperty,
                )
            for entity in chunk:
                if t.aggregated:
                    extra = _load(session, tenant, entity, attrs, t, instance_limit)
                else:
                    extra = None
                    _cut(entity, instance_limit, t)
                narrowed = attrs is not None or t.tq is not None or t.dataset_ids is not None
                if extra is None and not entity.attrs and narrowed:
                    continue  # nothing of what was asked in the requested time
                if offset <= selected < offset + limit:
                    page.append((entity, extra))
                selected += 1
                if not count and selected >= offset + limit:
                    return page, selected
        return page, selected

    def read_page(session: Any) -> tuple[list[tuple[TemporalEntity, Any]], int]:
        page, total = read(session)
        if t.sys_attrs:
            live_modified(session, tenant, [e for e, _ in page])
        return page, total

    page, total = await request.app.state.store.aread(read_page)
    status, headers = _range_headers([e for e, _ in page], t)
    if count:
        headers["NGSILD-Results-Count"] = str(total)
    body = [_render(e, ctx, t, extra) for e, extra in page]
    if t.projection is not None:
        body = [item for item in body if item]  # nothing kept: not part of the result (§4.21)
    return _respond(request, ctx, body, status, headers)


async def query(request: Request) -> Response:
    """GET /temporal/entities (§6.18.3.1)."""
    tenant = await require(request, "read")
    check_params(request, TEMPORAL_PARAMS)
    ctx = await request_context(request)
    source = dict(request.query_params)
    temporal = Temporal(source, options_of(request), lambda name: expand_name(name, ctx))
    return await _query(request, tenant, ctx, source, temporal)


async def query_post(request: Request) -> Response:
    """POST /temporal/entityOperations/query (§6.24.3.1): a Query object with ``temporalQ``."""
    tenant = await require(request, "read")
    body = await read_json(request)
    if not isinstance(body, dict) or body.get("type") != "Query":
        raise NgsiError("BadRequestData", 'the body must be a Query object ("type": "Query")')
    ctx = await request_context(request, body)
    source, selected = entity_selectors(body.get("entities"), ctx)
    for key in ("attrs", "q", "scopeQ", "geoQ", "pick", "omit"):
        if body.get(key) is not None:
            source[key] = body[key]
    temporal_q = body.get("temporalQ") or {}
    if not isinstance(temporal_q, dict):
        raise NgsiError("BadRequestData", "temporalQ must be an object")
    source.update({k: v for k, v in temporal_q.items() if v is not None})
    for key in ("lastN", "aggrMethods", "aggrPeriodDuration", "timeproperty"):
        if key in request.query_params:
            source[key] = request.query_params[key]
    temporal = Temporal(source, options_of(request), lambda name: expand_name(name, ctx))
    return await _query(request, tenant, ctx, source, temporal, selected)


async def upsert(request: Request) -> Response:
    """POST /temporal/entities (§6.18.3.2): 201 when created, 204 when instances were added."""
    tenant = await require(request, "write")
    body = await read_json(request)
    if not isinstance(body, dict):
        raise NgsiError("BadRequestData", "a temporal entity must be a JSON object")
    ctx = await request_context(request, body)
    entity_id = body.get("id", body.get("@id"))
    if not isinstance(entity_id, str):
        raise NgsiError("BadRequestData", "the temporal entity has no id")
    check_entity_id(entity_id)
    raw_type = body.get("type", body.get("@type"))
    if raw_type is None:
        raise NgsiError("BadRequestData", "the temporal entity has no type")
    types = expand_types(raw_type, ctx)
    attrs = _expand_temporal_attrs(body, ctx)
    created = await tops.temporal_upsert(request.app.state.store, tenant, entity_id, types, attrs)
    if not created:
        return empty(204)
    location = f"/ngsi-ld/v1/temporal/entities/{quote(entity_id, safe=':')}"
    return empty(201, {"Location": location, **tenant_headers(request)})


async def append_attrs(request: Request) -> Response:
    """POST /temporal/entities/{id}/attrs (§6.20.3.1)."""
    tenant = await require(request, "write")
    entity_id = check_entity_id(request.path_params["entity_id"])
    body = await read_json(request)
    if not isinstance(body, dict):
        raise NgsiError("BadRequestData", "the body must be an object of attributes")
    ctx = await request_context(request, body)
    attrs = _expand_temporal_attrs(body, ctx)
    await tops.temporal_append(request.app.state.store, tenant, entity_id, attrs)
    return empty(204)


async def delete(request: Request) -> Response:
    """DELETE /temporal/entities/{id} (§6.19.3.2)."""
    tenant = await require(request, "write")
    entity_id = check_entity_id(request.path_params["entity_id"])
    await tops.temporal_delete(request.app.state.store, tenant, entity_id)
    return empty(204)


async def delete_attr(request: Request) -> Response:
    """DELETE /temporal/entities/{id}/attrs/{attr} (§6.21.3.1)."""
    tenant = await require(request, "write")
    entity_id = check_entity_id(request.path_params["entity_id"])
    ctx = await request_context(request)
    name = expand_name(request.path_params["attr"], ctx)
    await tops.attr_history_delete(
        request.app.state.store,
        tenant,
        entity_id,
        name,
        dataset_id=request.query_params.get("datasetId"),
        delete_all=bool_param(request, "deleteAll"),
    )
    return empty(204)


def _instance_id(request: Request) -> str:
    instance_id = request.path_params["instance_id"]
    if not is_uri(instance_id):
        raise NgsiError("BadRequestData", f"instance id {instance_id!r} is not a URI")
    return str(instance_id)


async def modify_instance(request: Request) -> Response:
    """PATCH /temporal/entities/{id}/attrs/{attr}/{instanceId} (§6.22.3.1)."""
    tenant = await require(request, "write")
    entity_id = check_entity_id(request.path_params["entity_id"])
    body = await read_json(request)
    if not isinstance(body, dict):
        raise NgsiError("BadRequestData", "the body must be an attribute instance")
    ctx = await request_context(request, body)
    raw_name = request.path_params["attr"]
    name = expand_name(raw_name, ctx)
    fragment = {k: v for k, v in body.items() if k != "@context"}
    if raw_name in fragment:
        fragment = fragment[raw_name]
    if isinstance(fragment, list):
        if len(fragment) != 1:
            raise NgsiError("BadRequestData", "give exactly one attribute instance")
        fragment = fragment[0]
    instances = expand_attributes({raw_name: fragment}, ctx).get(name, [])
    if len(instances) != 1:
        raise NgsiError("BadRequestData", "give exactly one attribute instance")
    await tops.instance_modify(
        request.app.state.store,
        tenant,
        entity_id,
        name,
        _instance_id(request),
        instances[0],
    )
    return empty(204)


async def delete_instance(request: Request) -> Response:
    """DELETE /temporal/entities/{id}/attrs/{attr}/{instanceId} (§6.22.3.2)."""
    tenant = await require(request, "write")
    entity_id = check_entity_id(request.path_params["entity_id"])
    ctx = await request_context(request)
    name = expand_name(request.path_params["attr"], ctx)
    await tops.instance_delete(
        request.app.state.store, tenant, entity_id, name, _instance_id(request)
    )
    return empty(204)
