"""Words the SLA rules share: clock names, customer tiers, durations."""

from __future__ import annotations

from streams.core.rules.base import Facts

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


def dur(seconds: float) -> str:
    m = round(seconds / 60)
    return f"{m // 60}h{m % 60:02d}m" if m >= 60 else f"{m}m"


def who_zh(f: Facts) -> str:
    """The complaint and whose it is; a special customer (media, government, lawyer ...) is
    named as such, whatever their loyalty tier."""
    kind = "特殊客户" if f.get("special") else f"{TIER_ZH.get(f['tier'], f['tier'])}客户"
    return f"投诉 {f['complaint_id']}（门店 {f['store_id']}，{kind}）"


def who_en(f: Facts) -> str:
    kind = "special customer" if f.get("special") else f["tier"]
    return f"Complaint {f['complaint_id']} at {f['store_id']} ({kind})"
