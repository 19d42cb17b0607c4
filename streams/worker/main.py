"""The worker's composition root: the Faust app, its topics and tables, the agent and timers
around the shell (``app.Worker``), the metrics and health server, and the process entry."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import faust
from faust.types import TP

from streams.config import StreamSettings as Settings
from streams.heap import tune_gc
from streams.metrics import PAGE_SECONDS, Metrics
from streams.topics import Topics
from streams.worker import memory_store, quiet
from streams.worker.app import GAUGE_REFRESH_SECONDS, SLA_TICK_SECONDS, Worker
from streams.worker.assembly import assemble
from streams.worker.flow import FlowControl
from streams.worker.grown import Assignor
from streams.worker.health import Health, offsets_of, serve
from streams.worker.merge import Merge
from streams.worker.rollup import Runner, handle_in_turns
from streams.worker.transport import Transport

log = logging.getLogger("cxpulse.worker")


def _consumer_offset(app: faust.App, which: str, topic: str, partition: int) -> int | None:
    """The consumer's high watermark of a partition, or the last offset it read (None when
    not known yet). Reads Faust's consumer; an error means "not known"."""
    from faust.types import TP

    tp = TP(topic, partition)
    value: Any
    try:
        if which == "highwater":
            value = app.consumer.highwater(tp)
        else:
            value = getattr(app.consumer, "_read_offset", {}).get(tp)
    except Exception:
        return None
    return value if isinstance(value, int) else None


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
        # Faust's memory store, keeping its offsets and standby copies (memory_store.py).
        store=memory_store.register(),
        datadir=w.data_dir,
        topic_partitions=k.partitions,
        topic_replication_factor=k.replication,
        topic_allow_declare=True,  # changelog topics; event topics come from ensure_topics
        processing_guarantee="at_least_once",
        # A rebalance must not wait for every message in flight to be acknowledged: events held
        # in the merge buffer are released only by the agent's next batch, which a paused
        # consumer never delivers, so the wait never ended (two workers joining stalled for
        # minutes). Not waiting is safe: unacknowledged events are read again by their
        # partition's owner, and the store's event-id memory counts a re-read copy once.
        stream_wait_empty=False,
        consumer_auto_offset_reset="earliest",
        table_standby_replicas=w.standby_replicas,
        broker_session_timeout=w.session_timeout,
        # Faust's default (no linger) makes one produce request per changelog write; a few ms
        # lets them travel together. Measured in bench/README.md.
        producer_linger=w.producer_linger,
        producer_max_batch_size=w.producer_batch_bytes,
        producer_max_request_size=max(w.producer_batch_bytes, 1_048_576),
        producer_compression_type=None
        if w.producer_compression == "none"
        else w.producer_compression,
        web_enabled=False,
        # Topics given more partitions than kafka.partitions keep every store watched (grown.py)
        PartitionAssignor=Assignor,
        consumer_metadata_max_age_ms=int(w.metadata_max_age * 1000),
        key_serializer="raw",
        value_serializer="raw",
    )
    app.transport = Transport(app.conf.broker_consumer, app)  # see streams/worker/transport.py
    app.fetch_wait = (w.fetch_min_bytes, int(w.fetch_max_wait * 1000))  # type: ignore[attr-defined]
    app.flow_control = FlowControl()  # before any queue exists: see streams/worker/flow.py
    source = _raw_topic(app, *topics.events.values(), topics.ticks)
    metrics = metrics or Metrics(caps=settings.label_caps, export=settings.metrics_export)
    too_large = metrics.too_large
    app.on_too_large = lambda topic: too_large.labels(topic).inc()  # type: ignore[attr-defined]
    worker = assemble(
        settings,
        metrics,
        app,
        topics,
        # Values are read back as the bytes written (the states' JSON), and parsed by the
        # worker: Faust's own decoding would stop the whole recovery, and with it every
        # partition, at one record it cannot decode; the worker sets that one state aside.
        store_table=app.Table(
            "store-state",
            default=None,
            store=memory_store.COMPRESSED_URL,  # recovered states held compressed
            partitions=k.partitions,
            key_type=bytes,  # Faust derives the changelog's key codec from this: raw bytes
            value_type=bytes,
        ),
        complaint_table=app.Table(
            "complaint-state",
            default=None,
            partitions=k.partitions,
            key_type=bytes,
            value_type=bytes,
        ),
        topic=lambda name: _raw_topic(app, name),
    )
    worker.merge = Merge(
        tuple(topics.events.values()),
        w.merge_wait,
        w.merge_wait_behind,
        w.merge_hold_max,
        highwater=lambda t, p: _consumer_offset(app, "highwater", t, p),
        read=lambda t, p: _consumer_offset(app, "read", t, p),
    )
    # The commit rule (offsets.Consumer) never passes an event the merge still holds, nor one
    # whose store's changelog write is still to come.
    app.lowest_held = worker.lowest_unsettled  # type: ignore[attr-defined]
    # Partitions being handed on: the stores' unwritten changes go out first, before Faust
    # flushes the producer, so the new owner's recovery reads them and counts the events it
    # reads again (from the last commit) as duplicates.
    revoke = app.tables.on_partitions_revoked

    def on_partitions_revoked(revoked: set[TP]) -> None:
        worker.write_unwritten()
        revoke(revoked)

    app.tables.on_partitions_revoked = on_partitions_revoked  # type: ignore[method-assign]
    # ... and says when it reads a partition again to hand on offsets nobody handed on.
    app.on_reread = lambda topic, _partition: metrics.reread.labels(topic).inc()  # type: ignore[attr-defined]

    busy = worker.metrics.busy
    on_events = busy.labels("events")

    @app.agent(source, concurrency=1)  # >1 can commit past an in-flight message
    async def cx_events(stream: Any) -> None:
        # Acknowledged by hand: an event held for its partition's order is acknowledged
        # (and its offset committed) only once handled.
        async for batch in stream.noack_take(w.batch_max, within=w.batch_within):
            with spent(on_events):
                try:
                    done = worker.handle_batch(batch)
                except Exception:
                    # handle_batch contains every message's failure; reaching here is a bug in
                    # the shell itself. Park the batch rather than kill the agent (a dead agent
                    # consumes nothing while the process looks alive).
                    log.exception("batch of %d events failed; parking it", len(batch))
                    worker.park(batch)
                    done = list(batch)
            for event in done:
                await stream.ack(event)

    if settings.rollups.enabled:
        _rollup_agent(app, settings, worker)

    @app.timer(interval=GAUGE_REFRESH_SECONDS)  # type: ignore[untyped-decorator]
    async def refresh() -> None:
        with spent(busy.labels("gauges")):
            worker.refresh_gauges()

    @app.timer(interval=PAGE_SECONDS)  # type: ignore[untyped-decorator]
    async def metrics_page() -> None:
        with spent(busy.labels("page")):
            worker.metrics.prepare()

    # Deadlines are found within this much of their instant (target: <= 1 s late).
    @app.timer(interval=SLA_TICK_SECONDS)  # type: ignore[untyped-decorator]
    async def sla_ticks() -> None:
        with spent(busy.labels("housekeeping")):
            worker.on_timer()

    return worker


