"""``negative_reach_jump``: the last hour's negative reach is several times the store's
hourly mean over the week before it; while the alert fires, the week before it fired
(``signals.baseline``), so the jump never becomes the mean it is measured against."""

from __future__ import annotations

from schemas.alerts import AlertEvent, RuleName, Summary
from streams.core.rules.base import Facts, Rule, Store, threshold
from streams.core.signals import fields as F
from streams.core.signals.baseline import baseline_end
from streams.core.signals.config import WordOfMouthConfig
from streams.core.signals.reach import field_total
from streams.core.signals.tiers import HOUR, MINUTE


def _texts(firing: bool, f: Facts) -> Summary:
    sid, last, mean = f["store_id"], f"{f['last_hour']:,}", f"{f['hourly_mean']:,.0f}"
    return Summary(
        zh=f"门店 {sid} 负面口碑{'骤增' if firing else '骤增已平息'}：近 1 小时估计 {last} 人"
        f"（平时每小时约 {mean} 人）",
        en=f"Store {sid} negative reach {'jumped' if firing else 'back to normal'}: ~{last}"
        f" people in the last hour (usually ~{mean} an hour)",
    )


RULE: Rule = Rule(
    name=RuleName.NEGATIVE_REACH_JUMP,
    kind="word_of_mouth",
    severity="warning",
    about=Summary(
        zh="门店负面口碑触达在一小时内骤增",
        en="a store's negative reach jumped within the hour",
    ),
    texts=_texts,
    example={"store_id": "S001", "last_hour": 80000, "hourly_mean": 2000.0},
)


def evaluate(at: Store, cfg: WordOfMouthConfig) -> tuple[AlertEvent, ...]:
    stats, now, store_id = at.stats, at.now, at.store_id
    last_hour = stats.totals(now, 3600, MINUTE)[F.REACH]
    # The week before the last hour, hour by hour.
    end = baseline_end(at.firing.get(RULE.name), now, cfg.hold_baseline) - 3600
    mean = field_total(stats, end, 7 * 86400, HOUR, F.REACH) / (7 * 24)
    bar = max(cfg.jump_min, cfg.jump_factor * mean)
    alert = threshold(
        RULE,
        at,
        RULE.name,
        bad=last_hour >= bar,
        good=last_hour < bar / 2,
        facts=lambda: {"store_id": store_id, "last_hour": last_hour, "hourly_mean": mean},
        values=lambda: {"reach_last_hour": float(last_hour), "hourly_mean_7d": round(mean, 1)},
    )
    return () if alert is None else (alert,)
