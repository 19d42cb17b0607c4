"""How many snapshots the worker may publish: a token bucket on the shell's wall clock."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Budget:
    """``rate`` a wall second, with at most a second's worth saved up: a quiet minute does
    not buy a burst that stalls the next batch."""

    rate: float
    tokens: float = field(init=False)  # starts full
    at: float = 0.0  # wall time of the last look

    def __post_init__(self) -> None:
        self.tokens = self.rate

    def available(self, wall: float, rate: float | None = None) -> int:
        """Whole tokens at ``wall``; the clock going back (another host's time) adds none.
        ``rate`` lowers the bucket's own for now (it never raises it): tokens come at it and
        at most a second's worth of it is kept."""
        r = self.rate if rate is None else min(rate, self.rate)
        self.tokens = min(r, self.tokens + max(0.0, wall - self.at) * r)
        self.at = wall
        return int(self.tokens)

    def spend(self, n: int) -> None:
        self.tokens -= n
