"""``rollup_negative_spike``: a brand's, region's or city's negatives (low ratings, negative
reviews, complaints) over the last window far above the same clock window of the baseline days,
and still so without its one most negative store (a single store's spike is its own page). Far
above: at least ``spike_min`` and a count a Poisson window of the baseline mean reaches less
often than ``spike_tail``; resolved once under the 95th percentile of that Poisson."""

from __future__ import annotations

from schemas.alerts import RuleName, Summary
from streams.core.rollup.config import RollupConfig
from streams.core.rollup.view import EntityView
from streams.core.rules.base import Facts, Rule
from streams.core.signals.spikes import poisson_rare

Judged = tuple[bool, bool, Facts, dict[str, float]]


def _texts(firing: bool, f: Facts) -> Summary:
    n, usual, mins = f["negatives"], f"{f['expected']:.1f}", int(f["minutes"])
    if firing:
        worst = f["worst"]
        return Summary(
            zh=f"{f['where_zh']} 负面反馈激增：近 {mins} 分钟 {n} 条，平时约 {usual} 条"
            + (f"；最多的门店：{'、'.join(f'{s} {c} 条' for s, c in worst)}" if worst else ""),
            en=f"{f['where_en']} negatives spiking: {n} in the last {mins} min, usually about "
            f"{usual}"
            + (f"; most at: {', '.join(f'{s} ({c})' for s, c in worst)}" if worst else ""),
        )
    return Summary(
        zh=f"{f['where_zh']} 负面反馈已回落：近 {mins} 分钟 {n} 条（平时约 {usual} 条）",
        en=f"{f['where_en']} negatives back down: {n} in the last {mins} min (usually about "
        f"{usual})",
    )


RULE: Rule = Rule(
    name=RuleName.ROLLUP_NEGATIVE_SPIKE,
    kind="crisis",
    severity="warning",
    about=Summary(
        zh="品牌、区域或城市的负面反馈远超平时同一时段（一条告警，列出负面最多的门店）",
        en="a brand's, region's or city's negatives far above the usual for the time of day "
        "(one page, stores named)",
    ),
    texts=_texts,
    example={
        "where_zh": "区域 华南",
        "where_en": "Region 华南",
        "minutes": 60,
        "negatives": 64,
        "expected": 12.3,
        "worst": [("S201", 9), ("S207", 7)],
    },
)


def judge(v: EntityView, cfg: RollupConfig) -> Judged | None:
    expected = v.expected_negatives
    if expected is None or v.baseline_days < cfg.min_baseline_days:
        return None
    bar = max(cfg.spike_min, poisson_rare(expected, cfg.spike_tail))
    _, _, rest = v.without(v.most_negative())
    bad = v.negatives >= bar and rest >= bar
    good = v.negatives < poisson_rare(expected, 0.05)
    facts = {
        **v.place(),
        "negatives": v.negatives,
        "expected": expected,
        "worst": v.worst_by_negatives(cfg.worst),
    }
    values = {
        "negatives": float(v.negatives),
        "expected": round(expected, 2),
        "bar": float(bar),
        "window_seconds": v.window,
    }
    return bad, good, facts, values
