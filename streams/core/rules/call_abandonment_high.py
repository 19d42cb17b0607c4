"""``call_abandonment_high``: too many callers hang up before an agent answers, at the store
or one of its queues. "Too many" is the lower end of the rate's Wilson interval at or above
the threshold, so binomial noise at a healthy store does not page; the interval is as wide as
the judged window's share of the looks asks (``calls_view.judged_z``)."""

from __future__ import annotations

from schemas.alerts import RuleName, Summary
from streams.core.rules.base import Facts, Rule
from streams.core.signals.bounds import wilson_lower
from streams.core.signals.calls_config import CallConfig, CallWindow
from streams.core.signals.calls_view import EPS, CallView, dur_en, dur_zh, judged_z

Judged = tuple[bool, bool, Facts, dict[str, float]] | None  # bad, good, facts, values


def _texts(firing: bool, f: Facts) -> Summary:
    pct, n, secs = f"{f['rate']:.0%}", f["offered"], f["window_seconds"]
    if firing:
        return Summary(
            zh=f"{f['where_zh']} 电话放弃率 {pct}（近 {dur_zh(secs)} {n} 通来电，"
            f"阈值 {f['threshold']:.0%}）",
            en=f"{f['where_en']}: call abandonment {pct} ({n} calls in the last {dur_en(secs)}, "
            f"threshold {f['threshold']:.0%})",
        )
    return Summary(
        zh=f"{f['where_zh']} 电话放弃率已恢复至 {pct}（近 {dur_zh(secs)} {n} 通来电）",
        en=f"{f['where_en']}: call abandonment back to {pct} ({n} calls in the last "
        f"{dur_en(secs)})",
    )


RULE: Rule = Rule(
    name=RuleName.CALL_ABANDONMENT_HIGH,
    kind="calls",
    severity="warning",
    about=Summary(
        zh="门店或队列的电话放弃率过高", en="too many abandoned calls at a store or queue"
    ),
    texts=_texts,
    example={
        "where_zh": "门店 S001",
        "where_en": "Store S001",
        "rate": 0.18,
        "offered": 40,
        "threshold": 0.1,
        "window_seconds": 3600,
    },
)


def judge(
    view: CallView, counts: list[int], cfg: CallConfig, w: CallWindow, covered: float
) -> Judged:
    if view.abandonment is None:
        return None
    rate, thr = view.abandonment, cfg.abandonment_threshold
    facts = {"rate": rate, "offered": view.offered, "threshold": thr, "window_seconds": w.seconds}
    values = {
        "abandonment": round(rate, 4),
        "offered": float(view.offered),
        "abandoned": float(view.abandoned),
        "threshold": thr,
        "window_seconds": w.seconds,
    }
    bad = wilson_lower(rate, view.offered, judged_z(cfg, w, covered)) >= thr - EPS
    good = rate <= thr - cfg.abandonment_recover_margin + EPS
    return bad, good, facts, values
