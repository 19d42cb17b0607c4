"""Which stores the wall and the signals topic see, and when.

At 10,000 stores nearly every event changes a store last shown a while ago, and a snapshot
costs about half a millisecond: one per store and batch cost more than the events themselves
while a backlog was read. So a changed store waits in line (``unshown``, the longest waiting
first), each store is shown at most every ``snapshot_every`` seconds, and all of them within a
budget of snapshots per wall second (a lower one while a backlog is read: each snapshot then
shows a moment already passed). Between its own snapshots a store's gauges are aged to the
worker's event-time clock in turns, a budget of stores per refresh.

The worker owns the table and the assignment; this class is handed what it needs of them
(the wall time, the lag, a way to read a store), so it holds no clock of its own.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from streams.config import WorkerConfig
from streams.core.snapshot import snapshot
from streams.core.store import Signals, StoreState
from streams.metrics import Metrics
from streams.worker.budget import Budget

log = logging.getLogger("cxpulse.worker")
StateOf = Callable[[bytes], StoreState]


@dataclass
class Snapshots:
    settings: WorkerConfig
    metrics: Metrics
    signals: Signals = field(default_factory=Signals)
    out: Any = None  # the signals topic
    budget: Budget = field(default_factory=lambda: Budget(200.0))  # snapshots per wall second
    shown: dict[bytes, float] = field(default_factory=dict)  # store -> wall time of last snapshot
    # Changed since its last snapshot, in the order the changes came: the longest waiting first.
    unshown: dict[bytes, None] = field(default_factory=dict)
    held_for: frozenset[int] = frozenset()  # the assignment the waiting stores were checked for
    turn: int = 0  # where the next ageing of gauges starts among the stores

    def changed(self, key: bytes) -> None:
        """The store changed: it joins the line (or keeps its place in it)."""
        self.unshown.setdefault(key)

    def drop(self, key: bytes) -> None:
        """The store is gone (forgotten after a quiet spell): nothing of it is shown again."""
        self.unshown.pop(key, None)
        self.shown.pop(key, None)

    def keep_owned(self, owned: frozenset[int], partitions: dict[bytes, int]) -> None:
        """Forget the waiting stores whose partition went to another worker (``partitions``:
        store key -> its partition, as the table knows it)."""
        if self.unshown and owned and owned != self.held_for:
            # An empty assignment is the group settling for a moment: the stores are kept.
            for key in [k for k in self.unshown if partitions.get(k) not in owned]:
                del self.unshown[key]  # taken away, dropped, or a standby copy
                self.shown.pop(key, None)
            self.held_for = owned

    def publish_due(self, wall: float, lag: int | None, state_of: StateOf) -> None:
        """Snapshots of the waiting stores, longest waiting first, each at most every
        ``snapshot_every`` seconds and all within the budget (the lower one while at least
        ``behind_lag`` events wait to be read)."""
        every, shown = self.settings.snapshot_every, self.shown
        behind = lag is not None and lag >= self.settings.behind_lag
        budget = self.budget.available(
            wall, self.settings.snapshots_per_s_behind if behind else None
        )
        due: list[bytes] = []
        if budget:
            for key in self.unshown:
                if wall - shown.get(key, 0.0) >= every:  # else it waits for its next turn
                    due.append(key)
                    if len(due) == budget:
                        break
        self.budget.spend(len(due))
        for key in due:
            self.publish(key, state_of(key), wall)
        self.metrics.signals_held.set(len(self.unshown))

    def publish(self, key: bytes, state: StoreState, wall: float) -> None:
        self.shown[key] = wall
        self.unshown.pop(key, None)
        try:
            snap = snapshot(state, None, self.signals)
        except Exception:
            log.exception("snapshot of store %s failed", key[:64])
            return
        self.metrics.show(snap)
        if self.out is not None:
            self.out.send_soon(key=key, value=snap.model_dump_json().encode())
            self.metrics.signals_published.inc()

    def age(
        self, keys: list[bytes], budget: int, fresh: float, newest: float, state_of: StateOf
    ) -> None:
        """Age the gauges of ``budget`` of ``keys`` (the owned stores), taking turns, to the
        event-time clock ``newest``; a store shown since ``fresh`` (wall time) is skipped, its
        own snapshot set them moments ago.

        A store not shown yet (its partition was just taken over, or the process just
        started) joins the line instead: without that, a partition taken over in a quiet hour
        shows nothing on the wall, and the signals topic misses its previous owner's last
        throttled change, until each store's next event."""
        if not keys:
            return
        for key in self._next_turn(keys, budget):
            last = self.shown.get(key)
            if last is None:
                self.unshown.setdefault(key)
            elif last <= fresh and newest:
                with contextlib.suppress(Exception):
                    self.metrics.show(snapshot(state_of(key), newest, self.signals))

    def _next_turn(self, keys: list[bytes], budget: int) -> Iterable[bytes]:
        start = self.turn % len(keys)
        turn = keys[start : start + budget]
        turn += keys[: min(start, budget - len(turn))]  # wrapped round, no repeats
        self.turn = start + len(turn)
        return turn
