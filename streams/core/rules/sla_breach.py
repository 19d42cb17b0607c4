"""``sla_breach``: a complaint's SLA clock passed its deadline. Critical; it resolves when the
clock is finally met (or the complaint is cancelled), saying how late it was."""

from __future__ import annotations

from schemas.alerts import RuleName, Summary
from streams.core.rules.base import Facts, Rule
from streams.core.rules.sla_texts import CLOCK_EN, CLOCK_ZH, dur, who_en, who_zh


def _texts(firing: bool, f: Facts) -> Summary:
    clock_zh, clock_en, late = CLOCK_ZH[f["clock"]], CLOCK_EN[f["clock"]], f.get("late_by", 0.0)
    if firing:
        late_zh = f"，已超时 {dur(late)}" if late else ""
        return Summary(
            zh=f"{who_zh(f)}{clock_zh}超时（时限 {dur(f['target'])}）{late_zh}。请立即处理并上报。",
            en=f"{who_en(f)}: {clock_en} SLA breached (target {dur(f['target'])})"
            + (f", {dur(late)} late" if late else ""),
        )
    late_zh = f"，超时 {dur(late)}" if late else ""
    return Summary(
        zh=f"{who_zh(f)}{clock_zh}已完成{late_zh}（时限 {dur(f['target'])}）",
        en=f"{who_en(f)}: {clock_en} done"
        + (f", {dur(late)} late" if late else "")
        + f" (target {dur(f['target'])})",
    )


RULE: Rule = Rule(
    name=RuleName.SLA_BREACH,
    kind="sla",
    severity="critical",
    about=Summary(zh="投诉的 SLA 时钟已超时", en="a complaint's SLA clock past its deadline"),
    texts=_texts,
    example={
        "complaint_id": "TK-1",
        "store_id": "S001",
        "tier": "vip",
        "special": True,
        "clock": "resolution",
        "target": 86400.0,
        "late_by": 5400.0,
    },
)
