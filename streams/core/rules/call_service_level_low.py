"""``call_service_level_low``: too few calls answered within the service-level seconds (the
80/20 norm, domain.md), at the store or one of its queues: the upper end of the rate's Wilson
interval below the target, so a healthy store's unlucky few calls do not page; the interval is
as wide as the judged window's share of the looks asks (``calls_view.judged_z``)."""

from __future__ import annotations

from schemas.alerts import RuleName, Summary
from streams.core.rules.base import Facts, Rule
from streams.core.signals.bounds import wilson_upper
from streams.core.signals.calls import IN_SL
from streams.core.signals.calls_config import CallConfig, CallWindow
from streams.core.signals.calls_view import EPS, CallView, dur_en, dur_zh, judged_z

Judged = tuple[bool, bool, Facts, dict[str, float]] | None  # bad, good, facts, values


def _texts(firing: bool, f: Facts) -> Summary:
    pct, n, secs, within = f"{f['rate']:.0%}", f["offered"], f["window_seconds"], f["seconds"]
    if firing:
        return Summary(
            zh=f"{f['where_zh']} 电话 {within:g} 秒接通率 {pct}（近 {dur_zh(secs)} {n} 通来电，"
            f"目标 {f['target']:.0%}）",
            en=f"{f['where_en']}: {pct} of calls answered within {within:g} s ({n} calls in the "
            f"last {dur_en(secs)}, target {f['target']:.0%})",
        )
    return Summary(
        zh=f"{f['where_zh']} 电话 {within:g} 秒接通率已恢复至 {pct}"
        f"（近 {dur_zh(secs)} {n} 通来电）",
        en=f"{f['where_en']}: calls answered within {within:g} s back to {pct} ({n} calls in "
        f"the last {dur_en(secs)})",
    )


RULE: Rule = Rule(
    name=RuleName.CALL_SERVICE_LEVEL_LOW,
    kind="calls",
    severity="warning",
    about=Summary(
        zh="门店或队列的电话及时接通率低于目标",
        en="too few calls answered in time at a store or queue",
    ),
    texts=_texts,
    example={
        "where_zh": "门店 S001",
        "where_en": "Store S001",
        "rate": 0.61,
        "offered": 40,
        "target": 0.8,
        "seconds": 20.0,
        "window_seconds": 3600,
    },
)


def judge(
    view: CallView, counts: list[int], cfg: CallConfig, w: CallWindow, covered: float
) -> Judged:
    if view.service_level is None:
        return None
    rate, target = view.service_level, cfg.service_level_target
    facts = {
        "rate": rate,
        "offered": view.offered,
        "target": target,
        "seconds": cfg.service_level_seconds,
        "window_seconds": w.seconds,
    }
    values = {
        "service_level": round(rate, 4),
        "offered": float(view.offered),
        "answered_within": float(counts[IN_SL]),
        "target": target,
        "service_level_seconds": cfg.service_level_seconds,
        "window_seconds": w.seconds,
    }
    # Meeting the target exactly is meeting it: "80/20" asks for at least 80 % within 20 s.
    bad = wilson_upper(rate, view.offered, judged_z(cfg, w, covered)) < target - EPS
    good = rate >= target + cfg.service_level_recover_margin - EPS
    return bad, good, facts, values
