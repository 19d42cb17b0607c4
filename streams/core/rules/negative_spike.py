"""``negative_spike``: the last hour's negatives are far above what this hour of the week
usually brings at the store (an EWMA baseline per hour of the week, ``signals.spikes``)."""

from __future__ import annotations

from schemas.alerts import AlertEvent, RuleName, Summary
from streams.core.rules.base import Facts, Rule, Store, threshold
from streams.core.signals.config import SpikeConfig
from streams.core.signals.spikes import SpikeState, view


def _texts(firing: bool, f: Facts) -> Summary:
    sid, n, mean = f["store_id"], f["last_hour"], f["baseline"]
    return Summary(
        zh=f"门店 {sid} 负面反馈{'激增' if firing else '已回落'}：近 1 小时 {n} 条"
        f"（这个时段通常约 {mean:.1f} 条）",
        en=f"Store {sid} negative feedback {'spike' if firing else 'back to normal'}:"
        f" {n} in the last hour (usually ~{mean:.1f} at this hour)",
    )


RULE: Rule = Rule(
    name=RuleName.NEGATIVE_SPIKE,
    kind="crisis",
    severity="warning",
    about=Summary(
        zh="门店近一小时负面反馈远超该时段常态",
        en="a store's negatives this hour far above the usual for the hour",
    ),
    texts=_texts,
    example={"store_id": "S001", "last_hour": 14, "baseline": 2.5},
)


def evaluate(at: Store, state: SpikeState, cfg: SpikeConfig) -> tuple[AlertEvent, ...]:
    stats, now, store_id = at.stats, at.now, at.store_id
    v = view(state, stats, now, cfg)
    if v.mean is None or v.threshold is None or v.sd is None:
        return ()
    mean, sd = v.mean, v.sd
    alert = threshold(
        RULE,
        at,
        RULE.name,
        bad=v.last_hour >= cfg.min_count and v.last_hour > v.threshold,
        good=v.last_hour <= mean + sd,
        facts=lambda: {"store_id": store_id, "last_hour": v.last_hour, "baseline": mean},
        values=lambda: {"negatives_last_hour": float(v.last_hour), "baseline": round(mean, 2)},
    )
    return () if alert is None else (alert,)
