"""Call-centre measures per store, queue and agent (domain.md "Call-centre measures").

One ``CallStats`` holds one store's calls. Each call is counted at its event time
(``occurred_at``, when the call ended and was published): that is the clock the caller's
watermark and lateness check use, and it is the same for answered and abandoned calls.

Counts live in event-time buckets (``windows.py``) per scope and window. Seconds are summed as
whole milliseconds in the same integer buckets: integer sums do not depend on the order calls
arrive in, so an out-of-order stream, a replay and a restored state give identical figures.

Pure and deterministic: no I/O, no wall clock, no Faust. ``calls_view`` reads the figures and
the alerts from this state.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

from schemas.events import Call, event_time
from streams.core import windows
from streams.core.signals.callers import Caller, Callers
from streams.core.signals.calls_config import CallConfig
from streams.core.signals.packed import Packed, PackedTier

Scope = Literal["store", "queue", "agent"]
SCOPES: tuple[Scope, ...] = ("store", "queue", "agent")
STORE_ID = ""  # the store scope's id: the stats are one store's, the caller knows which
DEFAULT_QUEUE = "default"

# Counter slots of one bucket.
OFFERED, ANSWERED, IN_SL, WAIT_MS, HANDLE_MS = 0, 1, 2, 3, 4
TRANSFERRED, BOUNCED, RESOLVED_KNOWN, RESOLVED, IDENTIFIED, REPEAT = 5, 6, 7, 8, 9, 10
WIDTH = 11


@dataclass
class CallStats:
    """One store's call state; plain data so that it serialises to JSON."""

    clock: float | None = None  # newest call event time seen
    # Oldest call event time seen: a window reaching back before it covers only the time since
    # (a store's first day of calls is not a day's evidence).
    first: float | None = None
    # scope -> scope id -> window label -> buckets (packed: most are old and never change).
    # While every call a store's window holds came through one queue, that queue's buckets
    # are the store's, the same object (``_count``): most stores have one queue, and its
    # buckets, a copy of the store's, were half of the call state.
    scopes: dict[str, dict[str, dict[str, PackedTier]]] = field(default_factory=dict)
    # by short hash of customer.id: their calls still needed to judge repeats, oldest first
    callers: Callers = field(default_factory=Callers)
    # alert target ("store" or "queue:<name>") -> rule -> firing since (event time)
    firing: dict[str, dict[str, float]] = field(default_factory=dict)

    # Written out: compiled, it runs natively (see streams/native.py).
    def __init__(
        self,
        clock: float | None = None,
        first: float | None = None,
        scopes: dict[str, dict[str, dict[str, PackedTier]]] | None = None,
        callers: Callers | None = None,
        firing: dict[str, dict[str, float]] | None = None,
    ) -> None:
        self.clock = clock
        self.first = first
        self.scopes = {} if scopes is None else scopes
        self.callers = Callers() if callers is None else callers
        self.firing = {} if firing is None else firing

    def copy(self) -> CallStats:
        """A copy that shares nothing mutable with this one (buckets one queue shares with the
        store are shared in the copy too)."""
        copied: dict[int, PackedTier] = {}

        def copy_of(tier: PackedTier) -> PackedTier:
            out = copied.get(id(tier))
            if out is None:
                out = copied[id(tier)] = tier.copy()
            return out

        return CallStats(
            clock=self.clock,
            first=self.first,
            scopes={
                scope: {sid: {w: copy_of(bs) for w, bs in ws.items()} for sid, ws in ids.items()}
                for scope, ids in self.scopes.items()
            },
            callers=self.callers.copy(),
            firing={t: dict(rules) for t, rules in self.firing.items()},
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "clock": self.clock,
            "first": self.first,
            "scopes": {
                scope: {sid: {w: bs.to_json() for w, bs in ws.items()} for sid, ws in ids.items()}
                for scope, ids in self.scopes.items()
            },
            "callers": self.callers.to_json(),
            "firing": {t: dict(rules) for t, rules in self.firing.items()},
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> CallStats:
        """The JSON form writes a queue's shared buckets twice, as its own and the store's; read
        back, they are shared again."""
        out = cls(
            clock=d["clock"],
            # A state written before `first` was kept: its windows count as fully covered.
            first=d.get("first", None if d["clock"] is None else 0.0),
            scopes={
                scope: {sid: {w: _buckets(bs) for w, bs in ws.items()} for sid, ws in ids.items()}
                for scope, ids in d["scopes"].items()
            },
            callers=Callers.from_json(d["callers"]),
            firing={t: dict(rules) for t, rules in d["firing"].items()},
        )
        _share(out)
        return out


def _buckets(d: Packed | dict[str, list[int]]) -> PackedTier:
    if isinstance(d, dict):  # written before call buckets were packed: start -> vector
        return PackedTier.from_buckets(WIDTH, {int(b): list(c) for b, c in d.items()})
    return PackedTier.from_json(WIDTH, d)


def customer_key(customer_id: str) -> str:
    """Customer ids are personal data: the state keeps a short hash, enough to match a caller."""
    return hashlib.sha256(customer_id.encode()).hexdigest()[:16]


def add(stats: CallStats, call: Call, cfg: CallConfig) -> None:
    """Count one call (already deduplicated and within lateness), in place."""
    ts = event_time(call)
    queue = call.channel or DEFAULT_QUEUE
    counts = [0] * WIDTH
    counts[OFFERED] = 1
    if call.answered_at is not None:
        wait_ms = round((call.answered_at - call.queued_at).total_seconds() * 1000)
        counts[ANSWERED] = 1
        counts[IN_SL] = int(wait_ms <= cfg.service_level_seconds * 1000)
        counts[WAIT_MS] = wait_ms
        counts[HANDLE_MS] = round(
            (call.talk_seconds + call.hold_seconds + call.wrap_seconds) * 1000
        )
        # Transfers and resolution describe a handled contact; an abandoned call had none.
        counts[TRANSFERRED] = int(call.transfers >= 1)
        counts[BOUNCED] = int(call.transfers >= 2)  # "pointed one way and the other" (domain.md)
        counts[RESOLVED_KNOWN] = int(call.resolved is not None)
        counts[RESOLVED] = int(call.resolved is True)
    if call.customer.id is not None:
        counts[IDENTIFIED] = 1
        remembered = (ts, queue, call.agent_id)
        repeat, now_repeat = stats.callers.remember(
            customer_key(call.customer.id), remembered, cfg.repeat_window_hours * 3600
        )
        counts[REPEAT] = int(repeat)
        if now_repeat is not None:
            # Counted on the later call, in its own bucket, queue and agent.
            fix = [0] * WIDTH
            fix[REPEAT] = 1
            _count(stats, now_repeat, fix, cfg)
    _count(stats, (ts, queue, call.agent_id), counts, cfg)
    old = stats.clock
    stats.clock = ts if old is None else max(old, ts)
    stats.first = ts if stats.first is None else min(stats.first, ts)
    step = min(w.bucket for w in cfg.windows)
    # Pruning sweeps every scope and caller, so once per step of the finest bucket, not per call.
    if old is not None and windows.bucket_start(stats.clock, step) != windows.bucket_start(
        old, step
    ):
        _prune(stats, stats.clock, cfg)


def _count(stats: CallStats, call: Caller, counts: list[int], cfg: CallConfig) -> None:
    ts, queue, agent = call
    items = [(i, c) for i, c in enumerate(counts) if c]
    store = stats.scopes.setdefault("store", {}).setdefault(STORE_ID, {})
    queues = stats.scopes.setdefault("queue", {})
    mine = queues.setdefault(queue, {})
    for w in cfg.windows:
        start = windows.bucket_start(ts, w.bucket)
        tier = store.get(w.label)
        if tier is None:  # the window holds no call yet, so no queue has buckets in it either
            tier = store[w.label] = mine[w.label] = PackedTier(WIDTH)
        own = mine.get(w.label)
        if own is not tier:
            # A call of a second queue: the queue that shared the store's buckets gets its own.
            for other in queues.values():
                if other.get(w.label) is tier:
                    other[w.label] = tier.copy()
            if own is None:
                own = mine[w.label] = PackedTier(WIDTH)
            own.add(start, items)
        tier.add(start, items)
    if agent and (counted := cfg.windows_of("agent")):
        per_window = stats.scopes.setdefault("agent", {}).setdefault(agent, {})
        for w in counted:
            tier = per_window.get(w.label)
            if tier is None:
                tier = per_window[w.label] = PackedTier(WIDTH)
            tier.add(windows.bucket_start(ts, w.bucket), items)


def _prune(stats: CallStats, now: float, cfg: CallConfig) -> None:
    """Drop what no window ending at or after `now` can use: old buckets, then queues and
    agents left with none (so an agent is kept only while seen within the longest window),
    and callers whose calls are too old to make a later call a repeat."""
    for scope, ids in stats.scopes.items():
        by_label = {w.label: w for w in cfg.windows_of(scope)}
        for sid in list(ids):
            per_window = ids[sid]
            for label in list(per_window):
                w = by_label.get(label)
                if w is not None:
                    tier = per_window[label]
                    tier.drop_before(windows.window_first_bucket(now, w.seconds, w.bucket))
                    # Packed once the clock has left it: a call in the same bucket would
                    # unpack it again (a day window's bucket is an hour, this runs per minute).
                    tier.flush(before=windows.bucket_start(now, w.bucket))
                if w is None or not per_window[label]:
                    del per_window[label]  # emptied, or a window no longer kept for the scope
            if not per_window:
                del ids[sid]
    _share(stats)
    # A call may still arrive up to `allowed_lateness` before `now`. Its predecessor is at most
    # `span` older, so only the newest call before the horizon is kept, and only while in reach.
    stats.callers.prune(now - cfg.allowed_lateness, cfg.repeat_window_hours * 3600)


def _share(stats: CallStats) -> None:
    """Where one queue alone has calls in a store's window, its buckets become the store's: the
    other queues' calls have left the window, or a changelog wrote the shared buckets twice."""
    store = stats.scopes.get("store", {}).get(STORE_ID, {})
    queues = stats.scopes.get("queue", {})
    for label, tier in store.items():
        holding = [ws for ws in queues.values() if label in ws]
        if len(holding) == 1 and holding[0][label] is not tier and holding[0][label] == tier:
            holding[0][label] = tier
