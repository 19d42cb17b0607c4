"""The Faust worker's shell around the functional core: what it does with each batch and timer
(``Worker``; ``streams.worker.assembly`` builds it from its tables and topics).

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
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import faust

from schemas.events import Envelope, Feedback, event_time
from streams.config import StreamSettings as Settings
from streams.core.decode import Rejection, decode
from streams.core.errors import said
from streams.core.intake import Message
from streams.core.sla import engine as sla
from streams.core.step import Output, Pipeline, Tally
from streams.core.store import Signals, StoreState
from streams.heap import Pauses
from streams.metrics import Metrics
from streams.topics import Topics
from streams.worker import tables
from streams.worker.compressed import Decoded, thaw
from streams.worker.exported import dead_letter, export_tally
from streams.worker.grown import Mover
from streams.worker.health import Health, offsets_of
from streams.worker.merge import Merge
from streams.worker.rollup import Sender
from streams.worker.sla import SlaShell
from streams.worker.snapshots import Snapshots
from streams.worker.stamps import arrival, broker_stamp, tick_time
from streams.worker.writes import Unwritten

log = logging.getLogger("cxpulse.worker")
GAUGE_REFRESH_SECONDS = 5.0
# Stores whose gauges one refresh ages. A snapshot costs about half a millisecond: ageing all of
# 10,000 stores on every refresh took longer than the 5 s interval and starved the agent (239
# events/s in bench.scale). In turns, a quiet store's windows age within a minute or two; a
# store with new events shows them at once (its own snapshot).
REFRESH_BUDGET = 400
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
    sla: SlaShell
    pipe: Pipeline
    snapshots: Snapshots  # what the wall and the signals topic see, and when
    signals: Signals = field(default_factory=Signals)
    clock: Callable[[], float] = time.time  # the shell's only source of wall time
    health: Health | None = None
    merge: Merge = field(default_factory=lambda: Merge((), 0.0))
    unwritten: Unwritten = field(default_factory=lambda: Unwritten(0.0))  # changelog writes due
    owned: frozenset[int] = frozenset()
    recovered: float | None = None  # when Faust last finished refilling the tables
    newest: float = 0.0  # newest event time processed: the clock the wall's windows age by
    said_clock_ahead: float = -math.inf  # when the log last said this host's clock is ahead
    reported: Tally = field(default_factory=Tally)  # the part of the tally already exported
    rollups: Sender | None = None  # what the events add to their brand's rollups
    generation: int | None = None  # the consumer group generation the held events came in
    gc_pauses: Pauses = field(default_factory=Pauses)  # watched by the process that runs it
    mover: Mover | None = None  # the events of partitions beyond kafka.partitions (grown.py)
    decoded: Decoded = field(default_factory=lambda: Decoded(None))  # compressed.py

    def state(self, key: bytes) -> StoreState:
        return self.load_store(key.decode()) or StoreState(store_id=key.decode())

    def load_store(self, store_id: str) -> StoreState | None:
        stored = self.table.data.get(store_id.encode())
        if isinstance(stored, StoreState):
            return stored
        if stored:  # held compressed, or its JSON as recovered (compressed.py)
            self.metrics.stores_read_back.inc()
            try:
                return thaw(stored)
            except Exception as exc:
                self.unreadable_state(self.table, store_id.encode(), stored, exc)
        return None

    def unreadable_state(self, table: Any, key: bytes, stored: bytes, exc: Exception) -> None:
        """A saved state it cannot read (a newer version's, or damaged) would fail every later
        event of its store or complaint, each parked: blind to it for good. It is parked once
        instead, and what comes next starts it afresh (``tables.set_aside``)."""
        which = "complaints" if table is self.sla.table else "stores"
        self.metrics.state_unreadable.labels(which).inc()
        if not tables.set_aside(table, key, stored, said(exc), self.dlq):
            self.metrics.undeliverable.inc()

    def handle_batch(self, events: Sequence[Any]) -> list[Any]:
        """Synchronous on purpose: no await inside, so the batch's state updates are atomic
        with respect to the timer and the next batch. Never raises on input: every message
        ends applied, counted as a duplicate or late, or on the dead-letter topic. Returns
        the events done with (to acknowledge); valid events may wait in the merge buffer
        for their partition's other topics (``merge``)."""
        wall = self.clock()
        done: list[Any] = []
        moved: list[Any] = []  # sent on to their stores' partitions: read there, not here
        ticks = []
        generation = self._generation()
        if generation != self.generation:
            self._new_generation(generation)
        for event in events:
            msg = event.message
            if getattr(msg, "generation_id", generation) != generation:
                # Fetched before a rebalance: its partition may be another worker's now, and
                # handling it here would write this worker's stale copy of the store over the
                # owner's on the changelog. Not acknowledged: the owner (this worker too, if
                # it kept the partition) reads it again from the committed offset.
                self.metrics.stale.inc()
                continue
            if self.mover is not None and msg.partition >= self.mover.partitions:
                self.mover.move(msg)  # to its store's partition, to be read there
                moved.append(event)
                continue
            if msg.topic == self.topics.ticks:
                ticks.append(event)
                continue
            kind = self.topics.kind_of(msg.topic)
            decoded = decode(msg.value, expected_type=kind, key=msg.key) if msg.key else None
            message = Message(msg.value, msg.key, kind, arrival(msg, wall), decoded=decoded)
            if isinstance(decoded, Envelope):
                self.merge.add(
                    msg.topic,
                    msg.partition,
                    msg.offset,
                    event_time(decoded),
                    decoded.event_id,
                    (event, message),
                    wall,
                )
            else:  # refused before any state: no order to keep
                self.merge.read_up_to(msg.topic, msg.partition, msg.offset, wall)
                self._emit(self.pipe.message(message, msg.partition, wall), msg, wall)
                done.append(event)
        before = dict(self.merge.unordered_by)
        released = self.merge.release(wall)
        unordered = 0
        for bound, count in self.merge.unordered_by.items():
            if n := count - before.get(bound, 0):
                self.metrics.released_unordered.labels(bound).inc(n)
                unordered += n
        if unordered:
            log.warning("%d events handed on out of event-time order (a merge bound)", unordered)
        for event, message in released:
            self._emit(
                self.pipe.message(message, event.message.partition, wall), event.message, wall
            )
            done.append(event)
        for event in ticks:
            msg = event.message
            done.append(event)
            try:
                now = self._tick_time(float(msg.value), broker_stamp(msg), msg.partition)
            except (TypeError, ValueError):
                log.warning("ignored a malformed clock tick on partition %s", msg.partition)
                continue
            self.sla.tick_arrived(msg.partition)
            out = self.pipe.tick(msg.partition, now)
            for due_at in out.due_handled:
                self.metrics.sla_detection_lag.observe(max(0.0, self.clock() - due_at))
            self._emit(out, None)
        if self.rollups is not None:
            self.rollups.flush()  # before the batch's events are acknowledged
        self._write(wall)
        export_tally(self.pipe.tally, self.reported, self.metrics)
        now = self.clock()
        for event in done:
            if event.message.topic != self.topics.ticks:
                self.metrics.latency.observe(max(0.0, now - event.message.timestamp))
        self.metrics.merge_held.set(self.merge.count())
        done.extend(moved)
        if self.health is not None and done:
            self.health.consumed(offsets_of(done), now)
        return done

    def _generation(self) -> int | None:
        return getattr(self.app, "consumer_generation_id", None)

    def _settling(self) -> bool:
        """A rebalance or a table recovery is under way: the tables may be half refilled."""
        return bool(self.app.rebalancing or getattr(self.app, "in_recovery", False))

    def _new_generation(self, generation: int | None) -> None:
        """A rebalance ended. The stores of the partitions still ours are written now (the
        consumer reads their events again from the committed offset, and those count as
        duplicates, so no later change would carry them to the changelog); those of the
        partitions taken away are not: their new owner reads the events again (their offsets
        were never committed) and writes the stores itself."""
        if self.unwritten.since:
            owned = {tp.partition for tp in self.app.assignor.assigned_actives()}
            for key, partition in self.unwritten.pending():
                if partition not in owned:
                    self.unwritten.written(key, partition)
            self.write_unwritten()
        self.merge.reset()
        self.generation = generation

    def write_unwritten(self) -> None:
        """Every store still waiting for its write, now: partitions are being handed on, and
        their new owner's recovery must find the changes on the changelog."""
        for key, partition in self.unwritten.pending():
            self._write_store(key, partition)

    def lowest_unsettled(self, topic: str, partition: int) -> int | None:
        """The lowest offset of a partition the commit may not pass: an event held for order,
        or applied to a store whose changelog write is still to come."""
        floors = (self.merge.lowest_held(topic, partition), self.unwritten.lowest(topic, partition))
        return min((o for o in floors if o is not None), default=None)

    def _tick_time(self, sent: float, stamp: float | None, partition: int) -> float:
        """Where a tick read back moves its partition's SLA clocks (``stamps.tick_time``), and
        what it says of this host's clock: when it sent the tick against the broker's stamp."""
        if stamp is None:
            return sent
        sent_at = self.sla.tick_in_flight.get(partition)
        if sent_at is not None:
            self.metrics.clock_ahead.set(sent_at - stamp)
        now = tick_time(sent, stamp)
        if now < sent and self.clock() - self.said_clock_ahead >= 60:
            self.said_clock_ahead = self.clock()
            log.warning(
                "a clock tick of partition %s was sent %.0f s after the broker took it in: SLA "
                "deadlines go by the broker's clock; check this host's clock",
                partition,
                sent - stamp,
            )
        return now

    def _emit(self, out: Output, msg: Any, wall: float = 0.0) -> None:
        if out.rejection is not None and msg is not None:
            dead_letter(self.dlq, self.metrics, msg, out.rejection)
        if out.outcome == "applied" and out.event is not None and msg is not None:
            key = out.event.store_id.encode()
            self.unwritten.applied(key, msg.topic, msg.partition, msg.offset)
            if isinstance(out.event, Feedback):
                e = out.event
                self.metrics.rating(e.brand, e.region, e.channel, e.rating)
        if out.event is not None and out.outcome in ("applied", "duplicate", "late"):
            self.newest = max(self.newest, event_time(out.event))
            if self.rollups is not None and msg is not None:
                self.rollups.handled(msg.partition, event_time(out.event), wall, out.contribution)
        for ev in out.sla_events:
            key = sla.complaint_key(ev.store_id, ev.complaint_id).encode()
            self.sla.out.send_soon(key=key, value=ev.model_dump_json().encode())
        for alert in out.alerts:
            self.alerts.send_soon(
                key=alert.fingerprint.encode(), value=alert.model_dump_json().encode()
            )

    def _write(self, wall: float) -> None:
        changes = self.pipe.take_changes()
        for store_id, (partition, state) in changes.stores.items():
            key = store_id.encode()
            tables.hold(self.table, partition, key, state)  # read from here until written
            self.unwritten.changed(key, partition, wall)
            self.snapshots.changed(key)  # shown in its turn, not per batch (``snapshots``)
            self.decoded.changed(key)
        for store_id, partition in changes.forgotten.items():
            self._drop_store(store_id, partition)
        self._write_due(wall)
        held = self.table.data
        frozen = self.decoded.freeze_pushed_out(held, self.unwritten.since, self._repack)
        self.metrics.stores_compressed.inc(frozen)
        self.metrics.stores_decoded.set(len(self.decoded))
        self.publish_due(wall)
        self.sla.flush(changes.complaints)
        self.metrics.sla_open.set(self.pipe.open_deadlines())
        if self.newest:
            self.metrics.watermark.set(self.newest)

    def _watch_stores(self, owned: frozenset[int], wall: float) -> None:
        """Each store held for an owned partition is looked at once it could have been quiet
        for ``intake.forget_stores_after``: counted from now, as reading its newest event
        would decode it."""
        after = self.pipe.intake.forget_stores_after
        if after is None:
            return
        for key, partition in tables.key_partitions(self.table).items():
            if partition in owned:
                try:
                    store_id = key.decode()
                except (AttributeError, UnicodeDecodeError):
                    continue  # no key this worker writes: its events could never reach it
                self.pipe.watch(partition, store_id, wall + after)

    def _drop_store(self, store_id: str, partition: int) -> None:
        """A store quiet for ``intake.forget_stores_after``: gone from the table, the changelog
        (a tombstone), the decoded order, the line of snapshots and the per-store series."""
        key = store_id.encode()
        self.unwritten.written(key, partition)  # nothing of it is left to write
        tables.delete(self.table, partition, key)
        self.decoded.drop(key)
        self.snapshots.drop(key)
        self.metrics.forget([store_id])

    def _write_due(self, wall: float) -> None:
        for key, partition in self.unwritten.due(wall):
            self._write_store(key, partition)

    def _write_store(self, key: bytes, partition: int) -> None:
        """The store's state as it is now onto the changelog, carrying every change since its
        last write."""
        state = self.state(key)
        self.unwritten.written(key, partition)
        try:
            wire = state.to_wire()
        except Exception:
            # Bounded inputs make this unreachable. If a bug gets here the store keeps
            # working in memory (so it still dedupes and counts right) and the failure is
            # loud; only its changelog copy is stale until the next good write.
            log.exception("state of store %s could not be encoded for the changelog", key[:64])
            self.metrics.state_not_written.inc()
            return
        held = self.decoded.after_write(key, state)
        if held is not state:
            self.metrics.stores_compressed.inc()
        tables.write(self.table, partition, key, held, wire, "raw")

    def _repack(self, key: bytes, value: Any) -> None:
        tables.repack(self.table, key, value)

    def publish_due(self, wall: float) -> None:
        """The waiting stores' snapshots that are due and within the budget."""
        lag = self.health.lag if self.health is not None else None
        self.snapshots.publish_due(wall, lag, self.state)

    def park(self, batch: Sequence[Any]) -> None:
        if self.rollups is not None:
            self.rollups.flush()  # what the events applied before the failure contributed
        for event in batch:
            msg = event.message
            if msg.topic != self.topics.ticks:
                dead_letter(
                    self.dlq, self.metrics, msg, Rejection("processing_error", "the batch failed")
                )

    def on_timer(self) -> None:
        """Read-only housekeeping: follow the assignment, publish held snapshots, send due SLA
        ticks."""
        if self._settling():
            return
        if (generation := self._generation()) != self.generation:
            self._new_generation(generation)
        self._write_due(self.clock())  # a store that went quiet: no batch will write it
        actives = self.app.assignor.assigned_actives()
        owned = frozenset(tp.partition for tp in actives)
        self.merge.assign((tp.topic, tp.partition) for tp in actives)
        if self.health is not None:
            self.health.assigned(owned)
        self.snapshots.keep_owned(owned, tables.key_partitions(self.table))
        wall = self.clock()
        self.publish_due(wall)
        if self.rollups is not None:
            self.rollups.check_idle(owned, self.merge.drained, wall)
        # Faust refills the tables after the rebalance has ended. Deadlines indexed before that
        # would miss the complaints of a partition taken over from a dead worker, so each
        # finished recovery indexes the owned partitions afresh.
        recovery = getattr(self.app.tables, "recovery", None)
        recovered = getattr(recovery, "_recovery_ended_at", None)
        if recovered != self.recovered:
            self.recovered = recovered
            self.sla.reindex(set(), wall)
            self.owned = frozenset()
        if owned != self.owned:
            self.sla.reindex(set(owned), wall)
            self._watch_stores(owned, wall)
            self.merge.drop(set(self.merge.held) - set(owned))
            self.decoded.forget(self.table.data)  # the stores of partitions gone from here
        due = dict(self.sla.due_ticks(wall))
        for partition in self.merge.waiting(wall):
            if partition in owned and partition not in due:
                now = self.sla.nudge(partition, wall)
                if now is not None:
                    due[partition] = now
        for partition, now in due.items():
            self.sla.ticks.send_soon(value=repr(now).encode(), partition=partition)
        self.owned = owned

    def refresh_gauges(self) -> None:
        """Age a budget of owned stores' gauges to the worker's event-time clock (read-only),
        taking turns (``Snapshots.age``), and export the collector's pauses since the last."""
        for generation, seconds in self.gc_pauses.take():
            self.metrics.gc_pause.labels(str(generation)).observe(seconds)
        if self._settling():
            return  # a store read now may be half recovered
        owned = {tp.partition for tp in self.app.assignor.assigned_actives()}
        known = tables.key_partitions(self.table)
        if owned and known:
            # A store whose partition moved on is counted by its new owner now: kept here too,
            # every rollup summed across workers would count it twice.
            self.metrics.retain(lambda sid: known.get(sid.encode()) in owned)
        wall = self.clock()
        # Standby copies of other workers' partitions are in the table too: not ours to show.
        keys = [k for k, p in known.items() if p in owned]
        fresh = wall - GAUGE_REFRESH_SECONDS
        self.snapshots.age(keys, REFRESH_BUDGET, fresh, self.newest, self.state)
        self.publish_due(wall)
