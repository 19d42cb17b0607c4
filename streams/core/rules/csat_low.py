"""``csat_low``: a store's CSAT is clearly below the threshold.

It is judged on every alert window that holds enough ratings (``evidence_windows``: from the
last hour at a busy store, only the day at a small one) and fires when any is clearly low.
"Clearly" is the Wilson upper bound: with few ratings the interval is wide and nobody is paged
on noise. A shorter window is judged at a larger z (``bounds.window_z``): it is read as
continuously as the day but holds many more independent stretches of noise. It resolves once
no window is clearly low and the shortest judged one is at ``csat_recover`` or above
(hysteresis: no flapping); while no window holds enough ratings it neither fires nor resolves.
"""

from __future__ import annotations

from schemas.alerts import AlertEvent, RuleName, Summary
from streams.core.rules.base import Facts, Rule, Store, threshold
from streams.core.signals.bounds import wilson_upper, window_z
from streams.core.signals.calls_view import dur_en, dur_zh
from streams.core.signals.config import SatisfactionConfig
from streams.core.signals.satisfaction import evidence_windows


def _texts(firing: bool, f: Facts) -> Summary:
    sid, pct, n = f["store_id"], f"{f['csat']:.0%}", f["ratings"]
    zh, en = dur_zh(f["minutes"] * 60), dur_en(f["minutes"] * 60)
    if firing:
        return Summary(
            zh=f"门店 {sid} 满意度下降：近 {zh} CSAT {pct}"
            f"（{n} 条评价，低于 {f['threshold']:.0%}）",
            en=f"Store {sid} satisfaction dropped: CSAT {pct} over the last {en} "
            f"({n} ratings, below {f['threshold']:.0%})",
        )
    return Summary(
        zh=f"门店 {sid} 满意度已恢复：近 {zh} CSAT {pct}（{n} 条评价）",
        en=f"Store {sid} satisfaction recovered: CSAT {pct} over the last {en}",
    )


RULE: Rule = Rule(
    name=RuleName.CSAT_LOW,
    kind="satisfaction",
    severity="warning",
    about=Summary(
        zh="门店满意度（CSAT）明显低于阈值", en="a store's CSAT clearly below the threshold"
    ),
    texts=_texts,
    example={"store_id": "S001", "minutes": 60, "csat": 0.42, "ratings": 24, "threshold": 0.6},
)


def evaluate(at: Store, cfg: SatisfactionConfig) -> tuple[AlertEvent, ...]:
    stats, now, store_id = at.stats, at.now, at.store_id
    judged = evidence_windows(stats, now, cfg)
    if not judged:
        return ()
    # Fire on the first window that is clearly low (a short one shows a sudden drop, a
    # longer one a slow store's); resolve once the shortest judged window has recovered and
    # none is clearly low any more.
    longest = cfg.alert_windows[-1]
    low = [
        v
        for v in judged
        if wilson_upper(v.csat, v.ratings, window_z(cfg.confidence_z, v.window, longest))
        < cfg.csat_low
    ]
    v = low[0] if low else judged[0]
    csat = v.csat
    alert = threshold(
        RULE,
        at,
        RULE.name,
        bad=bool(low),
        good=not low and csat >= cfg.csat_recover,
        facts=lambda: {
            "store_id": store_id,
            "minutes": int(v.window // 60),
            "csat": csat,
            "ratings": v.ratings,
            "threshold": cfg.csat_low,
        },
        values=lambda: {
            "csat": round(csat, 4),
            "ratings": float(v.ratings),
            "window_seconds": v.window,
        },
    )
    return () if alert is None else (alert,)
