"""``csat_drop``: CSAT in a window is clearly below the store's own trailing baseline (the last 3
hours and today against the 7 days before, this week against the 4 before), by a margin, and
clearly: the upper end of the window's Wilson interval below the lower end of the baseline's. A
two-proportion z-test was the test before; its normal approximation is far too thin in the low tail
of a small window whose CSAT is near 90 % (13 satisfied of 22 against 88 %: z 3.6), and small
stores' ordinary days paged 4.5 times per 100 store-weeks. The baseline must span its whole length
of history and hold enough ratings, and while the alert fires it stays where it stood when the
alert fired (``signals.baseline``)."""

from __future__ import annotations

from schemas.alerts import AlertEvent, RuleName, Summary
from streams.core.rules.base import Facts, Rule, Store, threshold
from streams.core.signals.baseline import baseline_end
from streams.core.signals.bounds import wilson_lower, wilson_upper
from streams.core.signals.config import RelativeRule, SatisfactionConfig
from streams.core.signals.satisfaction import SatisfactionView, view
from streams.core.signals.tiers import DAY, tier_for

# How the two default comparisons read to a person: (window, baseline) in zh, then en.
SPANS = {
    "hours_vs_week": ("近 3 小时", "此前 7 天", "the last 3 h", "the 7 days before"),
    "day_vs_week": ("近 24 小时", "此前 7 天", "the last 24 h", "the 7 days before"),
    "week_vs_month": ("近 7 天", "此前 4 周", "the last 7 days", "the 4 weeks before"),
}


def _texts(firing: bool, f: Facts) -> Summary:
    span = SPANS.get(f["comparison"], ("本期", "基线", "this period", "the baseline"))
    sid, now_pct, base_pct = f["store_id"], f"{f['csat']:.0%}", f"{f['baseline_csat']:.0%}"
    return Summary(
        zh=f"门店 {sid} 满意度{'明显下滑' if firing else '已回升'}：{span[0]} CSAT {now_pct}，"
        f"{span[1]} {base_pct}（{f['ratings']} 条评价）",
        en=f"Store {sid} CSAT {'fell' if firing else 'recovered'}: {span[2]} {now_pct} against "
        f"{base_pct} over {span[3]} ({f['ratings']} ratings)",
    )


RULE: Rule = Rule(
    name=RuleName.CSAT_DROP,
    kind="satisfaction",
    severity="warning",
    about=Summary(
        zh="门店满意度明显低于自身近期基线", en="a store's CSAT clearly below its own baseline"
    ),
    texts=_texts,
    example={
        "store_id": "S001",
        "comparison": "day_vs_week",
        "csat": 0.55,
        "baseline_csat": 0.82,
        "ratings": 120,
    },
)


def evaluate(at: Store, cfg: SatisfactionConfig) -> tuple[AlertEvent, ...]:
    out = []
    oldest = at.stats.oldest(DAY)  # the history every comparison needs, found once
    for comparison in cfg.relative:
        alert = _compare(at, comparison, cfg, oldest)
        if alert is not None:
            out.append(alert)
    return tuple(out)


def _compare(
    at: Store, rule: RelativeRule, cfg: SatisfactionConfig, oldest: int | None
) -> AlertEvent | None:
    stats, now, store_id = at.stats, at.now, at.store_id
    key = f"{RULE.name}:{rule.name}"
    # The baseline is the span before the window; while the alert fires, before the window
    # as it was when it fired, so the incident's own hours never lower the bar.
    end = baseline_end(at.firing.get(key), now, rule.hold_baseline) - rule.window
    # A baseline must span its whole length of history, and hold as many ratings per
    # window-length as the window itself needs: a "last 7 days" made of two days of history
    # is not the store's normal (it paged on simulated normal weeks). A window shorter than a
    # day counts as a day here: a store's ratings come in its open hours, so a week holds far
    # fewer 3 h windows' worth of them than it has 3 h windows. History first: cheapest.
    if oldest is None or oldest > end - rule.baseline + DAY:
        return None  # less history than the baseline span
    # Both read from the baseline's tier, so the edges meet and the tier keeps the whole span
    # (a 28-day baseline read from hours would find only the hours the tier keeps).
    size = tier_for(rule.baseline)
    cur = view(stats, now, rule.window, cfg, size)
    if cur.csat is None:
        return None
    base = view(stats, end, rule.baseline, cfg, size)
    if base.csat is None or base.ratings < cfg.min_samples * rule.baseline / max(rule.window, DAY):
        return None
    c, b = cur.csat, base.csat
    gap = b - c
    return threshold(
        RULE,
        at,
        key,
        bad=gap >= rule.drop and _apart(cur, base, rule.z),
        good=gap <= rule.recover,
        identity={"store_id": store_id, "comparison": rule.name},
        facts=lambda: {
            "store_id": store_id,
            "comparison": rule.name,
            "csat": c,
            "baseline_csat": b,
            "ratings": cur.ratings,
        },
        values=lambda: {
            "csat": round(c, 4),
            "baseline_csat": round(b, 4),
            "ratings": float(cur.ratings),
            "baseline_ratings": float(base.ratings),
        },
    )


def _apart(cur: SatisfactionView, base: SatisfactionView, z: float) -> bool:
    """Whether the window's CSAT is clearly below the baseline's: their Wilson intervals at
    ``z`` do not overlap."""
    assert cur.csat is not None and base.csat is not None
    return wilson_upper(cur.csat, cur.ratings, z) < wilson_lower(base.csat, base.ratings, z)
