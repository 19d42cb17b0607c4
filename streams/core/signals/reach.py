"""Negative word of mouth: how many people hear of a store's bad experiences, and how many good
ones it would take to repair them (README "Negative word of mouth" documents the model).

Per event: a complaint stands for 1/complaint_share unhappy customers (25: only 4% complain);
a low rating, a negative review or a negative call for one. Each unhappy customer tells
``per_unhappy`` people (12); a negative online review also reaches its audience (the larger of
its views and the author's followers). Repair debt = repair_ratio (12) × unhappy − positives.
The rules that read it are ``rules.negative_reach_high`` and ``rules.negative_reach_jump``.
"""

from __future__ import annotations

from dataclasses import dataclass

from streams.core.signals import fields as F
from streams.core.signals.config import WordOfMouthConfig
from streams.core.signals.tiers import ByKind
from streams.core.windows import bucket_start


@dataclass(frozen=True)
class ReachView:
    window: float
    unhappy: int
    positives: int
    reach: int
    repair_debt: int  # positive experiences still needed to make up for the negatives

    # Written out: compiled, it runs natively (see streams/native.py).
    def __init__(
        self,
        window: float,
        unhappy: int,
        positives: int,
        reach: int,
        repair_debt: int,
    ) -> None:
        object.__setattr__(self, "window", window)
        object.__setattr__(self, "unhappy", unhappy)
        object.__setattr__(self, "positives", positives)
        object.__setattr__(self, "reach", reach)
        object.__setattr__(self, "repair_debt", repair_debt)


def view(stats: ByKind, now: float, window: float, cfg: WordOfMouthConfig) -> ReachView:
    return from_totals(stats.totals(now, window), window, cfg)


def field_total(stats: ByKind, end: float, window: float, size: int, index: int) -> int:
    """Field ``index`` of ``stats.totals(end, window, size)``, from each kind's kept sums in
    place: for a window no other rule reads at the same end (the reach jump's week before the
    last hour), the whole vector summed over the kinds would be built for one field."""
    last = bucket_start(end, size)
    return sum(t.kept_sums(last, window, size)[index] for t in stats.kinds.values())


def from_totals(t: list[int], window: float, cfg: WordOfMouthConfig) -> ReachView:
    debt = max(0, round(cfg.repair_ratio * t[F.UNHAPPY]) - t[F.POSITIVE])
    return ReachView(window, t[F.UNHAPPY], t[F.POSITIVE], t[F.REACH], debt)
