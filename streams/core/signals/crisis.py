"""The crisis score of a store and its one incident.

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

from schemas.alerts import AlertEvent
from streams.core import alerting
from streams.core.signals import fields as F
from streams.core.signals.config import CrisisConfig
from streams.core.signals.tiers import ByKind

RULE = "crisis"
LEVEL = "crisis:level"  # 1 warning, 2 critical, in the store's firing map
SPIKE_RULE = "negative_spike"
CATEGORY_ZH = {
    "media": "媒体曝光",
    "regulator": "监管/消协",
    "legal": "律师/诉讼",
    "safety": "健康安全",
    "refund": "批量退款",
    "viral": "传播扩散",
}


@dataclass(frozen=True)
class CrisisView:
    score: float
    hits: dict[str, int]  # category -> hits in the lookback
    special: int
    reach: int
    spike: bool


def view(stats: ByKind, firing: dict[str, float], now: float, cfg: CrisisConfig) -> CrisisView:
    t = stats.totals(now, cfg.lookback)
    hits = {c: t[i] for c, i in F.CRISIS.items() if t[i]}
    special = stats.totals(now, cfg.special_lookback)[F.SPECIAL]
    reach = t[F.CRISIS_REACH]
    spike = SPIKE_RULE in firing
    score = sum(min(n, cfg.max_hits_per_category) * cfg.weights.get(c, 0) for c, n in hits.items())
    score += special * cfg.special_points + (cfg.spike_points if spike else 0)
    if reach > cfg.reach_floor:
        score += math.log10(reach / cfg.reach_floor)
    return CrisisView(round(score, 2), hits, special, reach, spike)


def evaluate(
    stats: ByKind,
    firing: dict[str, float],
    terms: list[str],
    store_id: str,
    labels: dict[str, str],
    now: float,
    event_id: str,
    cfg: CrisisConfig,
) -> tuple[AlertEvent, ...]:
    v = view(stats, firing, now, cfg)
    level = int(firing.get(LEVEL, 0))
    want = 2 if v.score >= cfg.critical_at else 1 if v.score >= cfg.warning_at else 0
    if level == 0 and want > 0:
        firing[RULE] = now
    elif level > 0 and v.score < cfg.resolve_below:
        since = firing.pop(RULE)
        firing.pop(LEVEL, None)
        return (_alert(v, terms, store_id, labels, since, now, event_id, "resolved", level),)
    elif want <= level:
        return ()
    firing[LEVEL] = float(want)
    since = firing[RULE]
    status = "firing"
    return (_alert(v, terms, store_id, labels, since, now, event_id, status, want),)


def _alert(
    v: CrisisView,
    terms: list[str],
    store_id: str,
    labels: dict[str, str],
    since: float,
    now: float,
    event_id: str,
    status: str,
    level: int,
) -> AlertEvent:
    severity = "critical" if level == 2 else "warning"
    drivers_zh = [f"{CATEGORY_ZH.get(c, c)}×{n}" for c, n in v.hits.items()]
    drivers_en = [f"{c}×{n}" for c, n in v.hits.items()]
    if v.special:
        drivers_zh.append(f"特殊客户投诉×{v.special}")
        drivers_en.append(f"special customers×{v.special}")
    if v.spike:
        drivers_zh.append("负面激增")
        drivers_en.append("negative spike")
    if v.reach:
        drivers_zh.append(f"相关帖子触达约 {v.reach:,} 人")
        drivers_en.append(f"posts reaching ~{v.reach:,}")
    said = f"（提及：{'、'.join(terms[:5])}）" if terms else ""
    if status == "firing":
        grade = "（严重）" if level == 2 else ""
        zh = f"门店 {store_id} 疑似危机{grade}：{'，'.join(drivers_zh)}{said}"
        en = f"Store {store_id} possible crisis{' (critical)' if level == 2 else ''}: " + (
            ", ".join(drivers_en)
        )
    else:
        zh = f"门店 {store_id} 危机信号已平息（评分 {v.score}）"
        en = f"Store {store_id} crisis signals have subsided (score {v.score})"
    return alerting.make(
        rule=RULE,
        kind="crisis",
        severity=severity,  # type: ignore[arg-type]
        status=status,  # type: ignore[arg-type]
        identity={"store_id": store_id},
        labels=labels,
        since=since,
        now=now,
        zh=zh,
        en=en,
        values={"score": v.score, "special_customers": float(v.special), "reach": float(v.reach)},
        source_event_id=event_id,
        revision=severity if status == "firing" and level == 2 else None,
    )
