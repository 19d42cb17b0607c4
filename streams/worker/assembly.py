"""``assemble``: the worker (``streams.worker.app.Worker``) from its parts, the tables and topics:
Faust's in ``streams.worker.main``, recorders in the unit tests and benches."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from streams import wiring
from streams.config import StreamSettings as Settings
from streams.core.sla import engine as sla
from streams.core.step import Pipeline
from streams.metrics import Metrics
from streams.topics import Topics
from streams.worker import tables
from streams.worker.app import Worker
from streams.worker.budget import Budget
from streams.worker.compressed import Decoded
from streams.worker.grown import Mover
from streams.worker.rollup import Sender
from streams.worker.sla import SlaShell
from streams.worker.snapshots import Snapshots
from streams.worker.writes import Unwritten


def assemble(
    settings: Settings,
    metrics: Metrics,
    app: Any,
    topics: Topics,
    store_table: Any,
    complaint_table: Any,
    topic: Callable[[str], Any],
    clock: Callable[[], float] = time.time,
) -> Worker:
    """The worker from its parts: the tables and topics (Faust's, or recorders in tests)."""

    def uncovered(calendar: str, year: int) -> None:
        metrics.uncovered(calendar, year)

    sla_shell = SlaShell(table=complaint_table, out=topic(topics.sla), ticks=topic(topics.ticks))
    sig = wiring.signals(settings)
    holder: list[Worker] = []
    pipe = Pipeline(
        settings.intake,
        sig,
        sla.Engine(settings.sla, on_uncovered=uncovered),
        lambda store_id: holder[0].load_store(store_id),
        sla_shell.load,
        # Standby copies included: they take this process's memory too.
        stores_held=lambda: len(store_table.data),
    )
    sla_shell.pipe = pipe
    worker = Worker(
        unwritten=Unwritten(settings.worker.state_write_every),
        decoded=Decoded(settings.worker.stores_decoded),
        settings=settings,
        metrics=metrics,
        app=app,
        topics=topics,
        table=store_table,
        dlq=topic(topics.dlq),
        alerts=topic(topics.alerts),
        sla=sla_shell,
        pipe=pipe,
        signals=sig,
        snapshots=Snapshots(
            settings.worker,
            metrics,
            sig,
            topic(topics.signals),
            Budget(settings.worker.snapshots_per_s),
        ),
        clock=clock,
    )
    if settings.rollups.enabled:
        worker.rollups = Sender(
            topic(topics.rollup), settings.rollups.step, settings.kafka.partitions
        )
    sla_shell.unreadable = worker.unreadable_state
    event_topics = {name: topic(name) for name in topics.events.values()}
    worker.mover = Mover(
        settings.kafka.partitions,
        frozenset(event_topics),
        lambda name, key, value, partition, headers: event_topics[name].send_soon(
            key=key, value=value, partition=partition, headers=headers
        ),
        lambda: tables.key_partitions(store_table),
        lambda name: metrics.moved.labels(name).inc(),
    )
    holder.append(worker)
    return worker