def _rollup_agent(app: faust.App, settings: Settings, worker: Worker) -> Runner:
    """The second agent: the rollup topic (each brand in one partition) into the rollups and their
    alerts."""
    k = settings.kafka
    runner = Runner(
        settings.rollups,
        k.partitions,
        # Its values are checkpoint chunks cut at any byte: bytes on recovery too (Faust's
        # default would decode each as JSON, and a takeover then lost the rollups' state).
        app.Table(
            "rollup-state",
            default=None,
            partitions=k.partitions,
            key_type=bytes,
            value_type=bytes,
        ),
        worker.alerts,
        on_alert=lambda rule, status: worker.metrics.alerts.labels(rule, status).inc(),
    )
    streams: list[Any] = []
    on_rollups = worker.metrics.busy.labels("rollups")

    @app.agent(_raw_topic(app, worker.topics.rollup), concurrency=1)
    async def rollups(stream: Any) -> None:
        streams.append(stream)
        async for batch in stream.noack_take(settings.worker.batch_max, within=0.2):
            await handle_in_turns(runner, batch, stream.ack, spent=on_rollups.inc)
            if worker.health is not None:
                worker.health.rollups_read(offsets_of(batch), time.time())

    @app.timer(interval=1.0)  # type: ignore[untyped-decorator]
    async def rollup_checkpoint() -> None:
        if app.rebalancing or getattr(app, "in_recovery", False):
            return
        with spent(worker.metrics.busy.labels("rollup_checkpoint")):
            runner.owned(
                {
                    tp.partition
                    for tp in app.assignor.assigned_actives()
                    if tp.topic == worker.topics.rollup
                }
            )
            due = runner.due()
        for event in due:
            if streams:
                await streams[-1].ack(event)

    return runner


