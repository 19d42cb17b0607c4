"""Event-time buckets of fixed size.

A window of W seconds is the W/b newest buckets of b seconds up to the bucket holding the
watermark, so a 1 h window moves in 1-minute steps. The counts themselves are kept by
``signals.tiers`` and ``signals.packed``.
"""

from __future__ import annotations

import math


def bucket_start(ts: float, bucket: float) -> int:
    return int(math.floor(ts / bucket) * bucket)


def window_first_bucket(now: float, window: float, bucket: float) -> int:
    return bucket_start(now, bucket) - int(window) + int(bucket)
