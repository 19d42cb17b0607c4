"""``rollup_csat_low``: a brand's, region's or city's CSAT over the last window is clearly below
the threshold, and still is without its worst store: many stores slipping a little, which no
store rule sees, or several failing at once. One page for the entity, naming its worst stores.
"Clearly" is the Wilson upper bound at ``rollups.z``."""

from __future__ import annotations

from schemas.alerts import RuleName, Summary
from streams.core.rollup.config import RollupConfig
from streams.core.rollup.view import EntityView, worst_named
from streams.core.rules.base import Facts, Rule
from streams.core.signals.bounds import wilson_upper

Judged = tuple[bool, bool, Facts, dict[str, float]]


def _texts(firing: bool, f: Facts) -> Summary:
    pct, n, mins = f"{f['csat']:.0%}", f["ratings"], int(f["minutes"])
    if firing:
        zh, en = worst_named(f["worst"])
        return Summary(
            zh=f"{f['where_zh']} 满意度下降：近 {mins} 分钟 CSAT {pct}（{n} 条评价，低于 "
            f"{f['threshold']:.0%}）{zh}",
            en=f"{f['where_en']} satisfaction dropped: CSAT {pct} over the last {mins} min "
            f"({n} ratings, below {f['threshold']:.0%}){en}",
        )
    return Summary(
        zh=f"{f['where_zh']} 满意度已恢复：近 {mins} 分钟 CSAT {pct}（{n} 条评价）",
        en=f"{f['where_en']} satisfaction recovered: CSAT {pct} over the last {mins} min "
        f"({n} ratings)",
    )


RULE: Rule = Rule(
    name=RuleName.ROLLUP_CSAT_LOW,
    kind="satisfaction",
    severity="warning",
    about=Summary(
        zh="品牌、区域或城市的整体满意度明显低于阈值（一条告警，列出最差门店）",
        en="a brand's, region's or city's CSAT clearly below the threshold (one page, worst "
        "stores named)",
    ),
    texts=_texts,
    example={
        "where_zh": "区域 华东",
        "where_en": "Region 华东",
        "minutes": 60,
        "csat": 0.52,
        "ratings": 1234,
        "threshold": 0.6,
        "worst": ["S012 31%", "S044 35%"],
    },
)


def judge(v: EntityView, cfg: RollupConfig) -> Judged | None:
    if v.ratings < cfg.min_ratings or v.csat is None:
        return None
    sat, n, _ = v.without(v.most_unsatisfied())
    bad = wilson_upper(v.csat, v.ratings, cfg.z) < cfg.csat_low and (
        n > 0 and wilson_upper(sat / n, n, cfg.z) < cfg.csat_low
    )
    good = v.csat >= cfg.csat_recover
    facts = {
        **v.place(),
        "csat": v.csat,
        "ratings": v.ratings,
        "threshold": cfg.csat_low,
        "worst": v.worst_by_csat(cfg.worst),
    }
    values = {
        "csat": round(v.csat, 4),
        "ratings": float(v.ratings),
        "stores": float(len(v.members)),
        "threshold": cfg.csat_low,
        "window_seconds": v.window,
    }
    return bad, good, facts, values
