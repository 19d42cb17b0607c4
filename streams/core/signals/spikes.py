"""Spikes of negative volume: the last hour's negatives against what is normal for this store
at this hour of the week, so a busy Saturday lunch is not a spike but a quiet Tuesday's burst is.

When event time passes an hour boundary, each closed hour's negative count updates two EWMA
baselines (mean and variance): the one for that hour of the week (local time), and the store's
all-hours one, which stands in until the weekly slot has ``min_weeks`` observations. The last
60 minutes spike when they hold at least ``min_count`` negatives and exceed the baseline by k
standard deviations (floored by the Poisson sd √mean and by 1, so a quiet store's zero variance
does not make every pair of complaints a spike).
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

    def to_json(self) -> dict[str, Any]:
        return {"closed_until": self.closed_until, "baselines": self.baselines}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> SpikeState:
        return cls(d["closed_until"], {k: list(v) for k, v in d["baselines"].items()})


@dataclass(frozen=True)
class SpikeView:
    last_hour: int
    mean: float | None  # None: no baseline yet
    threshold: float | None


@lru_cache(maxsize=16)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def hour_of_week(ts: float, tz: str) -> int:
    local = datetime.fromtimestamp(ts, _zone(tz))
    return local.weekday() * 24 + local.hour


def close_hours(state: SpikeState, stats: ByKind, now: float, cfg: SpikeConfig) -> SpikeState:
    """The baselines with every hour before ``now`` folded in. Copy on write: the state passed
    in is returned unchanged when no hour closes, and never modified, so a caller that must
    undo an event keeps the old one by reference."""
    current = bucket_start(now, HOUR)
    if state.closed_until >= current:
        return state
    if not state.closed_until:
        return SpikeState(current, state.baselines)  # no history before the first event
    out = SpikeState(state.closed_until, {k: list(v) for k, v in state.baselines.items()})
    start = max(out.closed_until, current - MAX_CATCH_UP_HOURS * HOUR)
    for h in range(start, current, HOUR):
        vec = stats.bucket(HOUR, h)
        count = vec[F.NEGATIVE] if vec else 0
        for slot in ("all", f"how{hour_of_week(h, cfg.timezone)}"):
            _ewma(out.baselines.setdefault(slot, [0.0, 0.0, 0]), count, cfg.alpha)
    out.closed_until = current
    return out


def _ewma(b: list[float], x: float, alpha: float) -> None:
    mean, var, n = b
    if n == 0:
        b[:] = [x, 0.0, 1]
        return
    d = x - mean
    b[:] = [mean + alpha * d, (1 - alpha) * (var + alpha * d * d), n + 1]


def view(state: SpikeState, stats: ByKind, now: float, cfg: SpikeConfig) -> SpikeView:
    last_hour = stats.totals(now, 3600, MINUTE)[F.NEGATIVE]
    slot = state.baselines.get(f"how{hour_of_week(now, cfg.timezone)}")
    if slot is None or slot[2] < cfg.min_weeks:
        slot = state.baselines.get("all")
        if slot is None or slot[2] < 24:  # a day of hours before any baseline is trusted
            return SpikeView(last_hour, None, None)
    mean, var, _ = slot
    sd = max(math.sqrt(var), math.sqrt(max(mean, 0.0)), 1.0)
    return SpikeView(last_hour, mean, mean + cfg.k * sd)
