"""The words of a notification, in Chinese and English, and what the duty manager should do.

The playbooks are the handling rules of ``docs/domain.md`` (six complaint steps, the crisis
rules, taboo phrases, tiered treatment), shortened to fit a phone screen.
"""

from __future__ import annotations

from typing import Final

from alerts.notify.base import Lang

WORDS: Final[dict[Lang, dict[str, str]]] = {
    "zh": {
        "firing": "{sev}告警",
        "resolved": "已恢复",
        "critical": "严重",
        "warning": "警告",
        "info": "提示",
        "store": "门店",
        "group": "分组",
        "details": "详情",
        "what": "发生了什么",
        "severity": "严重程度",
        "since": "开始时间",
        "tier": "客户等级",
        "evidence": "依据",
        "more_events": "（另 {n} 条）",
        "opened_at": "{t} 受理",
        "due": "{clock}截止 {t}",
        "calendar": "（{c} 日历）",
        "todo": "怎么做",
        "links": "链接",
        "dashboard": "查看详情",
        "ack": "认领",
        "escalation": "第 {n} 次升级",
        "folded": "另有 {n} 条消息因频率限制合并",
        "more": "…及另外 {n} 条",
        "lasting": "已持续 {d}",
        "lasted": "持续 {d}",
        "repeat": "重复 {n} 次",
        "acked": "{who} 已确认",
        "truncated": "…（内容过长，已截断）",
        "alerts": "（{n} 条）",
        "serve_first": "，优先处理",
        "sep": "：",
        "comma": "，",
        "open": "（",
        "close": "）",
    },
    "en": {
        "firing": "{sev} alert",
        "resolved": "Resolved",
        "critical": "CRITICAL",
        "warning": "WARNING",
        "info": "INFO",
        "store": "Store",
        "group": "Group",
        "details": "Details",
        "what": "What happened",
        "severity": "Severity",
        "since": "Since",
        "tier": "Customer tier",
        "evidence": "Evidence",
        "more_events": " (+{n} more)",
        "opened_at": "opened {t}",
        "due": "{clock} due {t}",
        "calendar": " ({c} calendar)",
        "todo": "What to do",
        "links": "Links",
        "dashboard": "Details",
        "ack": "Acknowledge",
        "escalation": "escalation #{n}",
        "folded": "{n} more messages were folded into this one by the rate limit",
        "more": "…and {n} more",
        "lasting": "ongoing for {d}",
        "lasted": "lasted {d}",
        "repeat": "repeated {n}×",
        "acked": "acknowledged by {who}",
        "truncated": "… (too long, truncated)",
        "alerts": " ({n} alerts)",
        "serve_first": ", serve first",
        "sep": ": ",
        "comma": ", ",
        "open": " (",
        "close": ")",
    },
}

# SLA clocks by name (schemas.sla.CLOCKS), as the evidence line says them.
CLOCKS: Final[dict[Lang, dict[str, str]]] = {
    "zh": {
        "first_response": "首次响应",
        "next_response": "再次响应",
        "periodic_update": "进展更新",
        "resolution": "解决",
        "follow_up": "回访",
    },
    "en": {
        "first_response": "first response",
        "next_response": "next response",
        "periodic_update": "progress update",
        "resolution": "resolution",
        "follow_up": "follow-up",
    },
}

LABELS: Final[dict[Lang, dict[str, str]]] = {
    "zh": {
        "store_id": "门店",
        "brand": "品牌",
        "region": "区域",
        "city": "城市",
        "complaint_id": "投诉单",
        "clock": "时钟",
        "policy": "策略",
        "agent_id": "坐席",
        "channel": "渠道",
        "platform": "平台",
        "customer_id": "客户",
        "customer_name": "客户",
        "customer_phone": "电话",
        "agent_name": "坐席",
        "staff_name": "员工",
    },
    "en": {},
}

TIERS: Final[dict[Lang, dict[str, str]]] = {
    "zh": {"vip": "VIP", "gold": "金卡", "silver": "银卡", "regular": "普通"},
    "en": {"vip": "VIP", "gold": "gold", "silver": "silver", "regular": "regular"},
}
# 80% of business comes from 20% of customers: VIP and gold are served first (domain.md).
PRIORITY_TIERS: Final = ("vip", "gold")

