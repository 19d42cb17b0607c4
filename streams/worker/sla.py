"""The SLA part of the Faust shell: complaint state, due deadlines, clock ticks.

Deadlines must fire when no event arrives, but a Faust timer may not write a table. So the
timer only *looks*: per owned partition it keeps deadlines in a heap, and when the earliest is
due it publishes a tick (the current clock) to partition *p* of the ticks topic. The agent reads
ticks like any event, on the same partition as the complaints, and there it may write state.

The clock of a partition is event time — the newest complaint time seen on it — so a backlog
after an outage is judged by when things happened, not when they were read. Once the
partition is live (its newest event is recent) or idle (nothing new for a few seconds), the
wall clock takes over, so an unanswered complaint breaches on time with no further traffic.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import orjson

from schemas.events import Complaint, event_time
from streams.core.sla import engine as sla
from streams.core.sla import packed
from streams.core.sla.due import DueQueue
from streams.metrics import Metrics
from streams.worker import tables

log = logging.getLogger("cxpulse.worker.sla")
LIVE_LAG = 30.0  # newest event within this of the wall clock: the stream is live
IDLE_AFTER = 3.0  # no complaint event for this long: the partition has caught up


@dataclass
class PartitionClock:
    watermark: float = 0.0
    last_seen: float = 0.0  # wall time of the last complaint event

    def now(self, wall: float) -> float:
        if self.watermark >= wall - LIVE_LAG or wall - self.last_seen >= IDLE_AFTER:
            return max(self.watermark, wall)
        return self.watermark


@dataclass
class SlaShell:
    engine: sla.Engine
    metrics: Metrics
    table: Any  # complaint key (bytes) -> packed ComplaintState | its JSON form (recovered)
    out: Any  # the SLA events topic
    alerts: Any
    ticks: Any
    due: dict[int, DueQueue[bytes]] = field(default_factory=dict)
    # Closed complaints and when to drop them (sla.closed_retention after their last event).
    forget: dict[int, DueQueue[bytes]] = field(default_factory=dict)
    clocks: dict[int, PartitionClock] = field(default_factory=dict)
    tick_in_flight: dict[int, float] = field(default_factory=dict)

    def state(self, key: bytes) -> sla.ComplaintState | None:
        stored = self.table.data.get(key)
        if stored is None:
            return None
        if isinstance(stored, bytes):
            return packed.unpack(stored)
        return sla.ComplaintState.from_json(stored)  # recovered from the changelog

    def on_complaint(
        self, event: Complaint, partition: int, dirty: dict[bytes, tuple[int, Any]]
    ) -> bool:
        """False when the complaint step was seen before."""
        key = sla.complaint_key(event.store_id, event.complaint_id).encode()
        clock = self.clocks.setdefault(partition, PartitionClock())
        wall = time.time()
        clock.watermark = max(clock.watermark, event_time(event))
        clock.last_seen = wall
        current = dirty[key][1] if key in dirty else self.state(key)
        result = sla.on_event(self.engine, current, event, clock.now(wall))
        if result.outcome == "duplicate":
            return False
        self._keep(key, partition, result, dirty)
        return True

    def on_tick(self, partition: int, now: float, dirty: dict[bytes, tuple[int, Any]]) -> None:
        self.tick_in_flight.pop(partition, None)
        self._forget_due(partition, now, dirty)
        queue = self.due.get(partition)
        if queue is None:
            return
        for due_at, key in queue.pop_due(now):
            current = dirty[key][1] if key in dirty else self.state(key)
            if current is None:
                continue
            result = sla.on_due(self.engine, current, now)
            self.metrics.sla_detection_lag.observe(max(0.0, time.time() - due_at))
            self._keep(key, partition, result, dirty)

    def _forget_due(self, partition: int, now: float, dirty: dict[bytes, tuple[int, Any]]) -> None:
        queue = self.forget.get(partition)
        if queue is None:
            return
        for _, key in queue.pop_due(now):
            dirty.pop(key, None)
            tables.delete(self.table, partition, key)  # a tombstone on the changelog too

    def _keep(
        self, key: bytes, partition: int, r: sla.Result, dirty: dict[bytes, tuple[int, Any]]
    ) -> None:
        dirty[key] = (partition, r.state)
        self.due.setdefault(partition, DueQueue()).set(key, r.state.next_due)
        self.forget.setdefault(partition, DueQueue()).set(key, sla.forget_at(self.engine, r.state))
        for ev in r.sla_events:
            self.out.send_soon(key=key, value=ev.model_dump_json().encode())
            self.metrics.sla_events.labels(ev.clock, ev.transition).inc()
        for alert in r.alerts:
            self.alerts.send_soon(
                key=alert.fingerprint.encode(), value=alert.model_dump_json().encode()
            )
            self.metrics.alerts.labels(alert.rule, alert.status).inc()

    def flush(self, dirty: dict[bytes, tuple[int, Any]]) -> None:
        # The table holds each complaint packed (~110 bytes instead of ~600 as objects). The
        # changelog gets its JSON serialised now: until the producer sends it, a pending message
        # then holds ~300 bytes, not a ~1.7 KB dict (a backlog queues thousands of them).
        for key, (partition, state) in dirty.items():
            wire = orjson.dumps(state.to_json())
            tables.write(self.table, partition, key, packed.pack(state), wire, "raw")

    def reindex(self, owned: set[int]) -> None:
        """After a rebalance: forget partitions we lost, index deadlines of ones we gained."""
        for p in set(self.due) - owned:
            del self.due[p]
            self.forget.pop(p, None)
        known = tables.key_partitions(self.table)
        wall = time.time()
        for p in owned - set(self.due):
            queue: DueQueue[bytes] = DueQueue()
            forget: DueQueue[bytes] = DueQueue()
            newest = 0.0
            for key, part in known.items():
                st = self.state(key) if part == p else None
                if st is None:
                    continue
                if not isinstance(self.table.data[key], bytes):
                    # Recovered as JSON (~1.7 KB as dicts): hold it packed like the rest. The same
                    # state in another form, so nothing goes to the changelog.
                    tables.repack(self.table, key, packed.pack(st))
                queue.set(key, st.next_due)
                forget.set(key, sla.forget_at(self.engine, st))
                newest = max(newest, st.log[-1][0] if st.log else 0.0)
            self.due[p] = queue
            self.forget[p] = forget
            # Resume from the recovered event time, and count as busy for now: a backlog
            # read after a restart must not be judged by the wall clock.
            self.clocks[p] = PartitionClock(watermark=newest, last_seen=wall)
        self.metrics.sla_open.set(sum(len(q) for q in self.due.values()))

    def _peek_forget(self, partition: int) -> float | None:
        queue = self.forget.get(partition)
        return queue.peek() if queue is not None else None

    def due_ticks(self, wall: float) -> list[tuple[int, float]]:
        """Partitions with a deadline due now and no tick on its way (read-only)."""
        out = []
        for p, queue in self.due.items():
            first = min(
                (t for t in (queue.peek(), self._peek_forget(p)) if t is not None), default=None
            )
            now = self.clocks.setdefault(p, PartitionClock(last_seen=0.0)).now(wall)
            sent = self.tick_in_flight.get(p)
            if first is not None and first <= now and (sent is None or wall - sent > 5.0):
                self.tick_in_flight[p] = wall
                out.append((p, now))
        return out
