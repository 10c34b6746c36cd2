"""The dispatcher: delivers the outbox with retries, in order per subscription.

Rows are claimed in a write transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several
processes can share the work) by setting a short lease on them, which the delivering task
renews while it runs: rows of a process that died (SIGKILL, power loss) are claimable again
one lease later. A row is claimable only when no earlier row of its subscription is waiting
(leased or backing off), which keeps the order per subscription across retries, restarts and
processes. Each subscription is delivered by its own task, so a slow or dead endpoint delays
only its own subscriptions; while its deliveries succeed, the task records them and claims the
subscription's next rows in one write. Pending rows of distinct entities travel in one
notification (:func:`coalesced`). A failure backs off exponentially
(``base * 2**attempts`` up to ``cap``) and is recorded in the subscription's status; rows are
deleted once delivered. Periodic subscriptions (``timeInterval``) get their notifications
enqueued here too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import orjson

from dos.broker.jsonld.resolver import ContextResolver
from dos.broker.store import EntityQuery, Store
from dos.broker.subscriptions import notify, outbox
from dos.broker.subscriptions.httpclient import HttpClient
from dos.broker.subscriptions.matching import _compile, notification_payload
from dos.broker.temporal.times import from_ms, now_ms

log = logging.getLogger("dos.broker.notifications")
#: PostgreSQL advisory lock (first key; the second is the schema's) of claiming outbox rows
CLAIM_LOCK = 0x646F736F  # "doso"


@dataclass
class Claimed:
    pk: int
    tenant: str
    subscription_id: str
    endpoint: str
    payload: dict[str, Any]
    attempts: int


@dataclass
class Settings:
    """Timing of the dispatcher (seconds)."""

    poll: float = 0.05
    #: how long claimed rows stay with their process without a renewal (renewed every fifth)
    lease: float = 5.0
    backoff_base: float = 0.2
    backoff_cap: float = 60.0
    timeout: float = 5.0
    batch: int = 500
    #: at most this many entities in one notification (pending rows of a subscription with
    #: distinct entities are sent together; 1: one notification per row)
    coalesce: int = 100


@dataclass
class Outcome:
    delivered: list[int] = field(default_factory=list)
    sent: int = 0  # notifications (a notification may carry several rows)
    failed: Claimed | None = None
    error: str = ""
    rest: list[int] = field(default_factory=list)


def coalesced(rows: list[Claimed], cap: int) -> list[list[Claimed]]:
    """Successive rows in groups of one notification each: at most ``cap`` entities, and no
    entity twice (two changes of one entity stay two notifications, in their order)."""
    groups: list[list[Claimed]] = []
    ids: set[str] = set()
    for row in rows:
        mine = [str(doc.get("id")) for doc in row.payload["entities"]]
        if (
            groups
            and len(ids) + len(mine) <= cap
            and ids.isdisjoint(mine)
            and len(set(mine)) == len(mine)
        ):
            groups[-1].append(row)
            ids.update(mine)
        else:
            groups.append([row])
            ids = set(mine)
    return groups


class Dispatcher:
    """Delivers notifications from the outbox of one store."""

    def __init__(
        self, store: Store, resolver: ContextResolver, settings: Settings | None = None
    ) -> None:
        self.store = store
        self.resolver = resolver
        self.settings = settings or Settings()
        self._busy: set[tuple[str, str]] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._client: HttpClient | None = None
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._last_periodic = 0
        self._contended = False  # the last claim found another process claiming

    # -- claiming --------------------------------------------------------------------------
    def _claim(
        self, session: Any, key: tuple[str, str] | None = None
    ) -> tuple[list[Claimed], dict[tuple[str, str], dict[str, Any]]]:
        """Lease due rows (of one subscription with ``key``) and read their subscriptions."""
        lock = ""
        if session.dialect == "postgresql":
            # one claiming transaction at a time across processes: the rows another one
            # leased are invisible until it commits, and its subscriptions' later rows would
            # look claimable; whoever does not get the lock claims next round (never waits,
            # so no deadlock with the row locks of the writes in the same transaction)
            # (per schema: brokers in other schemas of the database do not share it)
            free = session.x(
                "SELECT pg_try_advisory_xact_lock(?, hashtext(current_schema()))", (CLAIM_LOCK,)
            ).fetchone()[0]
            if not free:
                self._contended = True
                return [], {}
            lock = " FOR UPDATE OF o SKIP LOCKED"
        moment = now_ms()
        only = inner = ""
        params: tuple[str, ...] = ()
        if key is not None:
            only = " AND o.tenant = ? AND o.subscription_id = ?"
            inner = " AND tenant = ? AND subscription_id = ?"
            params = key
        # due rows with no earlier waiting (leased or backing off) row of their subscription;
        # the waiting rows are few: they are read once through the next_ms index
        rows = session.x(
            "WITH w AS MATERIALIZED (SELECT tenant, subscription_id, pk FROM outbox "
            f"WHERE next_ms > ?{inner}) "
            "SELECT o.pk, o.tenant, o.subscription_id, o.endpoint, o.payload, o.attempts "
            f"FROM outbox o WHERE o.next_ms <= ?{only} AND NOT EXISTS (SELECT 1 FROM w "
            "WHERE w.tenant = o.tenant AND w.subscription_id = o.subscription_id "
            f"AND w.pk < o.pk) ORDER BY o.pk LIMIT ?{lock}",
            (moment, *params, moment, *params, self.settings.batch),
        ).fetchall()
        if not rows:
            return [], {}
        lease = moment + int(self.settings.lease * 1000)
        pks = [int(r[0]) for r in rows]
        for start in range(0, len(pks), 500):
            chunk = pks[start : start + 500]
            session.x(
                f"UPDATE outbox SET next_ms = ? WHERE pk IN ({','.join('?' * len(chunk))})",
                (lease, *chunk),
            )
        claimed = [
            Claimed(int(r[0]), r[1], r[2], r[3], orjson.loads(r[4]), int(r[5])) for r in rows
        ]
        subs: dict[tuple[str, str], dict[str, Any]] = {}
        for key in {(c.tenant, c.subscription_id) for c in claimed}:
            row = session.x(
                "SELECT body FROM subscriptions WHERE tenant = ? AND id = ?", key
            ).fetchone()
            if row is not None:
                subs[key] = orjson.loads(row[0])
        return claimed, subs

    def _record(self, session: Any, key: tuple[str, str], outcome: Outcome) -> None:
        """Remove delivered rows, back off a failed one, update the subscription status."""
        moment = now_ms()
        stamp = from_ms(moment)
        tenant, sub_id = key
        for start in range(0, len(outcome.delivered), 500):
            chunk = outcome.delivered[start : start + 500]
            session.x(f"DELETE FROM outbox WHERE pk IN ({','.join('?' * len(chunk))})", chunk)
        if outcome.sent:
            session.x(
                "UPDATE subscriptions SET times_sent = times_sent + ?, last_notification = ?, "
                "last_success = ?, status = 'ok' WHERE tenant = ? AND id = ?",
                (outcome.sent, stamp, stamp, tenant, sub_id),
            )
        if outcome.failed is not None:
            attempts = outcome.failed.attempts + 1
            delay = min(self.settings.backoff_base * 2 ** (attempts - 1), self.settings.backoff_cap)
            retry = moment + int(delay * 1000)
            session.x(
                "UPDATE outbox SET attempts = ?, next_ms = ?, last_error = ? WHERE pk = ?",
                (attempts, retry, outcome.error[:500], outcome.failed.pk),
            )
            rest = outcome.rest
            for start in range(0, len(rest), 500):
                chunk = rest[start : start + 500]
                session.x(
                    f"UPDATE outbox SET next_ms = ? WHERE pk IN ({','.join('?' * len(chunk))})",
                    (retry, *chunk),
                )
            session.x(
                "UPDATE subscriptions SET times_failed = times_failed + 1, "
                "last_notification = ?, last_failure = ?, status = 'failed' "
                "WHERE tenant = ? AND id = ?",
                (stamp, stamp, tenant, sub_id),
            )

    def _extend(self, session: Any, pks: list[int]) -> None:
        lease = now_ms() + int(self.settings.lease * 1000)
        for start in range(0, len(pks), 500):
            chunk = pks[start : start + 500]
            session.x(
                f"UPDATE outbox SET next_ms = ? WHERE pk IN ({','.join('?' * len(chunk))})",
                (lease, *chunk),
            )

    async def _renew(self, rows: list[Claimed], outcome: Outcome, done: asyncio.Event) -> None:
        """Keep the lease of the rows still to deliver until ``done`` (then ``_record`` runs)."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), self.settings.lease / 5)
            if done.is_set():
                return
            delivered = set(outcome.delivered)
            pending = [r.pk for r in rows if r.pk not in delivered]
            try:
                await self.store.awrite(partial(self._extend, pks=pending))
            except Exception:  # the next round tries again; the lease has some reserve
                log.exception(
                    "renewing the lease of subscription %s failed", rows[0].subscription_id
                )

    # -- delivering ------------------------------------------------------------------------
    def _http(self) -> HttpClient:
        if self._client is None:
            self._client = HttpClient(timeout=self.settings.timeout)
        return self._client

    async def _deliver(
        self, key: tuple[str, str], rows: list[Claimed], record: dict[str, Any] | None
    ) -> None:
        """Deliver the claimed rows of one subscription; while all succeed, record them and
        claim the subscription's next due rows in one write, and go on with those."""
        try:
            while rows:
                outcome = await self._send_all(key, rows, record)
                go_on = outcome.failed is None and not self._stop.is_set()

                def settle(
                    session: Any, outcome: Outcome = outcome, go_on: bool = go_on
                ) -> tuple[list[Claimed], dict[tuple[str, str], dict[str, Any]]]:
                    self._record(session, key, outcome)
                    return self._claim(session, key) if go_on else ([], {})

                rows, subs = await self.store.awrite(settle)
                record = subs.get(key)
        except Exception:  # not recorded: the lease runs out, the rows are delivered again
            log.exception("recording the notifications of subscription %s failed", key[1])
        finally:
            self._busy.discard(key)
            self._wake.set()  # the subscription's next rows are claimable now

    async def _send_all(
        self, key: tuple[str, str], rows: list[Claimed], record: dict[str, Any] | None
    ) -> Outcome:
        """Send the rows in order (coalesced) until one fails; the lease is renewed meanwhile."""
        outcome = Outcome()
        finished = asyncio.Event()
        renewal = asyncio.create_task(self._renew(rows, outcome, finished))
        try:
            if record is None:  # the subscription was deleted meanwhile
                outcome.delivered = [r.pk for r in rows]
            else:
                await self._send_groups(key, rows, record, outcome)
        except Exception as exc:  # rendering failed (e.g. @context unavailable): retry later
            log.exception("notification of subscription %s failed", key[1])
            done = set(outcome.delivered)
            pending = [r for r in rows if r.pk not in done]
            outcome.failed = pending[0]
            outcome.error = f"{type(exc).__name__}: {exc}"
            outcome.rest = [r.pk for r in pending[1:]]
        finally:
            finished.set()
            await renewal  # not cancelled: a renewal must not land after the record
        return outcome

    async def _send_groups(
        self, key: tuple[str, str], rows: list[Claimed], record: dict[str, Any], outcome: Outcome
    ) -> None:
        ctx = await self.resolver.resolve(record.get("jsonldContext"))
        headers = notify.headers_of(record, ctx, key[0])
        endpoint = record["notification"]["endpoint"]
        uri = endpoint["uri"]  # the current one: an updated endpoint gets what is pending
        settled = 0
        for group in coalesced(rows, self.settings.coalesce):
            body = notify.render(record, group[0].payload, ctx)
            for row in group[1:]:
                more = notify.render(record, row.payload, ctx)
                body["data"].extend(more["data"])
                body["notifiedAt"] = more["notifiedAt"]
            try:
                if uri.split("://", 1)[0] in ("mqtt", "mqtts"):
                    await notify.send_mqtt(
                        uri, body, headers, endpoint.get("notifierInfo", []), self.settings.timeout
                    )
                else:
                    await notify.send_http(self._http(), uri, body, headers)
            except notify.DeliveryError as exc:
                outcome.failed = group[0]
                outcome.error = str(exc)
                outcome.rest = [r.pk for r in rows[settled + 1 :]]
                log.info("notification to %s failed: %s", uri, exc)
                return
            settled += len(group)
            outcome.delivered.extend(r.pk for r in group)
            outcome.sent += 1

    # -- periodic subscriptions ------------------------------------------------------------
    def _periodic(self, session: Any) -> int:
        moment = now_ms()
        rows = session.x(
            "SELECT tenant, id, body, interval_s, expires_ms FROM subscriptions "
            "WHERE active = ? AND interval_s IS NOT NULL AND next_periodic_ms <= ?",
            (True, moment),
        ).fetchall()
        for tenant, sub_id, body, interval, expires in rows:
            session.x(
                "UPDATE subscriptions SET next_periodic_ms = ? WHERE tenant = ? AND id = ?",
                (moment + int(interval) * 1000, tenant, sub_id),
            )
            if expires is not None and int(expires) <= moment:
                continue
            sub = _compile(body)
            selectors = sub.record.get("entities") or []
            docs: list[dict[str, Any]] = []
            for selector in selectors:
                query = EntityQuery(
                    ids=[selector["id"]] if "id" in selector else None,
                    id_pattern=selector.get("idPattern"),
                    types=selector.get("typeGroups") or [[selector["type"]]],
                    q=sub.q,
                    scope_q=sub.scope,
                    geo=sub.geo,
                    limit=1000,
                )
                found, _ = session.query(tenant, query)
                docs.extend(d for d in found if d["id"] not in {x["id"] for x in docs})
            if not docs:
                continue
            payload = notification_payload(sub_id, docs, trigger="timeInterval", moment=moment)
            session.x(
                "INSERT INTO outbox (tenant, subscription_id, endpoint, payload, created_ms, "
                "next_ms) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    tenant,
                    sub_id,
                    sub.record["notification"]["endpoint"]["uri"],
                    payload,
                    moment,
                    moment,
                ),
            )
        return len(rows)

    @staticmethod
    def _due(session: Any, moment: int, periodic: bool) -> tuple[bool, bool]:
        """Whether outbox rows are due, and (when asked) periodic subscriptions."""
        due = session.x("SELECT 1 FROM outbox WHERE next_ms <= ? LIMIT 1", (moment,)).fetchone()
        periodic_due = None
        if periodic:
            periodic_due = session.x(
                "SELECT 1 FROM subscriptions WHERE interval_s IS NOT NULL "
                "AND next_periodic_ms <= ? LIMIT 1",
                (moment,),
            ).fetchone()
        return due is not None, periodic_due is not None

    # -- loop ------------------------------------------------------------------------------
    async def tick(self, woken: bool = False) -> int:
        """Enqueue due periodic notifications, claim due rows and start their deliveries.

        ``woken``: a commit queued rows (or a delivery ended), so the claim need not be
        preceded by the read that finds out whether anything is due. The number of rows
        claimed; -1 when another process was claiming (PostgreSQL): due rows may be left."""
        moment = now_ms()
        periodic = moment - self._last_periodic >= 500
        if woken and not periodic:
            due, periodic_due = True, False
        else:  # a cheap read first: an idle broker does not queue empty writes every poll
            due, periodic_due = await self.store.aread(lambda s: self._due(s, moment, periodic))
        if periodic:
            self._last_periodic = moment
            if periodic_due:
                await self.store.awrite(self._periodic)
                due = True
        if not due:
            return 0
        self._contended = False
        claimed, subs = await self.store.awrite(self._claim)
        if self._contended:
            return -1
        groups: dict[tuple[str, str], list[Claimed]] = {}
        for row in claimed:
            groups.setdefault((row.tenant, row.subscription_id), []).append(row)
        for key, rows in groups.items():
            self._busy.add(key)
            task = asyncio.create_task(self._deliver(key, rows, subs.get(key)))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return len(claimed)

    async def run(self) -> None:
        """Deliver until :meth:`stop`; errors of one round are logged, the loop goes on."""
        loop = asyncio.get_running_loop()

        def wake() -> None:  # the writer thread, after a commit that queued notifications
            with contextlib.suppress(RuntimeError):  # the loop is closed
                loop.call_soon_threadsafe(self._wake.set)

        outbox.listen(wake)
        try:
            while not self._stop.is_set():
                woken = self._wake.is_set()
                self._wake.clear()
                try:
                    found = await self.tick(woken)
                except Exception:
                    log.exception("notification dispatch round failed")
                    found = 0
                if found <= 0:
                    await self._sleep()
        finally:
            outbox.unlisten(wake)

    async def _sleep(self) -> None:
        """Until woken, stopped, or the poll interval passed."""
        waits = [asyncio.ensure_future(e.wait()) for e in (self._wake, self._stop)]
        try:
            await asyncio.wait(waits, timeout=self.settings.poll, return_when="FIRST_COMPLETED")
        finally:
            for waiting in waits:
                waiting.cancel()

    async def drain(self) -> None:
        """Wait for the deliveries in flight."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        await self.drain()
        if self._client is not None:
            await self._client.aclose()
            self._client = None
