"""The outbox dispatcher: delivers the notifications the lifecycle stored, once each.

The lifecycle never talks to a receiver; it ``enqueue``s an ``OutboxItem`` (unique ``key``) in
the same transaction as the state change that caused it. The dispatcher takes the due items,
sends them, and records the outcome:

- delivered -> ``mark_sent`` right after the send returns;
- retryable failure -> pending again at ``now + backoff`` (exponential, jittered, capped), and
  ``failed`` once ``max_attempts`` is reached;
- not retryable (bad secret, rejected payload, undecodable payload, unknown receiver) ->
  ``failed`` at once: the same request would fail the same way.

Exactly once as far as the outbox can tell; at least once in truth. The window: a send that
reached the platform but whose ``mark_sent`` did not happen (crash between the two, or a
timeout after the platform took the message) is sent again after a restart or on the retry.
No IM platform offers an idempotency key to close that window; it is one short DB write wide.

Receivers are independent: each has its own task, sends its items in order (so a resolved
message never overtakes its firing one), with a per-send timeout. After a retryable failure the
receiver pauses until the failed item's retry time rather than trying its whole backlog, so a
dead robot costs one timeout per backoff step and never delays the others. Robots with a
``rate_limit_per_minute`` send what their window allows and fold the rest into one digest
(``alerts.ratelimit``) when a slot frees; held items stay pending, so a restart keeps them.

Several replicas may run on one database. A dispatcher sends only items it has *claimed*: a
lease (owner, expiry) taken in one transaction (``AlertStore.claim``; PostgreSQL row locks with
SKIP LOCKED, SQLite's single writer), renewed before a send that could outlast it. While one
replica holds leases of a receiver the others leave that receiver alone, so its messages keep
their order and its rate limit (re-read from the delivery log each round) holds across replicas.
A replica that dies mid-delivery leaves leases that run out after ``lease``; another then takes
the items over. The at-least-once window is the same as for a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from alerts.clock import Clock, utcnow
from alerts.model import OutboxItem
from alerts.notify.base import DeliveryError, Notification, Receiver
from alerts.ports import AlertStore
from alerts.ratelimit import SlidingWindow, fold

log = logging.getLogger("alerts.outbox")


@dataclass(frozen=True)
class Backoff:
    """Delay before retry ``n`` (n = attempts made so far, >= 1): base * factor^(n-1), capped,
    times a jitter factor in [1 - jitter, 1 + jitter] so robots recovering from an outage are
    not hit by every dispatcher's retries in the same second."""

    base: timedelta = timedelta(seconds=5)
    factor: float = 2.0
    cap: timedelta = timedelta(minutes=10)
    jitter: float = 0.2
    max_attempts: int = 12  # ~1 h of retries with the defaults, then failed

    def delay(self, attempts: int, rand: float) -> timedelta:
        raw = self.base.total_seconds() * self.factor ** max(attempts - 1, 0)
        capped = min(raw, self.cap.total_seconds())
        return timedelta(seconds=capped * (1 - self.jitter + 2 * self.jitter * rand))


@dataclass
class DispatchStats:
    sent: int = 0  # outbox items delivered (a digest counts each item it stands for)
    messages: int = 0  # messages the receivers took (a digest is one)
    folded: int = 0  # items delivered inside a digest
    retried: int = 0
    failed: int = 0
    held: int = 0  # items held back by a rate limit this round
    skipped: int = 0  # items of a paused or busy receiver, left for later

    def add(self, other: DispatchStats) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


