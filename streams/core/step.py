"""The per-event step: the one path every message takes, in the worker and in the replay runner.

A shell hands over a message (bytes, key, the kind its topic carries, its arrival time) and its
partition; the step admits it (``intake``), applies it to its store (``store.process``) and, for a
complaint, to the complaint's SLA clocks, and says what came out: alert and SLA events, or a
rejection for the dead-letter topic. Deadlines that fall due with no event are handled by
``tick``. Counting happens here, once, in ``tally``.

Nothing a message carries can stop the step. Any exception while handling one message rolls its
store and complaint back to where they were (``checkpoint.Checkpoint``; complaint clocks work on a
copy) and turns the message into a ``processing_error`` rejection naming the exception and the
line it came from. States changed since the last ``take_changes`` stay in the step's working
set; the shell writes them out in one go (the worker: one changelog message per key and batch).

The SLA clock of a partition is the newest complaint time seen on it; once the partition is
live (its newest event is recent) or idle (nothing new for a few seconds), the shell's clock
takes over, so an unanswered complaint breaches on time with no further traffic. The shell's
clock is injected: wall time in the worker, the file's own time in replay.
"""

from __future__ import annotations

import logging
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from schemas.alerts import AlertEvent
from schemas.events import Complaint, Envelope, event_time
from schemas.sla import SlaEvent
from streams.core.checkpoint import Checkpoint
from streams.core.decode import Rejection
from streams.core.errors import said
from streams.core.intake import IntakeConfig, Message, admit
from streams.core.rollup.model import Contribution
from streams.core.sla import engine as sla
from streams.core.sla.due import DueQueue
from streams.core.store import Signals, Step, StoreState, process

log = logging.getLogger("cxpulse.step")
LIVE_LAG = 30.0  # newest event within this of the shell's clock: the stream is live
IDLE_AFTER = 3.0  # no complaint event for this long: the partition has caught up

Outcome = Literal["applied", "duplicate", "late", "rejected", "failed"]


@dataclass
class PartitionClock:
    watermark: float = 0.0
    last_seen: float = 0.0  # the shell's time of the last complaint event

    def now(self, wall: float) -> float:
        if self.watermark >= wall - LIVE_LAG or wall - self.last_seen >= IDLE_AFTER:
            return max(self.watermark, wall)
        return self.watermark


@dataclass
class Tally:
    """Every count the shells report, kept in one place."""

    consumed: Counter[str] = field(default_factory=Counter)  # valid events, by kind
    duplicates: Counter[str] = field(default_factory=Counter)
    late: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)  # by reason code
    alerts: Counter[tuple[str, str]] = field(default_factory=Counter)  # (rule, status)
    sla_events: Counter[tuple[str, str]] = field(default_factory=Counter)  # (clock, transition)
    stores_forgotten: int = 0  # quiet stores dropped (``intake.forget_stores_after``)


@dataclass
class Output:
    outcome: Outcome | None = None  # None: a tick
    event: Envelope | None = None
    rejection: Rejection | None = None
    alerts: list[AlertEvent] = field(default_factory=list)
    sla_events: list[SlaEvent] = field(default_factory=list)
    due_handled: list[float] = field(default_factory=list)  # deadline instants met by a tick
    contribution: Contribution | None = None  # what an applied event adds to the rollups

    # Written out: compiled, it runs natively (see streams/native.py).
    def __init__(
        self,
        outcome: Outcome | None = None,
        event: Envelope | None = None,
        rejection: Rejection | None = None,
        alerts: list[AlertEvent] | None = None,
        sla_events: list[SlaEvent] | None = None,
        due_handled: list[float] | None = None,
        contribution: Contribution | None = None,
    ) -> None:
        self.outcome = outcome
        self.event = event
        self.rejection = rejection
        self.alerts = [] if alerts is None else alerts
        self.sla_events = [] if sla_events is None else sla_events
        self.due_handled = [] if due_handled is None else due_handled
        self.contribution = contribution


