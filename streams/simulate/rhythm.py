"""Time helpers and the daily rhythm of store traffic.

All internal times are integer epoch seconds: sorting and interval tests stay exact, and the
simulator never looks at the wall clock. An hour *slot* is ``epoch_seconds // 3600``; the
simulator draws each store's events per slot, which is what makes any split of an interval give
the same events.
"""

from __future__ import annotations

import math
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

SLOT_SECONDS = 3600


@lru_cache(maxsize=16)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def iso(ts: int, tz: str) -> str:
    """RFC 3339 with the store's local offset, e.g. ``2026-11-23T12:00:00+08:00``."""
    return datetime.fromtimestamp(ts, zone(tz)).isoformat()


def require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware (e.g. 2026-11-23T12:00:00+08:00)")


def _peak(hour_mid: float, centre: float, width: float) -> float:
    return math.exp(-(((hour_mid - centre) / width) ** 2))


@lru_cache(maxsize=64)
def day_profile(open_hour: int, close_hour: int) -> tuple[float, ...]:
    """Relative activity per local hour, 1.0 at the lunch peak.

    Open hours get a floor plus a lunch bump (around 12:30) and a dinner bump (around 18:45);
    closed hours keep a trickle, because surveys, calls and posts still arrive at night, just
    rarely. Cached: it depends only on the opening hours.
    """
    out: list[float] = []
    for hour in range(24):
        if open_hour <= hour < close_hour:
            mid = hour + 0.5
            level = 0.30 + 0.75 * _peak(mid, 12.5, 1.2) + 0.65 * _peak(mid, 18.75, 1.4)
            out.append(min(1.0, level))
        else:
            out.append(0.03)
    return tuple(out)


def activity(slot: int, tz: str, open_hour: int, close_hour: int, weekend_factor: float) -> float:
    """Multiplier on the peak rates for one hour slot in a store's local time."""
    local = datetime.fromtimestamp(slot * SLOT_SECONDS, zone(tz))
    level = day_profile(open_hour, close_hour)[local.hour]
    # Saturday and Sunday are busier for restaurants/retail.
    return level * weekend_factor if local.weekday() >= 5 else level
