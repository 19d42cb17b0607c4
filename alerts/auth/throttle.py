"""Failed logins counted per key (a login name, a client address) in a sliding window.

In memory, per process: with several replicas behind a balancer an attacker gets the limit
once per replica, which still turns a guessing run of millions into a handful an hour.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable

# Keys remembered at most; the least recently failed are forgotten first, so a flood of
# made-up names cannot grow the process without bound.
MAX_KEYS = 10_000


class Throttle:
    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def retry_after(self, key: str) -> int | None:
        """Seconds until ``key`` may try again, or None if it may now."""
        now = self.clock()
        times = self._recent(key, now)
        if len(times) < self.limit:
            return None
        return max(1, math.ceil(times[-self.limit] + self.window - now))

    def fail(self, key: str) -> None:
        now = self.clock()
        times = self._recent(key, now)
        times.append(now)
        self._failures[key] = times
        self._failures.move_to_end(key)
        while len(self._failures) > MAX_KEYS:
            self._failures.popitem(last=False)

    def forgive(self, key: str) -> None:
        """Take back the latest failure of ``key`` (an attempt counted before it was checked
        turned out right)."""
        times = self._failures.get(key)
        if times:
            times.pop()

    def clear(self, key: str) -> None:
        self._failures.pop(key, None)
