"""The NGSI-LD client the portal uses for all urban data (DESIGN.md, "portal").

It talks to the broker of this process (ASGI, no network) or, when ``DOS_BROKER_URL`` is set,
to any NGSI-LD broker over HTTP (Orion-LD, Stellio, Scorpio, another DOS). The in-process
broker trusts the portal, so no token is needed there; an external broker gets
``DOS_BROKER_TOKEN`` as a bearer token.

All methods are coroutines; synchronous code (Django views) wraps them with
``asgiref.sync.async_to_sync``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from dos.broker.http.access import INTERNAL
from dos.config import Config

CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"
BATCH_SIZE = 1000


class BrokerError(Exception):
    """The broker answered with an error; ``problem`` is its problem+json body."""

    def __init__(self, status: int, problem: Any) -> None:
        detail = problem.get("detail") if isinstance(problem, dict) else problem
        super().__init__(f"NGSI-LD broker answered {status}: {detail}")
        self.status = status
        self.problem = problem


def _trusted(app: ASGIApp) -> ASGIApp:
    """The broker app with every request marked as coming from this process."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        await app({**scope, INTERNAL: True}, receive, send)

    return wrapped


class BrokerClient:
    """NGSI-LD requests for one broker; ``context`` is the @context URL sent in ``Link``."""

    def __init__(
        self,
        *,
        base_url: str = "",
        token: str = "",
        app: ASGIApp | None = None,
        context: str | None = None,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if app is not None:
            transport = httpx.ASGITransport(app=_trusted(app))
            base = "http://broker.internal"
        else:
            if not base_url:
                raise ValueError("a BrokerClient needs a base_url or an app")
            transport = transport or httpx.AsyncHTTPTransport(retries=1)
            base = base_url.rstrip("/")
        self.context = context
        self._http = httpx.AsyncClient(
            transport=transport, base_url=base + "/ngsi-ld/v1", headers=headers, timeout=timeout
        )

    @classmethod
    def from_config(cls, config: Config, *, app: ASGIApp | None = None) -> BrokerClient:
        """The client the settings ask for: ``DOS_BROKER_URL`` or the in-process broker."""
        if config.BROKER_URL:
            return cls(base_url=str(config.BROKER_URL), token=str(config.BROKER_TOKEN))
        if app is None:
            from dos.broker.app import current_app

            app = current_app(config)
        return cls(app=app)

    def _headers(self, tenant: str, *, body: bool = False) -> dict[str, str]:
        headers: dict[str, str] = {}
        if tenant:
            headers["NGSILD-Tenant"] = tenant
        if self.context:
            headers["Link"] = f'<{self.context}>; rel="{CONTEXT_REL}"; type="application/ld+json"'
        if body:
            headers["Content-Type"] = "application/json"
        return headers

    @staticmethod
    def _check(response: httpx.Response) -> None:
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = response.text
            raise BrokerError(response.status_code, problem)

    async def upsert_entities(
        self, entities: Sequence[dict[str, Any]], *, tenant: str = "", update: bool = False
    ) -> list[str]:
        """Create or replace (``update``: merge attributes into) entities; the created ids.

        Raises :class:`BrokerError` naming every entity that failed (after all batches ran).
        """
        created: list[str] = []
        failures: list[Any] = []
        for start in range(0, len(entities), BATCH_SIZE):
            chunk = list(entities[start : start + BATCH_SIZE])
            response = await self._http.post(
                "/entityOperations/upsert",
                content=orjson.dumps(chunk),
                params={"options": "update"} if update else None,
                headers=self._headers(tenant, body=True),
            )
            if response.status_code == 207:
                result = response.json()
                failures.extend(result.get("errors", []))
                continue
            self._check(response)
            if response.status_code == 201:
                created.extend(response.json())
        if failures:
            raise BrokerError(
                207, {"detail": f"{len(failures)} entities failed", "errors": failures}
            )
        return created

    async def get_entity(
        self, entity_id: str, *, tenant: str = "", options: str | None = None
    ) -> dict[str, Any] | None:
        """One entity, or None when the broker has no such entity."""
        response = await self._http.get(
            f"/entities/{entity_id}",
            params={"options": options} if options else None,
            headers=self._headers(tenant),
        )
        if response.status_code == 404:
            return None
        self._check(response)
        result: dict[str, Any] = orjson.loads(response.content)
        return result

    async def query_entities(
        self,
        *,
        tenant: str = "",
        type: str | None = None,
        q: str | None = None,
        attrs: Sequence[str] | None = None,
        options: str | None = None,
        limit: int = 100,
        offset: int = 0,
        **params: str,
    ) -> list[dict[str, Any]]:
        """One page of entities matching the NGSI-LD query parameters."""
        query: dict[str, str] = {"limit": str(limit), "offset": str(offset), **params}
        if type:
            query["type"] = type
        if q:
            query["q"] = q
        if attrs:
            query["attrs"] = ",".join(attrs)
        if options:
            query["options"] = options
        response = await self._http.get("/entities", params=query, headers=self._headers(tenant))
        if response.status_code == 404 and tenant:
            return []  # a tenant without any entity yet
        self._check(response)
        result: list[dict[str, Any]] = orjson.loads(response.content)
        return result

    async def get_temporal_entity(
        self, entity_id: str, *, tenant: str = "", **params: str
    ) -> dict[str, Any] | None:
        """One entity's history (temporal API, ETSI GS CIM 009 §6.19); None when unknown.

        ``params`` are the temporal query parameters (``timerel``, ``timeAt``, ``attrs``,
        ``options=aggregatedValues``, ``aggrMethods``, ``aggrPeriodDuration`` …).
        """
        response = await self._http.get(
            f"/temporal/entities/{entity_id}", params=params, headers=self._headers(tenant)
        )
        if response.status_code == 404:
            return None
        self._check(response)
        result: dict[str, Any] = orjson.loads(response.content)
        return result

    async def query_temporal(
        self,
        *,
        tenant: str = "",
        type: str | None = None,
        attrs: Sequence[str] | None = None,
        limit: int = 100,
        offset: int = 0,
        **params: str,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of temporal entities (ETSI GS CIM 009 §6.18.3.1) and, when the broker cut
        an attribute's history at its instance limit (206), the ``Content-Range`` it sent."""
        query: dict[str, str] = {"limit": str(limit), "offset": str(offset), **params}
        if type:
            query["type"] = type
        if attrs:
            query["attrs"] = ",".join(attrs)
        response = await self._http.get(
            "/temporal/entities", params=query, headers=self._headers(tenant)
        )
        if response.status_code == 404 and tenant:
            return [], None
        self._check(response)
        result: list[dict[str, Any]] = orjson.loads(response.content)
        cut = response.headers.get("Content-Range") if response.status_code == 206 else None
        return result, cut

    async def entity_types(self, *, tenant: str = "") -> list[dict[str, Any]]:
        """The entity types the tenant holds, each with its ``typeName`` and ``attributeNames``
        (ETSI GS CIM 009 §5.7.5, ``details=true``); empty for a tenant without entities."""
        response = await self._http.get(
            "/types", params={"details": "true"}, headers=self._headers(tenant)
        )
        if response.status_code == 404 and tenant:
            return []
        self._check(response)
        result: list[dict[str, Any]] = orjson.loads(response.content)
        return result

    async def put_subscription(self, subscription: dict[str, Any], *, tenant: str = "") -> bool:
        """Create the subscription with its ``id``, or update it when it exists (idempotent,
        ETSI GS CIM 009 §5.8.1 and §5.8.2); True when it was created."""
        response = await self._http.post(
            "/subscriptions",
            content=orjson.dumps(subscription),
            headers=self._headers(tenant, body=True),
        )
        if response.status_code != 409:
            self._check(response)
            return True
        changes = {k: v for k, v in subscription.items() if k not in ("id", "type")}
        response = await self._http.patch(
            f"/subscriptions/{subscription['id']}",
            content=orjson.dumps(changes),
            headers=self._headers(tenant, body=True),
        )
        self._check(response)
        return False

    async def delete_entity(self, entity_id: str, *, tenant: str = "") -> bool:
        """Delete an entity; False when there was none."""
        response = await self._http.delete(f"/entities/{entity_id}", headers=self._headers(tenant))
        if response.status_code == 404:
            return False
        self._check(response)
        return True

    async def aclose(self) -> None:
        await self._http.aclose()
