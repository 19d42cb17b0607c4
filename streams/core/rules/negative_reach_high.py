"""``negative_reach_high``: many people have heard of a store's bad experiences in the window
(the word-of-mouth model in ``signals.reach``)."""

from __future__ import annotations

from schemas.alerts import AlertEvent, RuleName, Summary
from streams.core.rules.base import Facts, Rule, Store, threshold
from streams.core.signals.config import WordOfMouthConfig
from streams.core.signals.reach import view


def _texts(firing: bool, f: Facts) -> Summary:
    sid, hours = f["store_id"], f["hours"]
    reach, unhappy, debt = f"{f['reach']:,}", f["unhappy"], f"{f['repair_debt']:,}"
    return Summary(
        zh=f"门店 {sid} 负面口碑{'扩散' if firing else '已回落'}：近 {hours} 小时估计"
        f" {reach} 人听说（{unhappy} 位不满顾客，需 {debt} 次好评弥补）",
        en=f"Store {sid} negative word of mouth {'spreading' if firing else 'easing'}:"
        f" ~{reach} people reached in {hours} h ({unhappy} unhappy customers,"
        f" {debt} good experiences to repair)",
    )


RULE: Rule = Rule(
    name=RuleName.NEGATIVE_REACH_HIGH,
    kind="word_of_mouth",
    severity="warning",
    about=Summary(
        zh="门店负面口碑的估计触达人数过高",
        en="too many people reached by a store's negative word of mouth",
    ),
    texts=_texts,
    example={"store_id": "S001", "hours": 24, "reach": 60000, "unhappy": 30, "repair_debt": 300},
)


def evaluate(at: Store, cfg: WordOfMouthConfig) -> tuple[AlertEvent, ...]:
    stats, now, store_id = at.stats, at.now, at.store_id
    v = view(stats, now, cfg.window, cfg)
    alert = threshold(
        RULE,
        at,
        RULE.name,
        bad=v.reach >= cfg.reach_high,
        good=v.reach < cfg.reach_recover,
        facts=lambda: {
            "store_id": store_id,
            "hours": int(cfg.window // 3600),
            "reach": v.reach,
            "unhappy": v.unhappy,
            "repair_debt": v.repair_debt,
        },
        values=lambda: {
            "reach": float(v.reach),
            "unhappy": float(v.unhappy),
            "repair_debt": float(v.repair_debt),
        },
    )
    return () if alert is None else (alert,)
