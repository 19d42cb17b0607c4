"""``crisis``: related signals at one store are one incident.

The score (``signals.crisis``) adds lexicon hits, special customers' complaints, the reach of
the posts that hit the lexicon and an active negative spike. The incident fires as a warning,
is updated — same fingerprint, a new change id — when the score reaches critical, and resolves
when the score falls back below ``resolve_below``. Severity never steps down while the incident
is open: a duty manager who was told "critical" is not un-told by a quiet quarter of an hour.
"""

from __future__ import annotations

from schemas.alerts import AlertEvent, RuleName, Summary
from streams.core import alerting
from streams.core.rules.base import Facts, Rule, Store
from streams.core.signals.config import CrisisConfig
from streams.core.signals.crisis import CrisisView, view

KEY = "crisis"  # the incident's entry in the store's firing map
LEVEL = "crisis:level"  # 1 warning, 2 critical, in the store's firing map
CATEGORY_ZH = {
    "media": "媒体曝光",
    "regulator": "监管/消协",
    "legal": "律师/诉讼",
    "safety": "健康安全",
    "refund": "批量退款",
    "viral": "传播扩散",
}


def _texts(firing: bool, f: Facts) -> Summary:
    sid, level, terms = f["store_id"], f["level"], f["terms"]
    if not firing:
        return Summary(
            zh=f"门店 {sid} 危机信号已平息（评分 {f['score']:g}）",
            en=f"Store {sid} crisis signals have subsided (score {f['score']:g})",
        )
    drivers_zh = [f"{CATEGORY_ZH.get(c, c)}×{n}" for c, n in f["hits"].items()]
    drivers_en = [f"{c}×{n}" for c, n in f["hits"].items()]
    if f["special"]:
        drivers_zh.append(f"特殊客户投诉×{f['special']}")
        drivers_en.append(f"special customers×{f['special']}")
    if f["spike"]:
        drivers_zh.append("负面激增")
        drivers_en.append("negative spike")
    if f["reach"]:
        drivers_zh.append(f"相关帖子触达约 {f['reach']:,} 人")
        drivers_en.append(f"posts reaching ~{f['reach']:,}")
    said = f"（提及：{'、'.join(terms[:5])}）" if terms else ""
    grade = "（严重）" if level == 2 else ""
    return Summary(
        zh=f"门店 {sid} 疑似危机{grade}：{'，'.join(drivers_zh)}{said}",
        en=f"Store {sid} possible crisis{' (critical)' if level == 2 else ''}: "
        + ", ".join(drivers_en),
    )


RULE: Rule = Rule(
    name=RuleName.CRISIS,
    kind="crisis",
    severity="warning",
    about=Summary(
        zh="门店疑似危机：多个危机信号叠加（严重时升级）",
        en="a possible crisis at a store: crisis signals adding up (critical when severe)",
    ),
    texts=_texts,
    example={
        "store_id": "S001",
        "level": 2,
        "terms": ["食物中毒", "12315"],
        "hits": {"safety": 3, "regulator": 1},
        "special": 1,
        "spike": True,
        "reach": 120000,
        "score": 9.5,
    },
)


def evaluate(at: Store, terms: list[str], cfg: CrisisConfig) -> tuple[AlertEvent, ...]:
    stats, firing, store_id, labels = at.stats, at.firing, at.store_id, at.labels
    now, event_id = at.now, at.event_id
    v = view(stats, firing, now, cfg)
    level = int(firing.get(LEVEL, 0))
    want = 2 if v.score >= cfg.critical_at else 1 if v.score >= cfg.warning_at else 0
    if want == 2 and not v.corroborated(cfg, cfg.critical_sources):
        want = 1
    if want == 1 and not v.corroborated(cfg, cfg.min_sources):
        want = 0
    if level == 0 and want > 0:
        firing[KEY] = now
    elif level > 0 and v.score < cfg.resolve_below:
        since = firing.pop(KEY)
        firing.pop(LEVEL, None)
        return (_alert(v, terms, store_id, labels, since, now, event_id, "resolved", level),)
    elif want <= level:
        return ()
    firing[LEVEL] = float(want)
    since = firing[KEY]
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
    text = _texts(
        status == "firing",
        {
            "store_id": store_id,
            "level": level,
            "terms": terms,
            "hits": v.hits,
            "special": v.special,
            "spike": v.spike,
            "reach": v.reach,
            "score": v.score,
        },
    )
    return alerting.make(
        rule=RULE.name,
        kind="crisis",
        severity=severity,  # type: ignore[arg-type]
        status=status,  # type: ignore[arg-type]
        identity={"store_id": store_id},
        labels=labels,
        since=since,
        now=now,
        zh=text.zh,
        en=text.en,
        values={"score": v.score, "special_customers": float(v.special), "reach": float(v.reach)},
        source_event_id=event_id,
        revision=severity if status == "firing" and level == 2 else None,
    )