class Metrics:
    """The dispatcher's series, on the registry given (the service's, or a test's own)."""

    def __init__(self, registry: CollectorRegistry | None) -> None:
        reg = registry if registry is not None else CollectorRegistry()
        self.sent = Counter(
            "cxpulse_notifications_sent_total",
            "Notifications delivered (each item of a digest counts)",
            ["receiver"],
            registry=reg,
        )
        self.messages = Counter(
            "cxpulse_notification_messages_total",
            "Messages the receivers accepted (a digest is one message)",
            ["receiver"],
            registry=reg,
        )
        self.folded = Counter(
            "cxpulse_notifications_folded_total",
            "Notifications held back by a rate limit and delivered inside a digest",
            ["receiver"],
            registry=reg,
        )
        self.retried = Counter(
            "cxpulse_notifications_retried_total",
            "Retryable delivery failures, scheduled for another attempt",
            ["receiver"],
            registry=reg,
        )
        self.failed = Counter(
            "cxpulse_notifications_failed_total",
            "Notifications given up: rejected (not retryable) or exhausted (max attempts)",
            ["receiver", "reason"],
            registry=reg,
        )
        self.pending = Gauge(
            "cxpulse_outbox_pending",
            "Outbox items due for delivery at the last round (capped at the fetch limit)",
            ["receiver"],
            registry=reg,
        )
        self.latency = Histogram(
            "cxpulse_notification_delivery_seconds",
            "From enqueue to delivered (retries and rate-limit holds included)",
            ["receiver"],
            buckets=(0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600),
            registry=reg,
        )
        self.send_seconds = Histogram(
            "cxpulse_notification_send_seconds",
            "Duration of one send call to a receiver, successful or not",
            ["receiver"],
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
            registry=reg,
        )

    def zero_start(self, receivers: Iterable[str]) -> None:
        # Every receiver's series exist from the start: increase() cannot count the first
        # failure of a series born with it, and the alerts board would read "no data".
        for name in receivers:
            for counter in (self.sent, self.messages, self.folded, self.retried):
                counter.labels(name)
            for reason in ("rejected", "exhausted"):
                self.failed.labels(name, reason)
            self.pending.labels(name)


@dataclass
class _ReceiverState:
    limiter: SlidingWindow | None
    paused_until: datetime | None = None
    task: asyncio.Task[DispatchStats] | None = None


