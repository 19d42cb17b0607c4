"""``rollup_csat_drop``: a brand's, region's or city's CSAT over the last window has fallen
clearly below its own baseline, and still has without its worst store. The baseline is its
ratings over the previous ``baseline_days`` (hours when its own alerts fired left out, so an
incident never becomes its normal), judged once the entity was seen on ``min_baseline_days`` of
them. "Clearly": at least ``drop`` lower, and the two Wilson intervals at ``z`` do not overlap."""

from __future__ import annotations

from schemas.alerts import RuleName, Summary
from streams.core.rollup.config import RollupConfig
from streams.core.rollup.view import EntityView, worst_named
from streams.core.rules.base import Facts, Rule
from streams.core.signals.bounds import wilson_lower, wilson_upper

Judged = tuple[bool, bool, Facts, dict[str, float]]


def _texts(firing: bool, f: Facts) -> Summary:
    pct, base, mins, days = f"{f['csat']:.0%}", f"{f['baseline']:.0%}", int(f["minutes"]), f["days"]
    if firing:
        zh, en = worst_named(f["worst"])
        return Summary(
            zh=f"{f['where_zh']} 满意度较平时下降：近 {mins} 分钟 CSAT {pct}，此前 {days} 天为 "
            f"{base}（{f['ratings']} 条评价）{zh}",
            en=f"{f['where_en']} satisfaction below its normal: CSAT {pct} over the last {mins} "
            f"min against {base} over the {days} days before ({f['ratings']} ratings){en}",
        )
    return Summary(
        zh=f"{f['where_zh']} 满意度已回到平时水平：近 {mins} 分钟 CSAT {pct}（平时 {base}）",
        en=f"{f['where_en']} satisfaction back to normal: CSAT {pct} over the last {mins} min "
        f"(normally {base})",
    )


RULE: Rule = Rule(
    name=RuleName.ROLLUP_CSAT_DROP,
    kind="satisfaction",
    severity="warning",
    about=Summary(
        zh="品牌、区域或城市的整体满意度明显低于自身基线（一条告警，列出最差门店）",
        en="a brand's, region's or city's CSAT clearly below its own baseline (one page, worst "
        "stores named)",
    ),
    texts=_texts,
    example={
        "where_zh": "城市 杭州",
        "where_en": "City 杭州",
        "minutes": 60,
        "csat": 0.61,
        "baseline": 0.82,
        "days": 7,
        "ratings": 420,
        "worst": ["S101 40%"],
    },
)


def _clearly_below(sat: int, n: int, base: float, bn: int, cfg: RollupConfig) -> bool:
    csat = sat / n
    return base - csat >= cfg.drop - 1e-9 and wilson_upper(csat, n, cfg.z) < wilson_lower(
        base, bn, cfg.z
    )


def judge(v: EntityView, cfg: RollupConfig) -> Judged | None:
    base = v.baseline_csat
    if (
        v.csat is None
        or base is None
        or v.ratings < cfg.min_ratings
        or v.baseline_ratings < cfg.min_baseline_ratings
        or v.baseline_days < cfg.min_baseline_days
    ):
        return None
    sat, n, _ = v.without(v.most_unsatisfied())
    bn = v.baseline_ratings
    bad = _clearly_below(v.satisfied, v.ratings, base, bn, cfg) and (
        n > 0 and _clearly_below(sat, n, base, bn, cfg)
    )
    good = base - v.csat <= cfg.recover + 1e-9
    facts = {
        **v.place(),
        "csat": v.csat,
        "baseline": base,
        "days": v.baseline_days,
        "ratings": v.ratings,
        "worst": v.worst_by_csat(cfg.worst),
    }
    values = {
        "csat": round(v.csat, 4),
        "baseline_csat": round(base, 4),
        "ratings": float(v.ratings),
        "baseline_ratings": float(bn),
        "window_seconds": v.window,
    }
    return bad, good, facts, values
