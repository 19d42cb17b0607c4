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
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.events import Call, event_time
from streams.core import windows
from streams.core.signals.callers import Caller, Callers
from streams.core.signals.packed import Packed, PackedTier

Seconds = Annotated[float, Field(gt=0)]
Share = Annotated[float, Field(ge=0, le=1)]
Scope = Literal["store", "queue", "agent"]
SCOPES: tuple[Scope, ...] = ("store", "queue", "agent")
STORE_ID = ""  # the store scope's id: the stats are one store's, the caller knows which
DEFAULT_QUEUE = "default"

# Counter slots of one bucket.
OFFERED, ANSWERED, IN_SL, WAIT_MS, HANDLE_MS = 0, 1, 2, 3, 4
TRANSFERRED, BOUNCED, RESOLVED_KNOWN, RESOLVED, IDENTIFIED, REPEAT = 5, 6, 7, 8, 9, 10
WIDTH = 11


class CallWindow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: Annotated[str, Field(min_length=1, max_length=16)]
    seconds: Seconds
    bucket: Seconds
    # The z the call rules judge this window at; None: `confidence_z` shared by the looks
    # (`calls_view.judged_z`).
    z: Annotated[float, Field(ge=0, le=6)] | None = None


class CallConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Operational default, not from domain.md: the last hour for the duty manager, the day for
    # the trend. Buckets of 1 min and 1 h keep each window to 60 and 24 buckets.
    windows: tuple[CallWindow, ...] = (
        # The hour is where a busy store's problem shows within the hour, and it is read only
        # while the hour holds `evidence_calls`: at a busy store, 50-100 calls, where a normal
        # 6 % abandonment is many standard errors from 10 %. Its share of the day's tail
        # (3.7 at the day's 2.8) caught a busy store's 25 % hour after more than an hour at
        # three of six simulated stores, and missed one; 3.34 (the share of a 2.33 day)
        # catches all six, five within the hour, and pages no busy store on noise
        # (`python -m bench.precision`; docs/domain.md "Rule guards").
        CallWindow(label="1h", seconds=3600, bucket=60, z=3.34),
        CallWindow(label="3h", seconds=3 * 3600, bucket=300),
        CallWindow(label="24h", seconds=86_400, bucket=3600),
    )
    # Operational default, not from domain.md: the windows a store counts its agents in (none
    # by default). No rule reads an agent, and a chain's call centre is shared: an agent's day
    # is spread over hundreds of stores, so each store held a sliver of tens of agents, the
    # largest part of its call state (`python -m bench.store_memory`). Coaching figures belong
    # to the call centre's own view of its agents; a deployment whose stores staff their own
    # phones can count them here, e.g. ("24h",).
    agent_windows: tuple[str, ...] = ()
    # Operational default, not from domain.md: alerts judge the shortest window that holds
    # `evidence_calls` calls (None), so a busy store's bad hour shows within the hour and a
    # small store's bad day within the day; a label pins one window.
    evaluate_window: str | None = None
    # domain.md "Call-centre measures": "80/20 is the common target", 80 % of calls answered
    # within 20 seconds.
    service_level_seconds: Seconds = 20.0
    service_level_target: Share = 0.80
    # Operational default, not from domain.md: resolve only at target + 5 points (hysteresis).
    service_level_recover_margin: Share = 0.05
    # Operational default, not from domain.md (which names the measure but no figure): alert
    # when 10 % or more of the offered calls are abandoned, resolve at 7 % or less.
    abandonment_threshold: Share = 0.10
    abandonment_recover_margin: Share = 0.03
    # Operational default, not from domain.md: no rate, and so no alert, from a handful of calls.
    min_offered: Annotated[int, Field(ge=1)] = 20
    # Both call rules page only when the Wilson interval of the rate (this many standard
    # errors) lies wholly on the wrong side: abandonment's lower end at or above the threshold,
    # service level's upper end below the target. This is the longest window's z; a window k
    # times shorter is judged at a k times smaller tail (`bounds.window_z`, unless the window
    # names its own z), as a rolling window is read on every call and a short one passes
    # through k times more independent stretches of noise. 2.8 (99.7 % one-sided) because a
    # small store's day holds only 20-40 calls: at 2.33, 6 abandoned of 20 or 8 of 36 (a 6 %
    # store's one-in-a-thousand day) paged 4.5 times per 100 store-weeks, at 2.8 once (2 pages
    # in 200 simulated store-weeks; docs/domain.md "Rule guards"). 0 turns the bound off.
    confidence_z: Annotated[float, Field(ge=0, le=4)] = 2.8
    # Operational default, not from domain.md: alerts judge the shortest window holding this
    # many calls (the longest window when none does, once it holds `min_offered`). 25 calls
    # hardly tell a 20 % abandonment from a 6 % one. Measured with `python -m bench.precision`.
    evidence_calls: Annotated[int, Field(ge=1)] = 30
    # Operational default, not from domain.md (it names the repeat-call rate, "same customer
    # again within a window", without a length).
    repeat_window_hours: Annotated[float, Field(gt=0)] = 24.0
    # Operational default, not from domain.md; keep it >= the caller's lateness (satisfaction
    # .allowed_lateness, 600 s): how far out of order a call can come and still be placed among
    # the customer's calls, so the repeat memory keeps that much more.
    allowed_lateness: Annotated[float, Field(ge=0)] = 600.0

    @model_validator(mode="after")
    def _check(self) -> CallConfig:
        labels = [w.label for w in self.windows]
        if not labels or len(set(labels)) != len(labels):
            raise ValueError("windows: give at least one, with distinct labels")
        for w in self.windows:
            # windows.py keys buckets by whole seconds.
            if w.bucket % 1 or w.seconds % w.bucket or w.bucket > w.seconds / 24:
                raise ValueError(
                    f"windows.{w.label}: the bucket must be whole seconds, at most 1/24 of the "
                    "window, and the window a whole number of buckets"
                )
        for label in self.agent_windows:
            if label not in labels:
                raise ValueError(f"agent_windows: {label!r} is not a window label")
        if self.evaluate_window is not None and self.evaluate_window not in labels:
            raise ValueError(f"evaluate_window: {self.evaluate_window!r} is not a window label")
        if self.evidence_calls < self.min_offered:
            raise ValueError("evidence_calls below min_offered: a judged window shows no rate")
        if self.abandonment_recover_margin > self.abandonment_threshold:
            raise ValueError("abandonment_recover_margin above the threshold: it never resolves")
        if self.service_level_target + self.service_level_recover_margin > 1:
            raise ValueError("service_level_target + recover margin above 100 %: never resolves")
        return self

    def windows_of(self, scope: str) -> tuple[CallWindow, ...]:
        """The windows a scope is counted in: every window, but agents only in theirs."""
        if scope != "agent":
            return self.windows
        return tuple(w for w in self.windows if w.label in self.agent_windows)

    def window(self, label: str | None = None) -> CallWindow:
        """The window named `label`, or the pinned evaluated one (default: the shortest)."""
        label = label or self.evaluate_window
        if label is None:
            return min(self.windows, key=lambda w: w.seconds)
        return next(w for w in self.windows if w.label == label)

    def ladder(self) -> tuple[CallWindow, ...]:
        """The windows an alert may be judged on, shortest first."""
        if self.evaluate_window is not None:
            return (self.window(),)
        return tuple(sorted(self.windows, key=lambda w: w.seconds))


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
