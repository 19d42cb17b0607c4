"""``sla_warning``: a complaint's SLA clock is close to its deadline (the policy's warning
share of the target has passed). It resolves when the clock is met, or when it breaches (the
breach alert takes over)."""

from __future__ import annotations

from schemas.alerts import RuleName, Summary
from streams.core.rules.base import Facts, Rule
from streams.core.rules.sla_texts import CLOCK_EN, CLOCK_ZH, dur, who_en, who_zh


def _texts(firing: bool, f: Facts) -> Summary:
    clock_zh, clock_en = CLOCK_ZH[f["clock"]], CLOCK_EN[f["clock"]]
    if firing:
        return Summary(
            zh=f"{who_zh(f)}{clock_zh}即将超时：还剩 {dur(f['left'])}（时限 {dur(f['target'])}）",
            en=f"{who_en(f)}: {clock_en} due in {dur(f['left'])} (target {dur(f['target'])})",
        )
    if f.get("breached"):
        return Summary(
            zh=f"{who_zh(f)}{clock_zh}已超时，转为超时告警",
            en=f"{who_en(f)}: {clock_en} now breached; the breach alert takes over",
        )
    return Summary(
        zh=f"{who_zh(f)}{clock_zh}已在时限内完成",
        en=f"{who_en(f)}: {clock_en} met within its target",
    )


RULE: Rule = Rule(
    name=RuleName.SLA_WARNING,
    kind="sla",
    severity="warning",
    about=Summary(zh="投诉的 SLA 时钟即将到期", en="a complaint's SLA clock close to its deadline"),
    texts=_texts,
    example={
        "complaint_id": "TK-1",
        "store_id": "S001",
        "tier": "gold",
        "special": False,
        "clock": "first_response",
        "left": 600.0,
        "target": 3600.0,
    },
)
