"""The Faust worker: a thin shell around the functional core.

One agent reads the four event topics (all keyed by ``store_id``, so partition *p* of every event
topic and of the state table belongs to the same worker). Per batch it decodes each message,
runs the core, and then writes each touched store's state to the changelog **once** (one
changelog message per table write would cost ~3x throughput). Alerts and dead letters are sent
before the batch is acknowledged, and Faust flushes the producer before it commits offsets, so
processing is at-least-once; replays are absorbed by event-id dedupe in the core.

Faust pitfalls this module steers around (0.15.3): no windowed tables (``relative_to_now`` and
``.delta()`` are unreliable); the timer only *reads* the table and only for actively assigned
partitions; concurrency stays 1; at-least-once, not exactly-once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import faust
from prometheus_client import start_http_server

from cxpulse.config import Settings
from schemas import deadletter as dl
from schemas.events import Complaint, Feedback
from streams import wiring
from streams.core.decode import Rejection, decode
from streams.core.sla.engine import Engine
from streams.core.snapshot import snapshot
from streams.core.store import Signals, StoreState, process
from streams.metrics import Metrics
from streams.topics import Topics
from streams.worker import quiet, tables
from streams.worker.sla import SlaShell
from streams.worker.transport import Transport

log = logging.getLogger("cxpulse.worker")
GAUGE_REFRESH_SECONDS = 5.0
SNAPSHOT_SECONDS = 5.0  # wall seconds between two snapshots of one store (scrapes: 15 s)
SLA_TICK_SECONDS = 0.25


@dataclass
class Worker:
    settings: Settings
    metrics: Metrics
    app: faust.App
    topics: Topics
    table: Any  # faust.Table of store_id (bytes) -> StoreState | its JSON form
    dlq: Any
    alerts: Any
    sla: SlaShell | None = None
    signals: Signals = field(default_factory=Signals)
    signals_out: Any = None  # the signals topic
    shown: dict[bytes, float] = field(default_factory=dict)  # store -> wall time of last snapshot
    unshown: set[bytes] = field(default_factory=set)  # changed since its last snapshot
    owned: frozenset[int] = frozenset()
    clock: float = 0.0  # newest event time processed: the clock the wall's windows age by

    def state(self, key: bytes) -> StoreState:
        stored = self.table.data.get(key)
        if isinstance(stored, StoreState):
            return stored
        if stored:  # recovered from the changelog as JSON
            return StoreState.from_json(stored)
        return StoreState(store_id=key.decode())

    def handle_batch(self, events: Sequence[Any]) -> None:
        """Synchronous on purpose: no await inside, so the batch's state updates are atomic
        with respect to the timer and the next batch."""
        sig = self.signals
        dirty: dict[bytes, tuple[int, StoreState]] = {}
        sla_dirty: dict[bytes, tuple[int, Any]] = {}
        newest = 0.0
        for event in events:
            msg = event.message
            if msg.topic == self.topics.ticks:
                if self.sla is not None:
                    self.sla.on_tick(msg.partition, float(msg.value), sla_dirty)
                continue
            kind = self.topics.kind_of(msg.topic)
            result = decode(msg.value, expected_type=kind, key=msg.key)
            if isinstance(result, Rejection):
                self._dead_letter(msg, result)
                continue
            key = msg.key
            current = dirty[key][1] if key in dirty else self.state(key)
            try:
                step = process(current, result, sig)
            except Exception as exc:
                # A bug must not turn one event into a partition that never moves again.
                log.exception("processor failed on %s", result.event_id)
                self._dead_letter(
                    msg, Rejection("processing_error", f"{type(exc).__name__}: {exc}")
                )
                continue
            etype = result.event_type  # type: ignore[attr-defined]
            self.metrics.consumed.labels(etype).inc()
            if step.outcome == "duplicate":
                self.metrics.duplicates.labels(etype).inc()
            elif step.outcome == "late":
                self.metrics.late.labels(etype).inc()
            else:
                dirty[key] = (msg.partition, step.state)
                if isinstance(result, Feedback):
                    self.metrics.rating(result.brand, result.region, result.channel, result.rating)
            # SLA clocks take every complaint step, however late: they dedupe themselves.
            if (
                isinstance(result, Complaint)
                and self.sla is not None
                and not self.sla.on_complaint(result, msg.partition, sla_dirty)
            ):
                self.metrics.duplicates.labels(etype).inc()
            for alert in step.alerts:
                self.alerts.send_soon(
                    key=alert.fingerprint.encode(), value=alert.model_dump_json().encode()
                )
                self.metrics.alerts.labels(alert.rule, alert.status).inc()
            newest = max(newest, step.state.watermark or 0.0)
        wall = time.time()
        for key, (partition, state) in dirty.items():
            tables.write(self.table, partition, key, state, state.to_json())
            # A snapshot per store and batch cost more than the events themselves while
            # catching up (and filled the producer's buffer): at most one per store every
            # SNAPSHOT_SECONDS; the gauge timer covers every owned store anyway.
            if wall - self.shown.get(key, 0.0) < SNAPSHOT_SECONDS:
                self.unshown.add(key)
                continue
            self._publish(key, state, wall)
        self.metrics.signals_held.set(len(self.unshown))
        if self.sla is not None:
            self.sla.flush(sla_dirty)
        now = time.time()
        for event in events:
            if event.message.topic != self.topics.ticks:
                self.metrics.latency.observe(max(0.0, now - event.message.timestamp))
        if newest > self.clock:
            self.clock = newest
            self.metrics.watermark.set(newest)

    def _publish_held(self, owned: frozenset[int]) -> None:
        """The last change of a store that then went quiet, once its throttle has passed."""
        if self.unshown:
            wall = time.time()
            known = tables.key_partitions(self.table)
            for key in list(self.unshown):
                partition = known.get(key)
                if partition is None:
                    self.unshown.discard(key)  # its partition was taken away and dropped
                elif partition in owned:
                    if wall - self.shown.get(key, 0.0) >= SNAPSHOT_SECONDS:
                        self._publish(key, self.state(key), wall)
                elif owned:  # a standby copy, or a partition now another worker's
                    self.unshown.discard(key)
                    self.shown.pop(key, None)
                # else: the assignment reads empty for a moment while it settles: keep it
        self.metrics.signals_held.set(len(self.unshown))

    def _publish(self, key: bytes, state: StoreState, wall: float) -> None:
        self.shown[key] = wall
        self.unshown.discard(key)
        snap = snapshot(state, None, self.signals)
        self.metrics.show(snap)
        if self.signals_out is not None:
            self.signals_out.send_soon(key=key, value=snap.model_dump_json().encode())
            self.metrics.signals_published.inc()

    def _dead_letter(self, msg: Any, rejection: Rejection) -> None:
        self.metrics.invalid.labels(rejection.code).inc()
        log.warning(
            "rejected %s[%s]@%s: %s: %s",
            msg.topic,
            msg.partition,
            msg.offset,
            rejection.code,
            rejection.reason,
        )
        self.dlq.send_soon(
            key=msg.key,
            value=msg.value,
            headers=dl.headers(
                rejection.code, rejection.reason, msg.topic, msg.partition, msg.offset
            ),
        )

    def on_timer(self) -> None:
        """Read-only housekeeping: follow the assignment, publish held snapshots, send due SLA
        ticks."""
        if self.app.rebalancing:
            return
        owned = frozenset(tp.partition for tp in self.app.assignor.assigned_actives())
        self._publish_held(owned)
        if self.sla is not None:
            if owned != self.owned:
                self.sla.reindex(set(owned))
            for partition, now in self.sla.due_ticks(time.time()):
                self.sla.ticks.send_soon(value=repr(now).encode(), partition=partition)
        self.owned = owned

    def refresh_gauges(self) -> None:
        """Age every owned store's window to the worker's event-time clock (read-only)."""
        if not self.clock:
            return
        owned = {tp.partition for tp in self.app.assignor.assigned_actives()}
        known = tables.key_partitions(self.table)
        fresh = time.time() - GAUGE_REFRESH_SECONDS
        for key in list(self.table.data.keys()):
            if self.shown.get(key, 0.0) > fresh:
                continue  # its own snapshot set the gauges moments ago
            if known.get(key) in owned:
                self.metrics.show(snapshot(self.state(key), self.clock, self.signals))


def _raw_topic(app: faust.App, *names: str) -> Any:
    # Bytes in, bytes out: validation is ours, so a bad message reaches decode() intact and
    # its original bytes can go to the dead-letter topic.
    return app.topic(
        *names, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw"
    )


def build(settings: Settings, metrics: Metrics | None = None) -> Worker:
    k, w = settings.kafka, settings.worker
    topics = Topics.from_config(k)
    app = faust.App(
        w.app_id,
        broker=f"kafka://{k.bootstrap}",
        store="memory://",
        datadir=w.data_dir,
        topic_partitions=k.partitions,
        topic_replication_factor=k.replication,
        topic_allow_declare=True,  # changelog topics; event topics come from ensure_topics
        processing_guarantee="at_least_once",
        consumer_auto_offset_reset="earliest",
        table_standby_replicas=0,
        broker_session_timeout=w.session_timeout,
        # Faust's default (no linger) makes one produce request per changelog write; a few ms
        # lets them travel together. Measured in bench/README.md.
        producer_linger=w.producer_linger,
        producer_max_batch_size=w.producer_batch_bytes,
        producer_max_request_size=max(w.producer_batch_bytes, 1_048_576),
        web_enabled=False,
        key_serializer="raw",
        value_serializer="raw",
    )
    app.transport = Transport(app.conf.broker_consumer, app)  # see streams/worker/transport.py
    source = _raw_topic(app, *topics.events.values(), topics.ticks)
    metrics = metrics or Metrics()

    def uncovered(calendar: str, year: int) -> None:
        metrics.calendar_uncovered.labels(calendar, str(year)).set(1)

    sla_shell = SlaShell(
        engine=Engine(settings.sla, on_uncovered=uncovered),
        metrics=metrics,
        table=app.Table("complaint-state", default=None, partitions=k.partitions, key_type=bytes),
        out=_raw_topic(app, topics.sla),
        alerts=_raw_topic(app, topics.alerts),
        ticks=_raw_topic(app, topics.ticks),
    )
    worker = Worker(
        settings=settings,
        metrics=metrics,
        app=app,
        topics=topics,
        table=app.Table(
            "store-state",
            default=None,
            partitions=k.partitions,
            key_type=bytes,  # Faust derives the changelog's key codec from this: raw bytes
        ),
        dlq=_raw_topic(app, topics.dlq),
        alerts=sla_shell.alerts,
        sla=sla_shell,
        signals=wiring.signals(settings),
        signals_out=_raw_topic(app, topics.signals),
    )

    @app.agent(source, concurrency=1)  # >1 can commit past an in-flight message
    async def cx_events(stream: Any) -> None:
        async for batch in stream.take_events(w.batch_max, within=w.batch_within):
            try:
                worker.handle_batch(batch)
            except Exception:  # a bug must not kill the worker silently or loop forever
                log.exception("batch of %d events failed; they will be retried", len(batch))
                raise

    @app.timer(interval=GAUGE_REFRESH_SECONDS)  # type: ignore[untyped-decorator]
    async def refresh() -> None:
        worker.refresh_gauges()

    # Deadlines are found within this much of their instant (target: <= 1 s late).
    @app.timer(interval=SLA_TICK_SECONDS)  # type: ignore[untyped-decorator]
    async def sla_ticks() -> None:
        worker.on_timer()

    return worker


class FaustWorker(faust.Worker):
    def on_setup_root_logger(self, logger: logging.Logger, level: int) -> None:
        # Faust's terminal spinner lowers the *root* logger to DEBUG so it can spin on every
        # record: every debug line of aiokafka, mode and Faust is then built and dropped. That
        # cost more CPU than all of cxpulse's processing (see bench/README.md). No spinner.
        self.spinner = None
        quiet.install(logger)  # a broker outage: a few lines a minute, not dozens a second


def run(settings: Settings, loglevel: str = "warning") -> None:
    """Run a worker until SIGINT/SIGTERM, serving metrics on the configured port."""
    from streams.topics import ensure_topics

    ensure_topics(settings.kafka)
    worker = build(settings)
    if settings.worker.metrics_port:
        start_http_server(
            settings.worker.metrics_port, settings.worker.metrics_host, worker.metrics.registry
        )
    FaustWorker(worker.app, loglevel=loglevel, quiet=True).execute_from_commandline()
