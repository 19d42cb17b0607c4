"""Undo for one event: what ``store.process`` may change in a store, saved before it runs.

An event whose handling fails anywhere (the processor, the SLA step, the shell) must leave its
store exactly as it was, or a re-sent copy would count twice or a half-applied one would
poison every later event. Copying a whole store per event would cost more than processing it,
so the checkpoint saves only what one event can touch.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.events import Call, Complaint, Envelope, event_time
from streams.core import evidence, windows
from streams.core.signals.calls import CallStats
from streams.core.signals.config import SatisfactionConfig
from streams.core.signals.spikes import SpikeState
from streams.core.store import StoreState


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """What ``process`` may change in a store for one event, saved before it runs, so that an
    event whose handling fails anywhere leaves the store exactly as it was. Cheap by design:
    of the clocks only the event kind's, of the evidence only its kind's ring, the counters
    only in the buckets the event adds to (one per tier), the call state only for calls
    (nothing else touches it); the labels, the crisis terms and the spike baselines by
    reference (``process`` replaces them, never changes them in place)."""

    kind: str
    clock: float | None  # the kind's watermark (None: none yet)
    labels: dict[str, str]
    firing: dict[str, float]  # a copy: the rules change it in place
    terms: dict[str, float]
    ring: list[evidence.Entry] | None  # a copy of the kind's ring (None: none yet)
    slow_eval: float
    spikes: SpikeState
    calls: CallStats | None
    counted: bool  # whether the event may add to the counters (an opened complaint does)
    buckets: tuple[tuple[int, int, list[int] | None], ...] | None  # (size, start, vector)
    seen_kind: bool
    seen_bucket: int
    seen_len: int | None

    # Written out: compiled, it runs natively (see streams/native.py).
    def __init__(
        self,
        kind: str,
        clock: float | None,
        labels: dict[str, str],
        firing: dict[str, float],
        terms: dict[str, float],
        ring: list[evidence.Entry] | None,
        slow_eval: float,
        spikes: SpikeState,
        calls: CallStats | None,
        counted: bool,
        buckets: tuple[tuple[int, int, list[int] | None], ...] | None,
        seen_kind: bool,
        seen_bucket: int,
        seen_len: int | None,
    ) -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "clock", clock)
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "firing", firing)
        object.__setattr__(self, "terms", terms)
        object.__setattr__(self, "ring", ring)
        object.__setattr__(self, "slow_eval", slow_eval)
        object.__setattr__(self, "spikes", spikes)
        object.__setattr__(self, "calls", calls)
        object.__setattr__(self, "counted", counted)
        object.__setattr__(self, "buckets", buckets)
        object.__setattr__(self, "seen_kind", seen_kind)
        object.__setattr__(self, "seen_bucket", seen_bucket)
        object.__setattr__(self, "seen_len", seen_len)

    @classmethod
    def take(cls, state: StoreState, event: Envelope, cfg: SatisfactionConfig) -> Checkpoint:
        kind: str = event.event_type  # type: ignore[attr-defined]
        ts = event_time(event)
        # A later complaint step moves the kind's clock and nothing else in the store.
        counted = not isinstance(event, Complaint) or event.action == "opened"
        tiered = state.stats.kinds.get(kind) if counted else None
        buckets = None
        if tiered is not None:
            saved = []
            for size, tier in tiered.buckets.items():
                start = windows.bucket_start(ts, size)
                saved.append((size, start, tier.get(start)))  # a copy
            buckets = tuple(saved)
        bucket = windows.bucket_start(ts, cfg.bucket)
        ids = state.seen.get(kind, {}).get(bucket)
        ring = state.recent.get(kind)
        return cls(
            kind,
            state.clocks.get(kind),
            state.labels,
            dict(state.firing),
            state.terms,
            None if ring is None else list(ring),
            state.slow_eval,
            state.spikes,
            state.calls.copy() if isinstance(event, Call) else None,
            counted,
            buckets,
            kind in state.seen,
            bucket,
            None if ids is None else len(ids),
        )

    def restore(self, state: StoreState) -> None:
        kind = self.kind
        if self.clock is None:
            state.clocks.pop(kind, None)
        else:
            state.clocks[kind] = self.clock
        state.labels, state.firing, state.terms = self.labels, self.firing, self.terms
        if self.ring is None:
            state.recent.pop(kind, None)
        else:
            state.recent[kind] = self.ring
        state.slow_eval, state.spikes = self.slow_eval, self.spikes
        if self.calls is not None:
            state.calls = self.calls
        if not self.counted:
            return
        state.stats.forget_sums()  # they may hold the failed event's counts
        if self.buckets is None:
            state.stats.kinds.pop(kind, None)
        else:
            tiers = state.stats.kinds[kind].buckets
            for size, start, vec in self.buckets:
                tiers[size].put(start, vec)
        if not self.seen_kind:
            state.seen.pop(kind, None)
            return
        seen = state.seen[kind]
        if self.seen_len is None:
            seen.pop(self.seen_bucket, None)
        elif self.seen_bucket in seen:
            del seen[self.seen_bucket][self.seen_len :]
