"""The crisis score of a store (the incident it raises is ``rules.crisis``).

Score = lexicon hits (points per category, capped per category) + special customers'
complaints + the reach of the posts that hit the lexicon (a point per decade above the floor)
+ an active negative spike. Related signals at one store are **one incident**: one alert
(fingerprint: rule + store) that fires as a warning, is updated — same fingerprint, a new
change id — when the score reaches critical, and resolves when the score falls back below
``resolve_below``. Severity never steps down while the incident is open: a duty manager who
was told "critical" is not un-told by a quiet quarter of an hour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from schemas.alerts import RuleName
from streams.core.signals import fields as F
from streams.core.signals.config import CrisisConfig
from streams.core.signals.tiers import ByKind

SPIKE_RULE = str(RuleName.NEGATIVE_SPIKE)


@dataclass(frozen=True)
class CrisisView:
    score: float
    hits: dict[str, int]  # category -> hits in the lookback
    special: int
    reach: int
    spike: bool
    sources: int = 0  # distinct events that said a crisis term

    def corroborated(self, cfg: CrisisConfig, sources: int) -> bool:
        """Enough independent evidence for an incident at this level."""
        return (
            self.sources >= sources
            or self.special > 0
            or self.spike
            or self.reach >= cfg.viral_reach
        )


def view(stats: ByKind, firing: dict[str, float], now: float, cfg: CrisisConfig) -> CrisisView:
    t = stats.totals(now, cfg.lookback)
    hits = {c: t[i] for c, i in F.CRISIS.items() if t[i]}
    special = stats.totals(now, cfg.special_lookback)[F.SPECIAL]
    reach = t[F.CRISIS_REACH]
    spike = SPIKE_RULE in firing
    score = sum(min(n, cfg.max_hits_per_category) * cfg.weights.get(c, 0) for c, n in hits.items())
    score += special * cfg.special_points + (cfg.spike_points if spike else 0)
    if reach > cfg.reach_floor:
        score += math.log10(reach / cfg.reach_floor)
    return CrisisView(round(score, 2), hits, special, reach, spike, t[F.CRISIS_SOURCES])
