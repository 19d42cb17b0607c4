"""Rolling satisfaction of a store: CSAT, delight rate, mean rating, NPS, CES and the
expectation gap over several windows, and the two satisfaction alerts.

- ``csat_low``: CSAT in the alert window is clearly below the threshold (Wilson upper bound).
- ``csat_drop``: CSAT in a window is clearly below the store's own trailing baseline (today vs
  the last 7 days, this week vs the last 4), by a margin and a two-proportion z-test.
Both hold with hysteresis, so an alert does not flap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from schemas.alerts import AlertEvent
from streams.core import alerting, hysteresis
from streams.core.signals import fields as F
from streams.core.signals.config import RelativeRule, SatisfactionConfig
from streams.core.signals.tiers import DAY, MINUTE, ByKind, tier_for

CSAT_RULE = "csat_low"
DROP_RULE = "csat_drop"
# How the two default comparisons read to a person: (window, baseline) in zh, then en.
SPANS = {
    "day_vs_week": ("近 24 小时", "此前 7 天", "the last 24 h", "the 7 days before"),
    "week_vs_month": ("近 7 天", "此前 4 周", "the last 7 days", "the 4 weeks before"),
}


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


def wilson_upper(p: float, n: int, z: float) -> float:
    """Upper end of the Wilson score interval: how high the true rate could plausibly be
    given `n` ratings. Small samples get wide intervals, so noise does not page anyone."""
    if z == 0:
        return p
    denom = 1 + z * z / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre + spread) / denom


def evaluate_low(
    stats: ByKind,
    firing: dict[str, float],
    store_id: str,
    labels: dict[str, str],
    now: float,
    event_id: str,
    cfg: SatisfactionConfig,
) -> tuple[AlertEvent, ...]:
    v = view(stats, now, cfg.window, cfg, MINUTE)
    if v.csat is None:
        return ()
    change = hysteresis.step(
        firing.get(CSAT_RULE),
        bad=wilson_upper(v.csat, v.ratings, cfg.confidence_z) < cfg.csat_low,
        good=v.csat >= cfg.csat_recover,
        now=now,
    )
    if change is None:
        return ()
    hysteresis.record(firing, CSAT_RULE, change)
    mins, pct, n = int(cfg.window // 60), f"{v.csat:.0%}", v.ratings
    if change.transition == "fire":
        zh = (
            f"门店 {store_id} 满意度下降：近 {mins} 分钟 CSAT {pct}"
            f"（{n} 条评价，低于 {cfg.csat_low:.0%}）"
        )
        en = (
            f"Store {store_id} satisfaction dropped: CSAT {pct} over the last {mins} min "
            f"({n} ratings, below {cfg.csat_low:.0%})"
        )
    else:
        zh = f"门店 {store_id} 满意度已恢复：近 {mins} 分钟 CSAT {pct}（{n} 条评价）"
        en = f"Store {store_id} satisfaction recovered: CSAT {pct} over the last {mins} min"
    return (
        alerting.make(
            rule=CSAT_RULE,
            kind="satisfaction",
            severity="warning",
            status="firing" if change.transition == "fire" else "resolved",
            identity={"store_id": store_id},
            labels=labels,
            since=change.since,
            now=now,
            zh=zh,
            en=en,
            values={"csat": round(v.csat, 4), "ratings": float(n)},
            source_event_id=event_id,
        ),
    )


def evaluate_relative(
    stats: ByKind,
    firing: dict[str, float],
    store_id: str,
    labels: dict[str, str],
    now: float,
    event_id: str,
    cfg: SatisfactionConfig,
) -> tuple[AlertEvent, ...]:
    out: list[AlertEvent] = []
    for rule in cfg.relative:
        alert = _relative(stats, firing, rule, store_id, labels, now, event_id, cfg)
        if alert is not None:
            out.append(alert)
    return tuple(out)


def _relative(
    stats: ByKind,
    firing: dict[str, float],
    rule: RelativeRule,
    store_id: str,
    labels: dict[str, str],
    now: float,
    event_id: str,
    cfg: SatisfactionConfig,
) -> AlertEvent | None:
    # A baseline must span its whole length of history, and hold as many ratings per
    # window-length as the window itself needs: a "last 7 days" made of two days of history
    # is not the store's normal (it paged on simulated normal weeks). History first: cheapest.
    oldest = stats.oldest(DAY)
    if oldest is None or oldest > now - rule.window - rule.baseline + DAY:
        return None  # less history than the baseline span
    cur = view(stats, now, rule.window, cfg)
    if cur.csat is None:
        return None
    # The baseline read from the same tier as the window, so both edges move together.
    base = view(stats, now - rule.window, rule.baseline, cfg, tier_for(rule.window))
    key = f"{DROP_RULE}:{rule.name}"
    if base.csat is None or base.ratings < cfg.min_samples * rule.baseline / rule.window:
        return None
    gap = base.csat - cur.csat
    change = hysteresis.step(
        firing.get(key),
        bad=gap >= rule.drop and _z(cur, base) >= rule.z,
        good=gap <= rule.recover,
        now=now,
    )
    if change is None:
        return None
    hysteresis.record(firing, key, change)
    span = SPANS.get(rule.name, ("本期", "基线", "this period", "the baseline"))
    fire = change.transition == "fire"
    now_pct, base_pct = f"{cur.csat:.0%}", f"{base.csat:.0%}"
    zh = (
        f"门店 {store_id} 满意度{'明显下滑' if fire else '已回升'}：{span[0]} CSAT {now_pct}，"
        f"{span[1]} {base_pct}（{cur.ratings} 条评价）"
    )
    en = (
        f"Store {store_id} CSAT {'fell' if fire else 'recovered'}: {span[2]} {now_pct} against "
        f"{base_pct} over {span[3]} ({cur.ratings} ratings)"
    )
    return alerting.make(
        rule=DROP_RULE,
        kind="satisfaction",
        severity="warning",
        status="firing" if fire else "resolved",
        identity={"store_id": store_id, "comparison": rule.name},
        labels=labels,
        since=change.since,
        now=now,
        zh=zh,
        en=en,
        values={
            "csat": round(cur.csat, 4),
            "baseline_csat": round(base.csat, 4),
            "ratings": float(cur.ratings),
            "baseline_ratings": float(base.ratings),
        },
        source_event_id=event_id,
    )


def _z(cur: SatisfactionView, base: SatisfactionView) -> float:
    """Two-proportion z statistic of base CSAT above current CSAT."""
    assert cur.csat is not None and base.csat is not None
    n1, n2 = cur.ratings, base.ratings
    pooled = (cur.csat * n1 + base.csat * n2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return (base.csat - cur.csat) / se if se else math.inf
