"""``csat_low``: a store's CSAT in the alert window is clearly below the threshold.

"Clearly" is the Wilson upper bound: with few ratings the interval is wide and nobody is paged
on noise. It resolves at ``csat_recover`` or above (hysteresis: no flapping).
"""

from __future__ import annotations

from schemas.alerts import AlertEvent, RuleName, Summary
from streams.core.rules.base import Facts, Rule, threshold
from streams.core.signals.config import SatisfactionConfig
from streams.core.signals.satisfaction import view, wilson_upper
from streams.core.signals.tiers import MINUTE, ByKind


def _texts(firing: bool, f: Facts) -> Summary:
    sid, mins, pct, n = f["store_id"], f["minutes"], f"{f['csat']:.0%}", f["ratings"]
    if firing:
        return Summary(
            zh=f"门店 {sid} 满意度下降：近 {mins} 分钟 CSAT {pct}"
            f"（{n} 条评价，低于 {f['threshold']:.0%}）",
            en=f"Store {sid} satisfaction dropped: CSAT {pct} over the last {mins} min "
            f"({n} ratings, below {f['threshold']:.0%})",
        )
    return Summary(
        zh=f"门店 {sid} 满意度已恢复：近 {mins} 分钟 CSAT {pct}（{n} 条评价）",
        en=f"Store {sid} satisfaction recovered: CSAT {pct} over the last {mins} min",
    )


RULE = Rule(
    name=RuleName.CSAT_LOW,
    kind="satisfaction",
    severity="warning",
    about=Summary(
        zh="门店满意度（CSAT）明显低于阈值", en="a store's CSAT clearly below the threshold"
    ),
    texts=_texts,
    example={"store_id": "S001", "minutes": 60, "csat": 0.42, "ratings": 24, "threshold": 0.6},
)


def evaluate(
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
    csat = v.csat
    alert = threshold(
        RULE,
        firing,
        RULE.name,
        bad=wilson_upper(csat, v.ratings, cfg.confidence_z) < cfg.csat_low,
        good=csat >= cfg.csat_recover,
        now=now,
        identity={"store_id": store_id},
        labels=labels,
        facts=lambda: {
            "store_id": store_id,
            "minutes": int(cfg.window // 60),
            "csat": csat,
            "ratings": v.ratings,
            "threshold": cfg.csat_low,
        },
        values=lambda: {"csat": round(csat, 4), "ratings": float(v.ratings)},
        event_id=event_id,
    )
    return () if alert is None else (alert,)
