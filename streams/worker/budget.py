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

    def available(self, wall: float) -> int:
        """Whole tokens at ``wall``; the clock going back (another host's time) adds none."""
        self.tokens = min(self.rate, self.tokens + max(0.0, wall - self.at) * self.rate)
        self.at = wall
        return int(self.tokens)

    def spend(self, n: int) -> None:
        self.tokens -= n