@contextmanager
def spent(counter: Any) -> Iterator[None]:
    """Adds the CPU time of this thread inside the block to ``counter`` (``time.thread_time``:
    what another thread or process ran meanwhile is not counted)."""
    started = time.thread_time()
    try:
        yield
    finally:
        counter.inc(time.thread_time() - started)


class FaustWorker(faust.Worker):
    def on_setup_root_logger(self, logger: logging.Logger, level: int) -> None:
        # Faust's terminal spinner lowers the *root* logger to DEBUG so it can spin on every
        # record: every debug line of aiokafka, mode and Faust is then built and dropped. That
        # cost more CPU than all of cxpulse's processing (see bench/README.md). No spinner.
        self.spinner = None
        quiet.install(logger)  # a broker outage: a few lines a minute, not dozens a second


def run(settings: Settings, loglevel: str = "warning") -> None:
    """Run a worker until SIGINT/SIGTERM, serving metrics on the configured port."""
    from streams.topics import ensure_topics, remake

    ensure_topics(settings.kafka)
    worker = build(settings)
    tune_gc(settings.worker.gc_young_threshold)
    worker.gc_pauses.watch()
    app = worker.app
    # A table's changelog deleted under the worker stops it for good (the producer's flush
    # before a commit or a rebalance waits for the topic): the health check makes it again.
    # The rebalance the deletion sets off has already dropped the tables' states by then, so
    # the stores begin afresh (README, Operations).
    changelogs = [t.changelog_topic.get_topic_name() for t in app.tables.values()]

    worker.health = Health(
        settings.kafka,
        f"{settings.worker.app_id}",
        list(worker.topics.events.values()),
        worker.metrics.registry,
        stalled_after=settings.worker.stalled_after,
        rollup_topic=worker.topics.rollup if settings.rollups.enabled else None,
        metadata_max_age=settings.worker.metadata_max_age,
        all_topics=[*worker.topics.all(), *changelogs],
        remake=lambda: remake(settings.kafka, changelogs),
    )
    health, merge = worker.health, worker.merge

    def on_unreadable(topic: str, partition: int, offset: int, why: str) -> None:
        """A partition the fetcher cannot read is set aside (streams/worker/fetch.py): named by
        the health check, and not waited for by the merge. Called on the consumer's thread."""
        health.set_aside(topic, partition, offset, why)
        app.loop.call_soon_threadsafe(merge.set_aside, topic, partition)

    app.on_unreadable = on_unreadable  # type: ignore[attr-defined]
    if settings.worker.metrics_port:
        serve(
            settings.worker.metrics_host,
            settings.worker.metrics_port,
            worker.metrics.registry,
            worker.health,
            worker.metrics.render,
        )
    worker.health.start()
    FaustWorker(worker.app, loglevel=loglevel, quiet=True).execute_from_commandline()
