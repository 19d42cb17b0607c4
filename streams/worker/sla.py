"""The SLA part of the Faust shell: where complaint state is kept, and the clock ticks.

The deadlines themselves live in the core (``streams.core.step``). Deadlines must fire when no
event arrives, but a Faust timer may not write a table. So the timer only *looks*: when the
core says a partition has a deadline due, it publishes a tick (the partition's clock) to
partition *p* of the ticks topic. The agent reads ticks like any event, on the same partition
as the complaints, and there it may write state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from streams.core.sla import engine as sla
from streams.core.sla import packed
from streams.core.step import PartitionClock, Pipeline
from streams.worker import tables

log = logging.getLogger("cxpulse.worker.sla")
TICK_RESEND = 5.0  # seconds before a tick that never came back is sent again


@dataclass
class SlaShell:
    table: Any  # complaint key (bytes) -> packed ComplaintState | its JSON form (recovered)
    out: Any  # the SLA events topic
    ticks: Any
    pipe: Pipeline | None = None
    tick_in_flight: dict[int, float] = field(default_factory=dict)
    # (table, key, what was stored, why): a saved state it cannot read; set by the worker
    unreadable: Callable[[Any, bytes, bytes, Exception], None] | None = None

    def load(self, key: str) -> sla.ComplaintState | None:
        stored = self.table.data.get(key.encode())
        if stored is None:
            return None
        try:
            if packed.is_packed(stored):
                return packed.unpack(stored)
            # recovered from the changelog: the bytes of its JSON
            return sla.ComplaintState.from_json(orjson.loads(stored))
        except Exception as exc:
            if self.unreadable is None:
                raise
            self.unreadable(self.table, key.encode(), stored, exc)
            return None

    def flush(self, changes: dict[str, tuple[int, sla.ComplaintState | None]]) -> None:
        # The table holds each complaint packed (~110 bytes instead of ~600 as objects). The
        # changelog gets its JSON serialised now: until the producer sends it, a pending message
        # then holds ~300 bytes, not a ~1.7 KB dict (a backlog queues thousands of them).
        for name, (partition, state) in changes.items():
            key = name.encode()
            if state is None:
                tables.delete(self.table, partition, key)  # a tombstone on the changelog too
                continue
            try:
                wire = orjson.dumps(state.to_json())
            except Exception:
                log.exception("complaint %s could not be encoded; not written", name)
                continue
            tables.write(self.table, partition, key, packed.pack(state), wire, "raw")

    def tick_arrived(self, partition: int) -> None:
        self.tick_in_flight.pop(partition, None)

    def reindex(self, owned: set[int], wall: float) -> None:
        """After a rebalance: forget partitions we lost, index deadlines of ones we gained."""
        assert self.pipe is not None
        pipe = self.pipe
        for p in set(pipe.due) - owned:
            pipe.drop(p)
        known = tables.key_partitions(self.table)
        for p in owned - set(pipe.due):
            pipe.own(p)
            for key, part in known.items():
                if part != p:
                    continue
                name = key.decode()
                st = self.load(name)
                if st is None:
                    continue
                if not packed.is_packed(self.table.data[key]):
                    # Recovered as JSON: hold it packed like the rest. The same state in another
                    # form, so nothing goes to the changelog.
                    tables.repack(self.table, key, packed.pack(st))
                pipe.track(p, name, st)
            # Resume from the recovered event time, and count as busy for now: a backlog
            # read after a restart must not be judged by the wall clock.
            pipe.resume(p, wall)

    def nudge(self, partition: int, wall: float) -> float | None:
        """A tick for a partition with events waiting in the merge buffer (None while one is
        on its way already)."""
        assert self.pipe is not None
        sent = self.tick_in_flight.get(partition)
        if sent is not None and wall - sent <= TICK_RESEND:
            return None
        self.tick_in_flight[partition] = wall
        return self.pipe.clocks.setdefault(partition, PartitionClock()).now(wall)

    def due_ticks(self, wall: float) -> list[tuple[int, float]]:
        """Partitions with a deadline due now and no tick on its way (read-only)."""
        assert self.pipe is not None
        out = []
        for p in list(self.pipe.due):
            now = self.pipe.next_tick(p, wall)
            sent = self.tick_in_flight.get(p)
            if now is not None and (sent is None or wall - sent > TICK_RESEND):
                self.tick_in_flight[p] = wall
                out.append((p, now))
        return out
