"""Rolling satisfaction of a store: CSAT, delight rate, mean rating, NPS, CES and the
expectation gap over several windows. The rules that read them are ``rules.csat_low`` and
``rules.csat_drop``."""

from __future__ import annotations

from dataclasses import dataclass

from streams.core.signals import fields as F
from streams.core.signals.bounds import wilson_upper
from streams.core.signals.config import SatisfactionConfig
from streams.core.signals.tiers import ByKind, tier_for
from streams.core.windows import bucket_start


@dataclass(frozen=True)
class SatisfactionView:
    window: float
    ratings: int
    csat: float | None  # None below min_samples: a rate from 2 ratings is noise
    delight: float | None  # share of 5s (domain.md: a 5 is worth six 4s in repurchase)
    mean: float | None
    nps: float | None  # % promoters − % detractors, −100..100
    nps_answers: int
    ces: float | None  # mean 1-7
    expectation_gap: float | None  # mean rating − expectation; < 0: below expectation
    counts: tuple[int, ...]

    # Written out: compiled, it runs natively (see streams/native.py).
    def __init__(
        self,
        window: float,
        ratings: int,
        csat: float | None,
        delight: float | None,
        mean: float | None,
        nps: float | None,
        nps_answers: int,
        ces: float | None,
        expectation_gap: float | None,
        counts: tuple[int, ...],
    ) -> None:
        object.__setattr__(self, "window", window)
        object.__setattr__(self, "ratings", ratings)
        object.__setattr__(self, "csat", csat)
        object.__setattr__(self, "delight", delight)
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "nps", nps)
        object.__setattr__(self, "nps_answers", nps_answers)
        object.__setattr__(self, "ces", ces)
        object.__setattr__(self, "expectation_gap", expectation_gap)
        object.__setattr__(self, "counts", counts)


@dataclass(frozen=True, slots=True)
class Judged:
    """A window's CSAT and the number of ratings behind it: all an alert window needs, without
    the full view (the rule reads four windows on every rating)."""

    window: float
    ratings: int
    csat: float

    # Written out: compiled, it runs natively (see streams/native.py).
    def __init__(self, window: float, ratings: int, csat: float) -> None:
        object.__setattr__(self, "window", window)
        object.__setattr__(self, "ratings", ratings)
        object.__setattr__(self, "csat", csat)


__all__ = [
    "Judged",
    "SatisfactionView",
    "evidence_windows",
    "from_totals",
    "view",
    "wilson_upper",
]


def evidence_windows(stats: ByKind, now: float, cfg: SatisfactionConfig) -> list[Judged]:
    """The alert windows (``cfg.alert_windows``, shortest first) that hold ``min_samples``
    ratings: at a busy store all of them, at a small one only the longer ones."""
    out: list[Judged] = []
    # Ratings come from feedback only, so its counters are read alone, and as their kept sums
    # themselves (``Tiered.kept_sums``): five fields of each window are all that is needed,
    # not a copy of the whole vector, and this runs on every rating.
    feedback = stats.kinds.get("feedback")
    if feedback is None:
        return out
    r1, r2, r3, r4, r5 = F.RATING
    for w in cfg.alert_windows:
        size = tier_for(w)
        t = feedback.kept_sums(bucket_start(now, size), w, size)
        n = t[r1] + t[r2] + t[r3] + t[r4] + t[r5]
        if n >= cfg.min_samples:
            out.append(Judged(w, n, (t[r4] + t[r5]) / n))
    return out


def view(
    stats: ByKind, now: float, window: float, cfg: SatisfactionConfig, size: int | None = None
) -> SatisfactionView:
    # Every field a satisfaction view reads (ratings, NPS, CES, gap) comes from feedback.
    return from_totals(stats.totals(now, window, size, kind="feedback"), window, cfg)


def from_totals(t: list[int], window: float, cfg: SatisfactionConfig) -> SatisfactionView:
    counts = tuple(t[i] for i in F.RATING)
    n = sum(counts)
    nps_n = t[F.PROMOTERS] + t[F.PASSIVES] + t[F.DETRACTORS]
    enough = n >= cfg.min_samples
    return SatisfactionView(
        window=window,
        ratings=n,
        csat=(counts[3] + counts[4]) / n if enough else None,
        delight=counts[4] / n if enough else None,
        mean=sum((i + 1) * c for i, c in enumerate(counts)) / n if enough else None,
        nps=100 * (t[F.PROMOTERS] - t[F.DETRACTORS]) / nps_n if nps_n >= cfg.min_samples else None,
        nps_answers=nps_n,
        ces=t[F.CES_SUM] / t[F.CES_N] if t[F.CES_N] >= cfg.min_samples else None,
        expectation_gap=t[F.GAP_SUM] / t[F.GAP_N] if t[F.GAP_N] >= cfg.min_samples else None,
        counts=counts,
    )
