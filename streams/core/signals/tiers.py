"""Event-time counters at three resolutions, so one store can answer 1 h, 24 h, 7 d and 28 d
windows without keeping 40,000 one-minute buckets.

Every observation is added to a minute, an hour and a day bucket. A window is read from the
coarsest tier whose bucket is at most 1/24 of the window (1 h → minutes, 24 h and 7 d → hours,
28 d → days), so the ragged edge of a window is at most ~4% of it. Each tier keeps only what
its longest window needs. A bucket holds a vector of integer fields (``Field`` positions);
most fields of most buckets are zero, so the JSON form is sparse.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from streams.core.windows import bucket_start

MINUTE, HOUR, DAY = 60, 3600, 86400
TIERS = (MINUTE, HOUR, DAY)


def tier_for(window: float) -> int:
    best = MINUTE
    for size in TIERS:
        if size * 24 <= window:
            best = size
    return best


@dataclass
class Tiered:
    width: int
    buckets: dict[int, dict[int, list[int]]] = field(default_factory=lambda: {t: {} for t in TIERS})

    def add(self, ts: float, values: Iterable[tuple[int, int]]) -> None:
        items = [(i, v) for i, v in values if v]
        if not items:
            return
        for size, tier in self.buckets.items():
            vec = tier.get(start := bucket_start(ts, size))
            if vec is None:
                vec = tier[start] = [0] * self.width
            for i, v in items:
                vec[i] += v

    def totals(self, end: float, window: float, size: int | None = None) -> list[int]:
        """Sums over the window of ``window`` seconds ending with the bucket that holds ``end``."""
        size = size or tier_for(window)
        last = bucket_start(end, size)
        first = last - int(window) + size
        vecs = [v for start, v in self.buckets[size].items() if first <= start <= last]
        if not vecs:
            return [0] * self.width
        return [sum(col) for col in zip(*vecs, strict=True)]  # column sums in C, not a loop

    def prune(self, now: float, keep: dict[int, float]) -> None:
        """Drop buckets older than ``keep[size]`` seconds before ``now``."""
        for size, tier in self.buckets.items():
            oldest = bucket_start(now - keep.get(size, 0), size)
            for start in [s for s in tier if s < oldest]:
                del tier[start]

    def to_json(self) -> dict[str, Any]:
        return {
            str(size): {str(s): {str(i): v for i, v in enumerate(vec) if v} for s, vec in t.items()}
            for size, t in self.buckets.items()
        }

    @classmethod
    def from_json(cls, width: int, d: dict[str, Any]) -> Tiered:
        out = cls(width)
        for size, tier in d.items():
            target = out.buckets.setdefault(int(size), {})
            for start, sparse in tier.items():
                vec = [0] * width
                for i, v in sparse.items():
                    vec[int(i)] = v
                target[int(start)] = vec
        return out


def retention(windows: Iterable[float], lateness: float) -> dict[int, float]:
    """How long each tier must keep buckets to answer every window (plus lateness)."""
    keep = {size: 0.0 for size in TIERS}
    for w in windows:
        size = tier_for(w)
        keep[size] = max(keep[size], w + lateness + size)
    return keep
