"""Event-time rolling counts in fixed buckets.

A window of W seconds is the W/b newest buckets of b seconds up to the bucket holding the
watermark, so a 1 h window moves in 1-minute steps. Buckets are plain ``{start: [counts]}`` dicts
so the state serialises to JSON (Faust table, changelog) unchanged.
"""

from __future__ import annotations

import math

Buckets = dict[int, list[int]]


def bucket_start(ts: float, bucket: float) -> int:
    return int(math.floor(ts / bucket) * bucket)


def add(buckets: Buckets, ts: float, index: int, bucket: float, width: int) -> None:
    """Count one observation of category `index` (0-based) at event time `ts`."""
    counts = buckets.setdefault(bucket_start(ts, bucket), [0] * width)
    counts[index] += 1


def window_first_bucket(now: float, window: float, bucket: float) -> int:
    return bucket_start(now, bucket) - int(window) + int(bucket)


def totals(buckets: Buckets, now: float, window: float, bucket: float, width: int) -> list[int]:
    """Sum the counts of the window ending at the bucket that holds `now`."""
    first = window_first_bucket(now, window, bucket)
    last = bucket_start(now, bucket)
    out = [0] * width
    for start, counts in buckets.items():
        if first <= start <= last:
            for i, c in enumerate(counts):
                out[i] += c
    return out


def prune(buckets: Buckets, now: float, window: float, bucket: float) -> None:
    """Drop buckets that can no longer be part of a window ending at or after `now`."""
    first = window_first_bucket(now, window, bucket)
    for start in [s for s in buckets if s < first]:
        del buckets[start]
