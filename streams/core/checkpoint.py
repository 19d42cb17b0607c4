"""Undo for one event: what ``store.process`` may change in a store, saved before it runs.

An event whose handling fails anywhere (the processor, the SLA step, the shell) must leave its
store exactly as it was, or a re-sent copy would count twice or a half-applied one would
poison every later event. Copying a whole store per event would cost more than processing it,
so the checkpoint saves only what one event can touch.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.events import Call, Envelope, event_time
from streams.core import evidence, windows
from streams.core.signals import calls, spikes
from streams.core.signals.config import SatisfactionConfig
from streams.core.store import StoreState


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """What ``process`` may change in a store for one event, saved before it runs, so that an
    event whose handling fails anywhere leaves the store exactly as it was. Cheap by design:
    small maps are copied, the counters only in the buckets the event adds to (one per tier),
    the call state only for calls (nothing else touches it), the spike baselines by reference
    (they are replaced, never changed in place)."""

    clocks: dict[str, float]
    labels: dict[str, str]
    firing: dict[str, float]
    terms: dict[str, float]
    recent: evidence.Rings  # the evidence rings: entries are never changed in place
    slow_eval: float
    spikes: spikes.SpikeState
    calls: calls.CallStats | None
    kind: str
    buckets: tuple[tuple[int, int, list[int] | None], ...] | None  # (size, start, vector)
    seen_kind: bool
    seen_bucket: int
    seen_len: int | None

    @classmethod
    def take(cls, state: StoreState, event: Envelope, cfg: SatisfactionConfig) -> Checkpoint:
        kind: str = event.event_type  # type: ignore[attr-defined]
        ts = event_time(event)
        tiered = state.stats.kinds.get(kind)
        buckets = None
        if tiered is not None:
            saved = []
            for size, tier in tiered.buckets.items():
                start = windows.bucket_start(ts, size)
                saved.append((size, start, tier.get(start)))  # a copy
            buckets = tuple(saved)
        bucket = windows.bucket_start(ts, cfg.bucket)
        ids = state.seen.get(kind, {}).get(bucket)
        return cls(
            dict(state.clocks),
            dict(state.labels),
            dict(state.firing),
            dict(state.terms),
            {k: list(r) for k, r in state.recent.items()},
            state.slow_eval,
            state.spikes,
            state.calls.copy() if isinstance(event, Call) else None,
            kind,
            buckets,
            kind in state.seen,
            bucket,
            None if ids is None else len(ids),
        )

    def restore(self, state: StoreState) -> None:
        state.clocks, state.labels = self.clocks, self.labels
        state.firing, state.terms = self.firing, self.terms
        state.recent = self.recent
        state.slow_eval, state.spikes = self.slow_eval, self.spikes
        if self.calls is not None:
            state.calls = self.calls
        state.stats.forget_sums()  # they may hold the failed event's counts
        if self.buckets is None:
            state.stats.kinds.pop(self.kind, None)
        else:
            tiers = state.stats.kinds[self.kind].buckets
            for size, start, vec in self.buckets:
                tiers[size].put(start, vec)
        if not self.seen_kind:
            state.seen.pop(self.kind, None)
            return
        seen = state.seen[self.kind]
        if self.seen_len is None:
            seen.pop(self.seen_bucket, None)
        elif self.seen_bucket in seen:
            del seen[self.seen_bucket][self.seen_len :]
