"""Spikes of negative volume: the last hour's negatives against what is normal for this store
at this hour of the week, so a busy Saturday lunch is not a spike but a quiet Tuesday's burst is.

When event time passes an hour boundary, each closed hour's negative count updates three EWMA
baselines (mean and variance): the one for that hour of the week (local time), the one for that
hour of the day, which stands in until the weekly slot has ``min_weeks`` observations (a store's
daily rhythm matters more than its weekdays: an all-hours mean put a busy store's ordinary
lunch hour several deviations above its nights, six false pages a week), and the store's
all-hours one for the first days. The last
60 minutes spike when they hold at least ``min_count`` negatives, exceed the baseline by k
standard deviations (floored by the Poisson sd √mean and by 1, so a quiet store's zero variance
does not make every pair of complaints a spike), and are a count that a Poisson hour of the
baseline's mean reaches less often than ``tail`` (k standard deviations alone is too easy for a
skewed count: at a mean of 1.8 it is 8 negatives, which a normal hour brings about once in
3,000, and the rule looks at every hour of every store).

An incident must not become the store's normal (a baseline that learned a bad hour would soon
call the next one usual): the hours the spike alert covered are left out (``exclude``), and
every other hour counts at most k standard deviations above its slot's mean (winsorised), so
a bad hour that did not page (too early for a baseline, or just under the bar) moves the
baseline only a little.
"""

from __future__ import annotations

import math
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


@dataclass
class SpikeState:
    closed_until: int = 0  # hours before this start are in the baselines
    baselines: dict[str, list[float]] = field(default_factory=dict)  # slot -> [mean, var, n]
    # Hours the spike alert covered, [first hour start, last hour start] (last None: still
    # firing). They are kept out of the baselines, even when they close after it resolved
    # (an hour closes only once every kind of event has passed it).
    excluded: list[list[float | None]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "closed_until": self.closed_until,
            "baselines": self.baselines,
            "excluded": self.excluded,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> SpikeState:
        return cls(
            d["closed_until"],
            {k: list(v) for k, v in d["baselines"].items()},
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
    baselines = {k: list(v) for k, v in state.baselines.items()}
    out = SpikeState(state.closed_until, baselines, spans)
    start = max(out.closed_until, current - MAX_CATCH_UP_HOURS * HOUR)
    for h in range(start, current, HOUR):
        if _excluded(h, spans, cfg):
            continue
        vec = stats.bucket(HOUR, h)
        count = vec[F.NEGATIVE] if vec else 0
        week_hour = hour_of_week(h, cfg.timezone)
        for slot in ("all", f"how{week_hour}", f"hod{week_hour % 24}"):
            b = out.baselines.setdefault(slot, [0.0, 0.0, 0])
            _ewma(b, min(count, _winsor(b, cfg)) if b[2] else count, cfg.alpha)
    out.closed_until = current
    return out


def _ewma(b: list[float], x: float, alpha: float) -> None:
    mean, var, n = b
    if n == 0:
        b[:] = [x, 0.0, 1]
        return
    d = x - mean
    b[:] = [mean + alpha * d, (1 - alpha) * (var + alpha * d * d), n + 1]


def _sd(mean: float, var: float) -> float:
    return max(math.sqrt(var), math.sqrt(max(mean, 0.0)), 1.0)


def _winsor(b: list[float], cfg: SpikeConfig) -> float:
    """The most one closed hour may count in a slot's baseline: k standard deviations."""
    return b[0] + cfg.k * _sd(b[0], b[1])


def _bar(b: list[float], cfg: SpikeConfig) -> float:
    """A slot's spike threshold: a count above it is a spike (before ``min_count``)."""
    mean = b[0]
    return max(mean + cfg.k * _sd(mean, b[1]), poisson_rare(mean, cfg.tail) - 0.5)


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


def view(state: SpikeState, stats: ByKind, now: float, cfg: SpikeConfig) -> SpikeView:
    last_hour = stats.totals(now, 3600, MINUTE)[F.NEGATIVE]
    week_hour = hour_of_week(now, cfg.timezone)
    # The first slot with enough history: this hour of the week (weeks), of the day (days),
    # then all hours (a day of hours before any baseline is trusted).
    for name, enough in (
        (f"how{week_hour}", cfg.min_weeks),
        (f"hod{week_hour % 24}", cfg.min_weeks),
        ("all", 24),
    ):
        slot = state.baselines.get(name)
        if slot is not None and slot[2] >= enough:
            return SpikeView(last_hour, slot[0], _bar(slot, cfg), _sd(slot[0], slot[1]))
    return SpikeView(last_hour, None, None)
