"""Alert texts for a duty manager on a phone: Chinese first, English alongside."""

from __future__ import annotations

from typing import TYPE_CHECKING

from schemas.alerts import Summary

if TYPE_CHECKING:
    from streams.core.sla.engine import ComplaintState
    from streams.core.sla.timeline import Change

CLOCK_ZH = {
    "first_response": "首次响应",
    "next_response": "再次响应",
    "periodic_update": "进展更新",
    "resolution": "解决",
    "follow_up": "回访",
}
CLOCK_EN = {
    "first_response": "first response",
    "next_response": "next response",
    "periodic_update": "progress update",
    "resolution": "resolution",
    "follow_up": "follow-up",
}
TIER_ZH = {"vip": "VIP", "gold": "金卡", "silver": "银卡", "regular": "普通"}


def _dur(seconds: float) -> str:
    m = round(seconds / 60)
    return f"{m // 60}h{m % 60:02d}m" if m >= 60 else f"{m}m"


def _who(state: ComplaintState) -> str:
    tier = TIER_ZH.get(state.tier, state.tier)
    return f"投诉 {state.complaint_id}（门店 {state.store_id}，{tier}客户）"


def warned(state: ComplaintState, ch: Change) -> Summary:
    left = ch.target - ch.elapsed
    return Summary(
        zh=f"{_who(state)}{CLOCK_ZH[ch.clock]}即将超时："
        f"还剩 {_dur(left)}（时限 {_dur(ch.target)}）",
        en=f"Complaint {state.complaint_id} at {state.store_id} ({state.tier}): "
        f"{CLOCK_EN[ch.clock]} due in {_dur(left)} (target {_dur(ch.target)})",
    )


def breached(state: ComplaintState, ch: Change) -> Summary:
    late = f"，已超时 {_dur(ch.late_by)}" if ch.late_by else ""
    return Summary(
        zh=f"{_who(state)}{CLOCK_ZH[ch.clock]}超时（时限 {_dur(ch.target)}）{late}。"
        "请立即处理并上报。",
        en=f"Complaint {state.complaint_id} at {state.store_id} ({state.tier}): "
        f"{CLOCK_EN[ch.clock]} SLA breached (target {_dur(ch.target)})"
        + (f", {_dur(ch.late_by)} late" if ch.late_by else ""),
    )


def special(state: ComplaintState) -> Summary:
    return Summary(
        zh=f"特殊客户投诉 {state.complaint_id}（门店 {state.store_id}）：有转为危机的风险，"
        "请立即上报管理层并优先处理。",
        en=f"Complaint {state.complaint_id} at {state.store_id} from a special customer "
        "(media/government/lawyer): escalate to management now.",
    )
