"""Spikes of negative volume: the last hour's negatives against what is normal for this store
at this time of the week, so a busy Saturday lunch is not a spike but a quiet Tuesday's burst is.

When event time passes an hour boundary, each closed hour's negative count updates the EWMA
baselines (mean and variance) of that hour of the week (local time) and of that hour of the
day, which stands in until the weekly slot has ``min_weeks`` observations. Until the hour of
the day has ``min_weeks`` observations too (days), the rule does not judge: a store's daily
rhythm matters more than anything else about it, and an all-hours mean standing in for the
first days put a busy store's ordinary lunch several deviations above its nights. Those pages
were worse than early: each one kept its lunch hours out of the baselines as an incident, so
the lunch slots never learnt and the store paged every lunch for weeks.

The rule reads a rolling 60 minutes, which at 22:05 is mostly 21:00-22:00. Its expected count
is therefore that of the two clock hours it overlaps, each weighted by the minutes it covers:
judged against the 22:00 slot alone, a busy store's last open hour paged as a spike after
closing time. The last 60 minutes spike when they hold at least ``min_count`` negatives,
exceed the expected count by k standard deviations (floored by the Poisson sd and by 1, so a
quiet store's zero variance does not make every pair of complaints a spike), and are a count
that a Poisson hour reaches less often than ``tail`` even at the upper end of what the
expected count could be (``baseline_z`` standard errors of means learnt from a few hours each):
a baseline learnt from a few noisy weeks must not set a bar that noise alone clears, and the
rule looks at a rolling hour of every store all week.

An incident must not become the store's normal (a baseline that learned a bad hour would soon
call the next one usual): the hours the spike alert covered are left out (``exclude``), and
every other hour counts at most k standard deviations above its slot's mean (winsorised), so
a bad hour that did not page (too early for a baseline, or just under the bar) moves the
baseline only a little.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from streams.core.signals import fields as F
from streams.core.signals.config import SpikeConfig
from streams.core.signals.tiers import HOUR, MINUTE, ByKind
from streams.core.windows import bucket_start

MAX_CATCH_UP_HOURS = 8 * 24  # the hour tier keeps about this much; older gaps count as quiet
# The slots: every hour of the week, then every hour of the day.
SLOT_NAMES = (*(f"how{h}" for h in range(7 * 24)), *(f"hod{h}" for h in range(24)))
_SLOT = {name: i for i, name in enumerate(SLOT_NAMES)}

Slot = tuple[float, float, float]  # mean, variance, hours seen


def _slots(week_hour: int) -> tuple[str, str]:
    """The slots an hour of the week learns into and is judged by: its own, then its hour of
    the day."""
    return SLOT_NAMES[week_hour], SLOT_NAMES[7 * 24 + week_hour % 24]


class Baselines:
    """Every slot's mean and variance in one flat array of doubles, and its hours seen in
    4-byte ints beside it: 3.8 KB a store, where a dict of named three-element lists cost
    about 30 KB once a week had filled it (and a count of hours needs no double). Read like a
    mapping of the slots seen; written only by ``close_hours``, on a copy."""

    __slots__ = ("_a", "_n")

    def __init__(self, values: array[float] | None = None, seen: array[int] | None = None) -> None:
        self._a = values if values is not None else array("d", bytes(16 * len(SLOT_NAMES)))
        self._n = seen if seen is not None else array("I", bytes(4 * len(SLOT_NAMES)))

    def get(self, name: str) -> Slot | None:
        j = _SLOT[name]
        n = self._n[j]
        if not n:
            return None
        a = self._a
        return (a[2 * j], a[2 * j + 1], float(n))

    def __getitem__(self, name: str) -> Slot:
        if (slot := self.get(name)) is None:
            raise KeyError(name)
        return slot

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Baselines) and self._a == other._a and self._n == other._n

    def __repr__(self) -> str:
        return f"Baselines({self.to_json()})"

    def copy(self) -> Baselines:
        return Baselines(array("d", self._a), array("I", self._n))

    def learn(self, name: str, x: float, alpha: float, k: float) -> None:
        """Fold one closed hour's count into a slot's EWMA, winsorised at k standard
        deviations above its mean once the slot has a history."""
        j = _SLOT[name]
        i, a = 2 * j, self._a
        mean, var = a[i], a[i + 1]
        if self._n[j] == 0:
            a[i], a[i + 1], self._n[j] = x, 0.0, 1
            return
        d = min(x, mean + k * _sd(mean, var)) - mean
        a[i], a[i + 1] = mean + alpha * d, (1 - alpha) * (var + alpha * d * d)
        self._n[j] += 1

    def to_json(self) -> dict[str, list[float]]:
        # Each column taken out in C: this runs on every changelog write of the store.
        a = self._a
        columns = zip(SLOT_NAMES, a[0::2].tolist(), a[1::2].tolist(), self._n.tolist(), strict=True)
        return {name: [mean, var, n] for name, mean, var, n in columns if n}

    @classmethod
    def from_json(cls, d: dict[str, list[float]]) -> Baselines:
        out = cls()
        for name, (mean, var, n) in d.items():
            j = _SLOT[name]
            out._a[2 * j : 2 * j + 2] = array("d", (mean, var))
            out._n[j] = int(n)
        return out


@dataclass
class SpikeState:
    closed_until: int = 0  # hours before this start are in the baselines
    baselines: Baselines = field(default_factory=Baselines)
    # Hours the spike alert covered, [first hour start, last hour start] (last None: still
    # firing). They are kept out of the baselines, even when they close after it resolved
    # (an hour closes only once every kind of event has passed it).
    excluded: list[list[float | None]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "closed_until": self.closed_until,
            "baselines": self.baselines.to_json(),
            "excluded": self.excluded,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> SpikeState:
        return cls(
            d["closed_until"],
            Baselines.from_json(d["baselines"]),
            [list(x) for x in d.get("excluded", [])],
        )


def exclude(state: SpikeState, since: float, until: float | None) -> SpikeState:
    """The state with the spike alert's hours marked: from the hour its rolling hour began
    (``since`` - 1 h) to the hour of ``until`` (None: it fires on). Copy on write."""
    spans = [list(x) for x in state.excluded if x[1] is not None]
    first = bucket_start(since - HOUR, HOUR)
    spans.append([first, None if until is None else bucket_start(until, HOUR)])
    return SpikeState(state.closed_until, state.baselines, spans)


def _excluded(h: int, spans: list[list[float | None]], cfg: SpikeConfig) -> bool:
    for first, last in spans:
        assert first is not None
        # Still firing: no longer than `hold_baseline`, then it is the store's new normal.
        end = first + cfg.hold_baseline if last is None else last
        if first <= h <= end:
            return True
    return False


@dataclass(frozen=True)
class SpikeView:
    last_hour: int
    mean: float | None  # None: no baseline yet
    threshold: float | None
    sd: float | None = None  # the baseline's floored standard deviation

    # Written out: compiled, it runs natively (see streams/native.py).
    def __init__(
        self,
        last_hour: int,
        mean: float | None,
        threshold: float | None,
        sd: float | None = None,
    ) -> None:
        object.__setattr__(self, "last_hour", last_hour)
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "threshold", threshold)
        object.__setattr__(self, "sd", sd)


@lru_cache(maxsize=16)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def hour_of_week(ts: float, tz: str) -> int:
    local = datetime.fromtimestamp(ts, _zone(tz))
    return local.weekday() * 24 + local.hour


def close_hours(state: SpikeState, stats: ByKind, now: float, cfg: SpikeConfig) -> SpikeState:
    """The baselines with every hour before ``now`` folded in, but the excluded ones. Copy on
    write: the state passed in is returned unchanged when no hour closes, and never modified,
    so a caller that must undo an event keeps the old one by reference."""
    current = bucket_start(now, HOUR)
    if state.closed_until >= current:
        return state
    if not state.closed_until:
        # No history before the first event.
        return SpikeState(current, state.baselines, state.excluded)
    # Spans wholly before the hours closing now are done with.
    spans = [x for x in state.excluded if x[1] is None or x[1] >= state.closed_until]
    out = SpikeState(state.closed_until, state.baselines.copy(), spans)
    start = max(out.closed_until, current - MAX_CATCH_UP_HOURS * HOUR)
    for h in range(start, current, HOUR):
        if _excluded(h, spans, cfg):
            continue
        vec = stats.bucket(HOUR, h)
        count = vec[F.NEGATIVE] if vec else 0
        week_hour = hour_of_week(h, cfg.timezone)
        for slot in _slots(week_hour):
            out.baselines.learn(slot, count, cfg.alpha, cfg.k)
    out.closed_until = current
    return out


def _sd(mean: float, var: float) -> float:
    return max(math.sqrt(var), math.sqrt(max(mean, 0.0)), 1.0)


@lru_cache(maxsize=4096)
def _poisson_rare(mean: float, tail: float) -> int:
    x, pmf = 0, math.exp(-mean)
    rest = 1.0 - pmf  # P(X > x)
    while rest >= tail:
        x += 1
        pmf *= mean / x
        rest -= pmf
    return x + 1


def poisson_rare(mean: float, tail: float) -> int:
    """The smallest count a Poisson variable of ``mean`` reaches with probability below
    ``tail``."""
    return _poisson_rare(round(max(mean, 0.0), 2), tail)  # rounded: the cache stays small


def _slot(state: SpikeState, ts: float, cfg: SpikeConfig) -> Slot | None:
    """The baseline of the clock hour holding ``ts``: the first slot with enough history, this
    hour of the week (weeks), then of the day (days); None before that."""
    week_hour = hour_of_week(ts, cfg.timezone)
    for name in _slots(week_hour):
        slot = state.baselines.get(name)
        if slot is not None and slot[2] >= cfg.min_weeks:
            return slot
    return None


def _mean_var(slot: Slot, alpha: float) -> float:
    """The variance of a slot's mean as an estimate: an EWMA weighs about (2 - alpha) / alpha
    hours (fewer while it has seen fewer), and a count's variance is at least its mean."""
    mean, var, n = slot
    hours = min(n, (2 - alpha) / alpha)
    return max(var, mean, 0.0) / hours


def view(state: SpikeState, stats: ByKind, now: float, cfg: SpikeConfig) -> SpikeView:
    last_hour = stats.totals(now, 3600, MINUTE)[F.NEGATIVE]
    current = bucket_start(now, HOUR)
    now_slot, prev_slot = _slot(state, now, cfg), _slot(state, current - HOUR, cfg)
    if now_slot is None or prev_slot is None:
        return SpikeView(last_hour, None, None)
    # The rolling hour holds `share` of this clock hour and the rest of the previous one.
    share = (now - current) / HOUR
    parts = ((1 - share, prev_slot), (share, now_slot))
    mean = sum(w * b[0] for w, b in parts)
    var = sum(w * b[1] for w, b in parts)
    mean_var = sum(w * w * _mean_var(b, cfg.alpha) for w, b in parts)
    sd = _sd(mean, var)
    upper = mean + cfg.baseline_z * math.sqrt(mean_var)
    bar = max(mean + cfg.k * sd, poisson_rare(upper, cfg.tail) - 0.5)
    return SpikeView(last_hour, mean, bar, sd)