SEVERITY_MARK: Final = {"critical": "🔴", "warning": "🟠", "info": "🔵"}
RESOLVED_MARK: Final = "✅"

COMPLAINT_STEPS: Final[dict[Lang, tuple[str, ...]]] = {
    "zh": (
        "让客户发泄：耐心倾听，不打断",
        "充分道歉，稳定客户情绪",
        "收集信息，弄清事实",
        "承担责任，提出解决方案",
        "让客户参与解决方案",
        "承诺、落实，并跟进回访",
    ),
    "en": (
        "Let the customer vent: listen, do not interrupt",
        "Apologise fully and calm things down",
        "Gather the facts",
        "Take responsibility and propose a solution",
        "Let the customer take part in the solution",
        "Commit, carry it out, and follow up",
    ),
}
CRISIS_STEPS: Final[dict[Lang, tuple[str, ...]]] = {
    "zh": (
        "速度第一：立即响应",
        "统一口径：只由一位发言人对外",
        "先查清事实，再表态",
        "立即上报管理层",
        "不在公开场合与客户争辩",
        "持续跟踪舆情，及时更新",
    ),
    "en": (
        "Speed first: respond now",
        "One spokesperson, one message",
        "Facts first, statements second",
        "Escalate to management now",
        "Never argue in public",
        "Keep watching the coverage and update",
    ),
}
COACHING_HINT: Final[dict[Lang, str]] = {
    "zh": "与坐席一对一复盘这通电话：指出服务禁言，示范替代说法"
    "（不说“这是公司的规定”，说“我来帮您想办法”）",
    "en": "Review the call one-to-one with the agent: name the taboo phrase and model a better "
    "one (not “it's company policy” but “let me see what I can do for you”)",
}
# One line for the other kinds, each resting on a figure from domain.md.
KIND_HINTS: Final[dict[str, dict[Lang, str]]] = {
    "satisfaction": {
        "zh": "查看最近的低分评价，找出共同原因，回访不满意的客户（只有 4% 的不满意客户会投诉）",
        "en": "Read the latest low ratings, find the common cause, and call unhappy customers "
        "back (only 4% of them ever complain)",
    },
    "word_of_mouth": {
        "zh": "尽快回复差评并联系作者：一次负面体验要约 12 次正面体验才能弥补",
        "en": "Answer the negative reviews and contact the authors soon: one bad experience "
        "takes about 12 good ones to make up for",
    },
    "calls": {
        "zh": "增派坐席，先接排队的来电（目标：80% 的来电 20 秒内接听）",
        "en": "Add agents and clear the queue (target: 80% of calls answered within 20 s)",
    },
}
FOLLOW_UP: Final[dict[Lang, str]] = {
    "zh": "回访客户，确认满意，防止再次发生",
    "en": "Follow up with the customer: confirm they are satisfied and prevent a recurrence",
}


def value_text(key: str, value: float, lang: Lang) -> str:
    """A key value as words: CSAT as a percentage, seconds as a duration, else the number."""
    zh = lang == "zh"
    if key == "csat":
        return f"CSAT {value:.0%}"
    if key == "ratings":
        return f"{value:g} 条评价" if zh else f"{value:g} ratings"
    seconds = {"target_seconds": ("时限", "target"), "elapsed_seconds": ("已用", "elapsed")}
    if key in seconds:
        return f"{seconds[key][0 if zh else 1]} {duration(value, lang)}"
    if key == "late_by":
        return f"超时 {duration(value, lang)}" if zh else f"late by {duration(value, lang)}"
    return f"{key}={value:.4g}"


def duration(seconds: float, lang: Lang) -> str:
    s = max(0, int(seconds))
    d, h, m = s // 86400, s % 86400 // 3600, s % 3600 // 60
    if lang == "zh":
        if s < 60:
            return f"{s} 秒"
        if s < 3600:
            return f"{m} 分钟"
        if d:
            return f"{d} 天 {h} 小时" if h else f"{d} 天"
        return f"{h} 小时 {m} 分钟" if m else f"{h} 小时"
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{m} min"
    if d:
        return f"{d} d {h} h" if h else f"{d} d"
    return f"{h} h {m} min" if m else f"{h} h"
