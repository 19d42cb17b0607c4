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
WEEK = 7 * 86400.0  # the longest window every store keeps (satisfaction.windows)


@dataclass(frozen=True)
class CrisisView:
    score: float
    hits: dict[str, int]  # category -> hits in the lookback
    special: int
    reach: int
    spike: bool
    sources: int = 0  # distinct events that said a crisis term
    # special customers' complaints that said one themselves (within ``special_lookback``)
    special_voices: int = 0
    # The independent voices: the sources, and the special customers' own complaints that
    # said a term earlier in the day (before the lookback; later ones are sources already).
    voices: int = 0
    # The sources this store's own rate of such mentions rarely reaches by chance in one
    # lookback (``chance_bar``); 0 when not worked out (too few sources to matter).
    usual_bar: int = 0

    # Written out: compiled, it runs natively (see streams/native.py).
    def __init__(
        self,
        score: float,
        hits: dict[str, int],
        special: int,
        reach: int,
        spike: bool,
        sources: int = 0,
        special_voices: int = 0,
        voices: int = 0,
        usual_bar: int = 0,
    ) -> None:
        object.__setattr__(self, "score", score)
        object.__setattr__(self, "hits", hits)
        object.__setattr__(self, "special", special)
        object.__setattr__(self, "reach", reach)
        object.__setattr__(self, "spike", spike)
        object.__setattr__(self, "sources", sources)
        object.__setattr__(self, "special_voices", special_voices)
        object.__setattr__(self, "voices", voices)
        object.__setattr__(self, "usual_bar", usual_bar)

    def corroborated(self, cfg: CrisisConfig, sources: int) -> bool:
        """Enough independent evidence for an incident at this level.

        A special customer's own words lift the store's chance bar (they are not chance) but
        never count twice: alone, their complaint already pages as
        ``special_customer_complaint`` (critical), and a second page for the same complaint
        tells the duty manager nothing new."""
        if self.spike or self.reach >= cfg.viral_reach:
            return True
        return self.voices >= sources and (self.special_voices > 0 or self.voices >= self.usual_bar)


def view(stats: ByKind, firing: dict[str, float], now: float, cfg: CrisisConfig) -> CrisisView:
    t = stats.totals(now, cfg.lookback)
    hits = {c: t[i] for c, i in F.CRISIS.items() if t[i]}
    long = stats.totals(now, cfg.special_lookback)
    special, special_voices = long[F.SPECIAL], long[F.SPECIAL_VOICES]
    reach = t[F.CRISIS_REACH]
    spike = SPIKE_RULE in firing
    # A float from the start: with no hit the sum is the int 0, which a text would print as
    # "0" where a compiled core (``streams.native``) holds 0.0.
    score = float(
        sum(min(n, cfg.max_hits_per_category) * cfg.weights.get(c, 0) for c, n in hits.items())
    )
    score += special * cfg.special_points + (cfg.spike_points if spike else 0)
    if reach > cfg.reach_floor:
        score += math.log10(reach / cfg.reach_floor)
    sources = t[F.CRISIS_SOURCES]
    voices = sources + max(0, special_voices - t[F.SPECIAL_VOICES])
    bar = chance_bar(stats, now, t, cfg) if sources >= cfg.min_sources else 0
    return CrisisView(
        round(score, 2), hits, special, reach, spike, sources, special_voices, voices, bar
    )


def chance_bar(stats: ByKind, now: float, t: list[int], cfg: CrisisConfig) -> int:
    """How many sources in one lookback this store reaches by chance less often than
    ``chance_tail``: a busy store hears "the dish smells off" twice in an hour by coincidence
    far more often than a small one.

    The store's rate of crisis mentions per negative is not known, only estimated from its
    past week (outside this lookback), so the count is read from the gamma-Poisson
    (negative binomial) predictive rather than a Poisson at the point estimate: the rate's
    prior is ``prior_share`` worth ``prior_weight`` negatives, updated by the week's mentions
    and negatives, and the exposure is this lookback's *other* negatives (the ones that did
    not mention a term). A week with no mention among 500 negatives does not prove the rate is
    near zero, and a plug-in Poisson treated it as if it did. Two voices among two negatives
    at a quiet store stay an incident; two among forty at a busy one are what its week makes
    likely."""
    week = stats.totals(now, WEEK)
    sources = t[F.CRISIS_SOURCES]
    mentions = max(0, week[F.CRISIS_SOURCES] - sources)
    negatives = max(0, week[F.NEGATIVE] - t[F.NEGATIVE])
    shape = mentions + cfg.prior_share * cfg.prior_weight
    rate = negatives + cfg.prior_weight
    exposure = max(0, t[F.NEGATIVE] - sources)
    # Capped at what a critical incident needs: a store whose normal is full of such mentions
    # still pages when three voices say it within the hour.
    return gamma_poisson_rare(shape, rate, exposure, cfg.chance_tail, cfg.critical_sources)


def gamma_poisson_rare(shape: float, rate: float, exposure: float, tail: float, cap: int) -> int:
    """The smallest count k, at most ``cap``, with k * P(X >= k) below ``tail``, where X is a
    Poisson count of mean ``lambda * exposure`` and ``lambda ~ Gamma(shape, rate)``: a negative
    binomial with ``p = rate / (rate + exposure)``, walked term by term from P(0) = p^shape.

    The factor k is the scan statistic's: the rule reads a *rolling* lookback, which passes
    through a rare cluster of k events about k times as often as back-to-back windows would
    (Naus's approximation for rare events), so a tail meant per window is met per window."""
    if exposure <= 0:
        return 1  # nothing else was said: any voice is beyond chance
    p = rate / (rate + exposure)
    pmf = p**shape
    rest = 1.0 - pmf  # P(X > k)
    k = 0
    while (k + 1) * rest >= tail and k + 1 < cap:
        pmf *= (shape + k) / (k + 1) * (1 - p)
        k += 1
        rest -= pmf
    return k + 1