class Dispatcher:
    def __init__(
        self,
        store: AlertStore,
        receivers: Mapping[str, Receiver],
        decode: Callable[[str], Notification],
        clock: Clock = utcnow,
        *,
        registry: CollectorRegistry | None = None,
        backoff: Backoff = Backoff(),
        send_timeout: float = 15.0,
        poll_interval: float = 1.0,
        fetch_limit: int = 1000,
        rand: Callable[[], float] = random.random,
        lease: timedelta = timedelta(seconds=60),
        owner: str | None = None,
    ) -> None:
        self.store = store
        self.receivers = receivers
        self.decode = decode
        self.clock = clock
        self.backoff = backoff
        self.send_timeout = send_timeout
        self.poll_interval = poll_interval
        # Due items of every receiver come in one query; a dead receiver's backlog must not
        # fill it, hence generous (see the report on a per-receiver ``due``).
        self.fetch_limit = fetch_limit
        self.rand = rand
        if lease.total_seconds() <= send_timeout:
            raise ValueError("the outbox lease must outlast one send (send_timeout)")
        self.lease = lease
        # Unique per process and start: a restarted replica must not mistake old leases for its
        # own (they run out instead).
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.metrics = Metrics(registry)
        self.metrics.zero_start(receivers)
        self._state: dict[str, _ReceiverState] = {
            name: _ReceiverState(
                SlidingWindow(r.rate_limit_per_minute) if r.rate_limit_per_minute else None
            )
            for name, r in receivers.items()
        }

    # --- rounds ---------------------------------------------------------------------------

    async def _due(self, now: datetime, ready: set[str]) -> dict[str, list[OutboxItem]]:
        def fetch() -> dict[str, list[OutboxItem]]:
            # One claim per ready receiver: with one shared limit, a dead robot's backlog would
            # fill every round and starve the others. The last query finds items of receivers
            # no longer configured, which are then failed.
            until = now + self.lease
            out = {
                name: self.store.claim(name, self.owner, now, until, self.fetch_limit)
                for name in self.receivers
                if name in ready
            }
            for item in self.store.due(now, self.fetch_limit):
                if item.receiver not in self.receivers:
                    out.setdefault(item.receiver, []).append(item)
            return out

        by_receiver = await asyncio.to_thread(fetch)
        for name, its in by_receiver.items():
            self.metrics.pending.labels(name).set(len(its))
        return by_receiver

    def _ready(self, name: str, now: datetime) -> bool:
        st = self._state[name]
        if st.task is not None and not st.task.done():
            return False
        return st.paused_until is None or st.paused_until <= now

    async def run_once(self, now: datetime | None = None) -> DispatchStats:
        """One round over every receiver with due items; returns when all of them are done."""
        now = now or self.clock()
        stats = DispatchStats()
        rounds = []
        ready = self._ready_now(now)
        for name, items in (await self._due(now, ready)).items():
            if items:
                rounds.append(self._round(name, items, now))
        for s in await asyncio.gather(*rounds):
            stats.add(s)
        return stats

    def _ready_now(self, now: datetime) -> set[str]:
        # Decided before reading the due items, never after: a round that finishes while they
        # are read has marked items sent that the read may still show as pending, and starting
        # that receiver again on them would send them twice.
        return {name for name in self._state if self._ready(name, now)}

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop`` is set: every ``poll_interval``, start a round for each receiver that
        has due items and is neither busy with its previous round nor paused. A slow receiver's
        round keeps running while the others get new rounds."""
        while not stop.is_set():
            now = self.clock()
            ready = self._ready_now(now)
            try:
                due = await self._due(now, ready)
            except Exception:  # the database is down: try again next tick, keep the loop
                log.exception("outbox: reading due items failed")
                due = {}
            for name, items in due.items():
                if not items:
                    continue
                if name not in self._state:  # unknown receiver: quick DB writes, done inline
                    await self._round(name, items, now)
                else:
                    self._state[name].task = asyncio.create_task(self._round(name, items, now))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.poll_interval)
        busy = [st.task for st in self._state.values() if st.task and not st.task.done()]
        if busy:  # let in-flight sends finish (bounded by the send timeout), then record them
            await asyncio.wait(busy, timeout=self.send_timeout + 1)
            for t in busy:
                t.cancel()

    # --- one receiver -----------------------------------------------------------------------

    async def _round(self, name: str, items: list[OutboxItem], now: datetime) -> DispatchStats:
        try:
            return await self._deliver(name, items, now)
        except Exception:  # never let one receiver's surprise end the dispatcher
            log.exception("outbox: round for receiver %s failed", name)
            return DispatchStats()

    async def _deliver(self, name: str, items: list[OutboxItem], now: datetime) -> DispatchStats:
        stats = DispatchStats()
        receiver = self.receivers.get(name)
        if receiver is None:
            for item in items:
                await self._give_up(item, f"no receiver named {name!r} is configured", "rejected")
                stats.failed += 1
            return stats
        st = self._state[name]
        if st.limiter is not None:
            await self._seed(name, st.limiter, now)

        decoded: list[tuple[OutboxItem, Notification]] = []
        for item in items:
            try:
                decoded.append((item, self.decode(item.payload)))
            except Exception as exc:  # a payload this version cannot read will never send
                await self._give_up(item, f"undecodable payload: {exc}", "rejected")
                stats.failed += 1

        queue = decoded
        lease_until = now + self.lease
        while queue:
            if self.clock() + timedelta(seconds=self.send_timeout + 5) > lease_until:
                # The next send could outlast the lease: extend it, and drop what another
                # replica has taken over meanwhile (this one was too slow to keep it).
                lease_until = self.clock() + self.lease
                keys = [i.key for i, _ in queue]
                held = await asyncio.to_thread(self.store.renew, keys, self.owner, lease_until)
                stats.skipped += len(queue) - len([q for q in queue if q[0].key in held])
                queue = [q for q in queue if q[0].key in held]
                if not queue:
                    break
            if st.limiter is None:
                batch, queue = queue[:1], queue[1:]
            else:
                room = st.limiter.room(now)
                if room <= 0:  # held: they stay pending and go out when a slot frees
                    st.paused_until = st.limiter.next_free(now)
                    stats.held += len(queue)
                    break
                # What fits goes out unchanged; when more wait than there are slots, the last
                # slot carries everything left as one digest, so the robot never sees more
                # than its limit and nothing waits longer than it must.
                if room == 1 and len(queue) > 1:
                    batch, queue = queue, []
                else:
                    batch, queue = queue[:1], queue[1:]
            ok = await self._send(name, receiver, batch, now, stats)
            if not ok:
                stats.skipped += len(queue)
                break
            if st.limiter is not None:
                # The send happened at or after the round's start: the later time is the safe
                # one for the robot's window.
                st.limiter.record(max(now, self.clock()))
        return stats

    async def _seed(self, name: str, limiter: SlidingWindow, now: datetime) -> None:
        # Each round starts from the delivery log: after a restart, or when another replica
        # sent last, the last minute's sends still count against the robot's limit. A digest's
        # items all look like sends here: over-counting only holds messages a little longer,
        # while under-counting could get the robot throttled for minutes.
        sent = await asyncio.to_thread(
            self.store.sent_since, name, now - limiter.window, limiter.limit
        )
        limiter.reset(sent)

    async def _send(
        self,
        name: str,
        receiver: Receiver,
        batch: Sequence[tuple[OutboxItem, Notification]],
        now: datetime,
        stats: DispatchStats,
    ) -> bool:
        """Send ``batch`` as one message; True when delivered or given up, False to pause."""
        message = fold([n for _, n in batch])
        started = time.monotonic()
        try:
            await asyncio.wait_for(receiver.send(message), self.send_timeout)
        except DeliveryError as exc:
            error, retryable = str(exc), exc.retryable
        except TimeoutError:
            # The platform may have taken it: this retry is the at-least-once window.
            error, retryable = f"{name}: no answer within {self.send_timeout:g}s", True
        except Exception as exc:  # a receiver bug: retry, it may be a transient state
            log.exception("outbox: receiver %s raised unexpectedly", name)
            error, retryable = f"{name}: {type(exc).__name__}", True
        else:
            self.metrics.send_seconds.labels(name).observe(time.monotonic() - started)
            sent_at = self.clock()
            for item, _ in batch:
                await asyncio.to_thread(self.store.mark_sent, item.key, sent_at)
                self.metrics.latency.labels(name).observe(
                    max((sent_at - item.created_at).total_seconds(), 0.0)
                )
            self.metrics.sent.labels(name).inc(len(batch))
            self.metrics.messages.labels(name).inc()
            stats.sent += len(batch)
            stats.messages += 1
            if len(batch) > 1:
                self.metrics.folded.labels(name).inc(len(batch))
                stats.folded += len(batch)
            self._state[name].paused_until = None
            return True

        self.metrics.send_seconds.labels(name).observe(time.monotonic() - started)
        if not retryable:
            log.warning("outbox: %s rejected %d notification(s): %s", name, len(batch), error)
            for item, _ in batch:
                await self._give_up(item, error, "rejected")
            stats.failed += len(batch)
            return True
        retry_at: datetime | None = None
        for item, _ in batch:
            attempts = item.attempts + 1
            if attempts >= self.backoff.max_attempts:
                await self._give_up(item, f"{error} (after {attempts} attempts)", "exhausted")
                stats.failed += 1
                continue
            at = now + self.backoff.delay(attempts, self.rand())
            retry_at = at if retry_at is None else min(retry_at, at)
            await asyncio.to_thread(self.store.mark_failed, item.key, error, at)
            self.metrics.retried.labels(name).inc()
            stats.retried += 1
        log.info("outbox: %s failed (%s); retry at %s", name, error, retry_at)
        self._state[name].paused_until = retry_at
        return False

    async def _give_up(self, item: OutboxItem, error: str, reason: str) -> None:
        await asyncio.to_thread(self.store.mark_failed, item.key, error, None)
        self.metrics.failed.labels(item.receiver, reason).inc()