@dataclass
class Changes:
    """States to write out: key -> (partition, state); a complaint of None is forgotten, and
    so is every store of ``forgotten`` (key -> partition)."""

    stores: dict[str, tuple[int, StoreState]]
    complaints: dict[str, tuple[int, sla.ComplaintState | None]]
    forgotten: dict[str, int] = field(default_factory=dict)


def describe(exc: BaseException) -> str:
    """The exception and the innermost line it came from: enough to find the bug, no values."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}" if frames else ""
    return f"{said(exc)}{where}"


class Pipeline:
    def __init__(
        self,
        intake: IntakeConfig,
        signals: Signals,
        engine: sla.Engine,
        load_store: Callable[[str], StoreState | None],
        load_complaint: Callable[[str], sla.ComplaintState | None],
        forget_closed: bool = True,
        stores_held: Callable[[], int] | None = None,
    ) -> None:
        """``stores_held``: how many stores the shell holds (its table), for
        ``intake.max_stores``; None: not limited."""
        self.intake = intake
        self.signals = signals
        self.engine = engine
        self.load_store = load_store
        self.load_complaint = load_complaint
        self.forget_closed = forget_closed
        self.stores_held = stores_held
        self.tally = Tally()
        self.clocks: dict[int, PartitionClock] = {}
        self.due: dict[int, DueQueue[str]] = {}
        self.forget: dict[int, DueQueue[str]] = {}
        # partition -> store -> when it may have been quiet long enough to expire (a
        # store joins at its first applied event of this process, or when its partition is
        # taken over: ``watch``; it is looked at then and set later while it is not quiet)
        self.expiry: dict[int, DueQueue[str]] = {}
        self._stores: dict[str, tuple[int, StoreState]] = {}
        self._forgotten: dict[str, int] = {}  # stores forgotten since the last take_changes
        self._fresh: set[str] = set()  # stores begun since the last take_changes
        self._complaints: dict[str, tuple[int, sla.ComplaintState | None]] = {}

    # --- messages -------------------------------------------------------------------------

    def message(self, msg: Message, partition: int, wall: float) -> Output:
        try:
            admitted = admit(msg, self.intake)
        except Exception as exc:  # admission is total by design; a bug there must not stop us
            admitted = Rejection("processing_error", describe(exc))
        if isinstance(admitted, Rejection):
            self.tally.rejected[admitted.code] += 1
            return Output("rejected", rejection=admitted)
        try:
            state = self._store(admitted.store_id)
            if isinstance(state, Rejection):
                self.tally.rejected[state.code] += 1
                return Output("rejected", rejection=state)
            out = self._apply(admitted, state, partition, wall)
        except Exception as exc:
            # One line, not a traceback: a stream of such events must not flood the log; the
            # dead letter carries the reason and the line it came from.
            reason = describe(exc)
            log.warning("handling %s failed, parked: %s", admitted.event_id, reason)
            self.tally.rejected["processing_error"] += 1
            return Output("failed", event=admitted, rejection=Rejection("processing_error", reason))
        kind = admitted.event_type  # type: ignore[attr-defined]
        self.tally.consumed[kind] += 1
        if out.outcome == "duplicate":
            self.tally.duplicates[kind] += 1
        elif out.outcome == "late":
            self.tally.late[kind] += 1
        self._count(out)
        return out

    def _store(self, store_id: str) -> StoreState | Rejection:
        """The store's state: changed in this batch, held by the shell, or begun afresh; a
        refusal where beginning it would go past ``intake.max_stores``."""
        held = self._stores.get(store_id)
        if held is not None:
            return held[1]
        # A store forgotten in this batch is still in the shell's table until the write.
        loaded = None if store_id in self._forgotten else self.load_store(store_id)
        if loaded is not None:
            return loaded
        if store_id not in self._fresh and self.stores_held is not None:
            # the shell has not written the fresh ones yet, nor dropped the forgotten ones
            count = self.stores_held() + len(self._fresh) - len(self._forgotten)
            if count >= self.intake.max_stores:
                return Rejection(
                    "store_limit",
                    f"this worker holds {count} stores (intake.max_stores); a new store's "
                    "events are parked: check the producer's store_id, or raise the limit and "
                    "re-publish these",
                )
        self._fresh.add(store_id)
        return StoreState(store_id=store_id)

    def _complaint(self, key: str) -> sla.ComplaintState | None:
        if key in self._complaints:
            return self._complaints[key][1]
        return self.load_complaint(key)

    def _apply(self, event: Envelope, state: StoreState, partition: int, wall: float) -> Output:
        checkpoint = Checkpoint.take(state, event, self.signals.satisfaction)
        try:
            step = process(state, event, self.signals)
            out = Output(step.outcome, event, alerts=list(step.alerts))
            if step.outcome == "applied" and (step.rating is not None or step.negative):
                out.contribution = _contribution(state, event, partition, step)
            if isinstance(event, Complaint):
                self._on_complaint(event, partition, wall, out)
        except BaseException:
            checkpoint.restore(state)
            raise
        if step.outcome == "applied" or event.store_id in self._stores:
            self._stores[event.store_id] = (partition, state)
        after = self.intake.forget_stores_after
        if step.outcome == "applied" and after is not None:
            expiry = self.expiry.get(partition)
            if expiry is None:
                expiry = self.expiry[partition] = DueQueue()
            if event.store_id not in expiry:  # set once: looked at then, and moved if not quiet
                expiry.set(event.store_id, (state.watermark or 0.0) + after)
        return out

    def _on_complaint(self, event: Complaint, partition: int, wall: float, out: Output) -> None:
        # Every complaint step goes to its clocks, however late for the store's windows: the
        # SLA engine dedupes by event id itself. It works on a copy, kept only on success.
        key = sla.complaint_key(event.store_id, event.complaint_id)
        clock = self.clocks.setdefault(partition, PartitionClock())
        current = self._complaint(key)
        now = PartitionClock(max(clock.watermark, event_time(event)), wall).now(wall)
        result = sla.on_event(self.engine, _copy(current), event, now)
        clock.watermark, clock.last_seen = max(clock.watermark, event_time(event)), wall
        if result.outcome == "duplicate":
            if out.outcome == "applied":
                out.outcome = "duplicate"
            return
        self._keep(key, partition, result, out)

    # --- time ----------------------------------------------------------------------------

    def next_tick(self, partition: int, wall: float) -> float | None:
        """The partition's clock when a deadline (or a closed complaint's or a quiet store's
        expiry) is due by it, else None. Read-only: the worker's timer may call it."""
        queues = (self.due.get(partition), self.forget.get(partition), self.expiry.get(partition))
        firsts = [q.peek() for q in queues if q]
        first = min((t for t in firsts if t is not None), default=None)
        now = self.clocks.setdefault(partition, PartitionClock()).now(wall)
        return now if first is not None and first <= now else None

    def tick(self, partition: int, now: float) -> Output:
        """Handle every deadline of ``partition`` due by ``now``, each at its own instant (so
        the same deadlines give the same events however the ticks fall)."""
        out = Output()
        forget = self.forget.get(partition)
        if forget is not None:
            for _, key in forget.pop_due(now):
                self._complaints[key] = (partition, None)
        expiry = self.expiry.get(partition)
        if expiry is not None:
            for _, store_id in expiry.pop_due(now):
                try:
                    self._expire(partition, store_id, now, expiry)
                except Exception:  # an unreadable state, say: kept, looked at again later
                    log.exception("could not tell whether store %s is quiet", store_id[:64])
        queue = self.due.get(partition)
        while queue is not None and (first := queue.peek()) is not None and first <= now:
            at, key = queue.pop()
            current = self._complaint(key)
            if current is None:
                continue
            try:
                result = sla.on_due(self.engine, _copy(current) or current, at)
            except Exception:
                # This complaint's clocks are broken; the others must still fire.
                log.exception("SLA deadline of %s failed; its clocks stop here", key)
                self.tally.rejected["processing_error"] += 1
                continue
            out.due_handled.append(at)
            self._keep(key, partition, result, out)
        self._count(out)
        return out

    def _expire(self, partition: int, store_id: str, now: float, expiry: DueQueue[str]) -> None:
        after = self.intake.forget_stores_after
        if after is None or store_id in self._forgotten:
            return
        held = self._stores.get(store_id)
        state = held[1] if held is not None else self.load_store(store_id)
        if state is None:
            return
        newest = state.watermark
        if newest is not None and newest + after > now:
            expiry.set(store_id, newest + after)  # an event came since it was set
            return
        if state.firing:
            # An alert that still fires keeps its store, and the evidence it was raised on,
            # in view; looked at again a day later.
            expiry.set(store_id, now + 86400.0)
            return
        self._stores.pop(store_id, None)
        self._fresh.discard(store_id)
        self._forgotten[store_id] = partition
        self.tally.stores_forgotten += 1

    def _keep(self, key: str, partition: int, r: sla.Result, out: Output) -> None:
        self._complaints[key] = (partition, r.state)
        self.due.setdefault(partition, DueQueue()).set(key, r.state.next_due)
        if self.forget_closed:
            self.forget.setdefault(partition, DueQueue()).set(
                key, sla.forget_at(self.engine, r.state)
            )
        out.sla_events.extend(r.sla_events)
        out.alerts.extend(r.alerts)

    def _count(self, out: Output) -> None:
        for a in out.alerts:
            self.tally.alerts[(a.rule, a.status)] += 1
        for e in out.sla_events:
            self.tally.sla_events[(e.clock, e.transition)] += 1

    # --- partitions and write-out ------------------------------------------------------------

    def track(self, partition: int, key: str, state: sla.ComplaintState) -> None:
        """Index a complaint recovered from storage (after a rebalance or a restart)."""
        self.due.setdefault(partition, DueQueue()).set(key, state.next_due)
        if self.forget_closed:
            self.forget.setdefault(partition, DueQueue()).set(
                key, sla.forget_at(self.engine, state)
            )
        newest = state.log[-1][0] if state.log else 0.0
        clock = self.clocks.setdefault(partition, PartitionClock())
        clock.watermark = max(clock.watermark, newest)

    def watch(self, partition: int, store_id: str, at: float) -> None:
        """Look at a store held by the shell (recovered after a restart or a takeover) at
        partition time ``at`` at the latest, to forget it if it has been quiet long enough."""
        if self.intake.forget_stores_after is None:
            return
        expiry = self.expiry.setdefault(partition, DueQueue())
        if store_id not in expiry:
            expiry.set(store_id, at)

    def own(self, partition: int) -> None:
        """Start keeping deadlines for a partition (possibly with none yet)."""
        self.due.setdefault(partition, DueQueue())

    def resume(self, partition: int, wall: float) -> None:
        """A partition just recovered counts as busy: its backlog is judged by event time."""
        self.clocks.setdefault(partition, PartitionClock()).last_seen = wall

    def drop(self, partition: int) -> None:
        self.due.pop(partition, None)
        self.forget.pop(partition, None)
        self.expiry.pop(partition, None)
        self.clocks.pop(partition, None)

    def open_deadlines(self) -> int:
        return sum(len(q) for q in self.due.values())

    def take_changes(self) -> Changes:
        # A store forgotten and begun afresh by a later event of the batch is written anew.
        gone = {k: p for k, p in self._forgotten.items() if k not in self._stores}
        changes = Changes(self._stores, self._complaints, gone)
        self._stores, self._complaints, self._fresh, self._forgotten = {}, {}, set(), {}
        return changes


def _copy(state: sla.ComplaintState | None) -> sla.ComplaintState | None:
    if state is None:
        return None
    return sla.ComplaintState(
        state.store_id,
        state.complaint_id,
        state.policy,
        state.tier,
        state.category,
        list(state.log),
        type(state.seen)(state.seen.typecode, state.seen),
        type(state.emitted)(state.emitted.typecode, state.emitted),
        state.next_due,
        state.status,
    )


def _contribution(state: StoreState, event: Envelope, partition: int, step: Step) -> Contribution:
    labels = state.labels
    return Contribution(
        partition,
        event_time(event),
        event.event_id,
        state.store_id,
        labels.get("brand", ""),
        labels.get("region", ""),
        labels.get("city", ""),
        step.rating,
        step.negative,
    )
