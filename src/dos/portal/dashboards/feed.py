"""The map's live channel, fed by a broker subscription (docs/dashboards.md, "Live values").

The portal registers one NGSI-LD subscription per city tenant (ETSI GS CIM 009 §5.8) for the
sensor types and the attributes the map shows, with a notification endpoint of the portal
itself (``/dashboard/notify/``). Registration is idempotent (a fixed subscription id per
tenant): every process does it at start for the cities it knows, and a map page does it for a
city that was added later. The broker's dispatcher delivers the notifications (in every
``dos serve`` process and in ``dos worker``); :func:`record` keeps the latest values per entity
in :class:`~dos.portal.dashboards.models.LiveValue`, which all processes share, and the map's
event stream and its polling fallback read the changes from there.

A notification must carry the receiver key the subscription was registered with (an HMAC of
the tenant under the portal's secret key), so nobody else can write values to the map.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dos.broker.client import BrokerClient
from dos.portal.dashboards.models import LiveValue
from dos.portal.dashboards.sensors import LAYERS, MAIN_ATTRIBUTE, TYPES, parse_time

log = logging.getLogger("dos.portal.live")
KEY_HEADER = "X-DOS-Live-Key"
NOTIFY_PATH = "/dashboard/notify/"
#: The attributes a map shows: each type's main attribute and every layer's attribute.
WATCHED = sorted(set(MAIN_ATTRIBUTE.values()) | {layer.attribute for layer in LAYERS})
OVERLAP = dt.timedelta(seconds=2)  # re-read so a change committed late is not missed

_base_url: str = ""  # set at start from the process's settings (see :func:`start`)
_ensured: set[tuple[str, str]] = set()
_retry_after = 0.0  # after a failed registration, pages do not wait for the broker again
RETRY_SECONDS = 300.0


def subscription_id(tenant: str) -> str:
    return f"urn:ngsi-ld:Subscription:dos-portal-live-{tenant or 'default'}"


def base_url(config: Any = None) -> str:
    """Where the broker reaches this portal: ``DOS_PORTAL_NOTIFY_URL``, else this host."""
    config = config or settings.CONFIG
    if config.PORTAL_NOTIFY_URL:
        return str(config.PORTAL_NOTIFY_URL).rstrip("/")
    host = str(config.HOST)
    if host in ("", "0.0.0.0", "::", "localhost"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{config.PORT}"


def receiver_key(tenant: str) -> str:
    """The secret a notification for ``tenant`` carries in :data:`KEY_HEADER`."""
    message = f"dos-live:{tenant}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def subscription(tenant: str, base: str) -> dict[str, Any]:
    """The subscription that feeds the map of one tenant."""
    return {
        "id": subscription_id(tenant),
        "type": "Subscription",
        "subscriptionName": "DOS portal: live map values",
        "description": "Feeds the live values of the portal's sensor map.",
        "entities": [{"type": entity_type} for entity_type in TYPES],
        "watchedAttributes": WATCHED,
        "notificationTrigger": [
            "entityCreated",
            "attributeCreated",
            "attributeUpdated",
            "entityDeleted",
        ],
        "notification": {
            "attributes": WATCHED,
            "format": "normalized",
            "endpoint": {
                "uri": base + NOTIFY_PATH,
                "accept": "application/json",
                "receiverInfo": [{"key": KEY_HEADER, "value": receiver_key(tenant)}],
            },
        },
    }


async def register(client: BrokerClient, tenants: list[str], base: str) -> int:
    """Create or update the subscriptions of ``tenants``; returns how many were new."""
    created = 0
    for tenant in tenants:
        created += await client.put_subscription(subscription(tenant, base), tenant=tenant)
        _ensured.add((tenant, base))
    return created


async def start(config: Any) -> None:
    """At process start: remember the notification URL and register every city's
    subscription. A broker that cannot be reached is logged; the map then keeps the values
    it was loaded with until a page registers again."""
    from asgiref.sync import sync_to_async

    from dos.portal.tenancy.models import City

    global _base_url
    _base_url = base_url(config)
    tenants = await sync_to_async(lambda: [c.tenant for c in City.objects.all()])()
    client = BrokerClient.from_config(settings.CONFIG)
    try:
        created = await register(client, tenants, _base_url)
        log.info("live map: %d subscription(s) registered (%d new)", len(tenants), created)
    except Exception as exc:  # any broker or network error: the portal still starts
        log.warning("live map: subscriptions not registered: %s", exc)
    finally:
        await client.aclose()


def ensure(tenants: list[str]) -> None:
    """Register the subscriptions of ``tenants`` not yet registered by this process."""
    from dos.portal.dashboards.sensors import run

    global _retry_after
    base = _base_url or base_url()
    missing = [t for t in tenants if (t, base) not in _ensured]
    if not missing or time.monotonic() < _retry_after:
        return

    async def work(client: BrokerClient) -> int:
        return await register(client, missing, base)

    try:
        run(work)
    except Exception as exc:  # the page still shows the values it read from the broker
        _retry_after = time.monotonic() + RETRY_SECONDS
        log.warning("live map: subscriptions of %s not registered: %s", missing, exc)


def _plain(attribute: Any) -> Any:
    if isinstance(attribute, list):  # several instances (datasetId): the default one first
        attribute = next((a for a in attribute if "datasetId" not in a), attribute[0])
    if isinstance(attribute, dict):
        return attribute.get("value", attribute.get("object"))
    return attribute


@transaction.atomic
def record(tenant: str, notification: dict[str, Any]) -> int:
    """Keep the latest values of the notified entities; returns how many entities."""
    data = notification.get("data")
    if not isinstance(data, list):
        raise ValueError("data: a Notification needs a list of entities")
    moment = timezone.now()
    count = 0
    for entity in data:
        if not isinstance(entity, dict) or not isinstance(entity.get("id"), str):
            raise ValueError("data: every entity needs an id")
        if "deletedAt" in entity:
            LiveValue.objects.filter(tenant=tenant, entity_id=entity["id"]).delete()
            count += 1
            continue
        kind = entity.get("type")
        kind = kind[0] if isinstance(kind, list) and kind else kind
        values: dict[str, Any] = {}
        observed: dt.datetime | None = None
        for name in WATCHED:
            if name not in entity:
                continue
            values[name] = _plain(entity[name])
            attribute = entity[name][0] if isinstance(entity[name], list) else entity[name]
            stamp = parse_time(attribute.get("observedAt")) if isinstance(attribute, dict) else None
            if stamp and (observed is None or stamp > observed):
                observed = stamp
        row, created = LiveValue.objects.select_for_update().get_or_create(
            tenant=tenant,
            entity_id=entity["id"],
            defaults={
                "entity_type": str(kind or ""),
                "values": values,
                "observed_at": observed,
                "received_at": moment,
            },
        )
        if not created:
            row.values = {**row.values, **values}
            row.entity_type = str(kind or row.entity_type)
            if observed is not None:
                row.observed_at = observed
            row.received_at = moment
            row.save()
        count += 1
    return count


def changes(tenant: str, since: dt.datetime | None) -> list[LiveValue]:
    """The tenant's live values received after ``since`` (all when None), with an overlap of
    :data:`OVERLAP` so a change committed a moment late is still seen."""
    rows = LiveValue.objects.filter(tenant=tenant)
    if since is not None:
        rows = rows.filter(received_at__gt=since - OVERLAP)
    return list(rows.order_by("received_at", "pk"))
