"""The console's words in Chinese (the default) and English.

The language comes from ``?lang=en|zh`` (remembered in a cookie) or the cookie alone; a
missing or unknown value is Chinese, since the duty managers read Chinese first. Button and
label texts are stable: browser tests find elements by them.
"""

from __future__ import annotations

from typing import Literal

from aiohttp import web

Lang = Literal["zh", "en"]
COOKIE = "cxpulse_lang"

_WORDS: dict[str, tuple[str, str]] = {
    "title": ("客户体验告警", "CX alerts"),
    "incidents": ("告警列表", "Incidents"),
    "duty": ("值班", "On duty"),
    "switch": ("English", "中文"),
    "sign_out": ("退出", "Sign out"),
    "filters": ("筛选与搜索", "Filter and search"),
    "firing": ("告警中", "Firing"),
    "acknowledged": ("已确认", "Acknowledged"),
    "silenced": ("已静默", "Silenced"),
    "resolved": ("已解决", "Resolved"),
    "all": ("全部", "All"),
    "info": ("提示", "Info"),
    "warning": ("警告", "Warning"),
    "critical": ("严重", "Critical"),
    "severity": ("级别", "Severity"),
    "store": ("门店", "Store"),
    "region": ("区域", "Region"),
    "rule": ("规则", "Rule"),
    "assignee": ("处理人", "Assignee"),
    "search": ("搜索", "Search"),
    "filter": ("筛选", "Filter"),
    "clear": ("清除筛选", "Clear filters"),
    "none_found": ("没有符合条件的告警。", "No incidents match."),
    "more": ("下一页", "Next page"),
    "updated": ("已更新", "Updated"),
    "since": ("开始于", "Since"),
    "last_seen": ("最近一次", "Last seen"),
    "count": ("次数", "Count"),
    "state": ("状态", "State"),
    "labels": ("标签", "Labels"),
    "values": ("规则比较的数值", "Values the rule compared"),
    "evidence": ("证据", "Evidence"),
    "no_evidence": ("此告警没有附带证据。", "This alert carries no evidence."),
    "rating": ("评分", "Rating"),
    "platform": ("平台", "Platform"),
    "views": ("浏览量", "Views"),
    "tier": ("客户等级", "Tier"),
    "tags": ("标签", "Tags"),
    "sla": ("SLA 时钟", "SLA clock"),
    "complaint": ("投诉", "Complaint"),
    "policy": ("策略", "Policy"),
    "category": ("类别", "Category"),
    "opened": ("受理于", "Opened"),
    "deadline": ("截止", "Deadline"),
    "remaining": ("剩余", "Remaining"),
    "overdue": ("已超时", "Overdue"),
    "calendar": ("营业日历", "Business calendar"),
    "cal_open": ("当前营业时间内（计时中）", "open now (the clock runs)"),
    "cal_closed": ("当前非营业时间（暂停计时）", "closed now (the clock pauses)"),
    "timeline": ("处理过程", "Timeline"),
    "chain": ("升级链", "Escalation chain"),
    "no_chain": ("此告警没有升级链。", "No escalation chain for this alert."),
    "step": ("步骤", "Step"),
    "wait": ("等待", "Wait"),
    "receiver": ("接收方", "Receiver"),
    "role": ("角色", "Role"),
    "done": ("已执行", "done"),
    "next": ("下一步", "next"),
    "at": ("于", "at"),
    "nobody": ("无人值班", "nobody on duty"),
    "chain_stopped": ("升级已停止", "escalation stopped"),
    "notifications": ("已发送的通知", "Notifications"),
    "no_notifications": ("尚无通知。", "No notifications yet."),
    "sent": ("已发送", "sent"),
    "pending": ("待发送", "pending"),
    "failed": ("发送失败", "failed"),
    "audit": ("操作记录", "Audit trail"),
    "actions": ("操作", "Actions"),
    "ack": ("确认", "Acknowledge"),
    "ack_until": ("确认有效期", "Acknowledge until"),
    "ack_default": ("默认（超时后重新告警）", "Default (re-arms after the timeout)"),
    "h1": ("1 小时", "1 hour"),
    "h4": ("4 小时", "4 hours"),
    "tomorrow": ("明天 09:00（北京时间）", "Tomorrow 09:00 (Beijing time)"),
    "custom": ("自定义", "Custom"),
    "custom_time": ("自定义时间（北京时间）", "Custom time (Beijing time)"),
    "resolve": ("解决", "Resolve"),
    "note": ("备注", "Note"),
    "silence": ("静默", "Silence"),
    "silence_for": ("静默时长", "Silence for"),
    "matchers": ("匹配条件（每行一个）", "Matchers (one per line)"),
    "preview": ("预览静默", "Preview silence"),
    "silence_button": ("静默", "Silence"),  # opens the preview; nothing is muted yet
    "confirm_silence": ("确认静默", "Confirm silence"),
    "would_mute": ("将被静默的未解决告警", "Open alerts this silence would mute"),
    "mutes_none": ("没有未解决的告警会被静默。", "No open alert would be muted."),
    "ends": ("结束于", "Ends"),
    "comment": ("说明", "Comment"),
    "escalate": ("立即升级", "Escalate now"),
    "reassign": ("指派", "Reassign"),
    "take": ("由我处理", "Take it"),
    "nobody_assigned": ("未指派", "unassigned"),
    "back": ("返回告警", "Back to the incident"),
    "viewer_note": ("您是只读用户，不能操作告警。", "You are a viewer: you cannot act on alerts."),
    "forbidden": ("无权操作", "Not allowed"),
    "forbidden_text": ("您的账户没有此操作的权限。", "Your account may not do this."),
    "not_found": ("告警不存在", "No such incident"),
    "flash_acked": ("已确认告警。", "Acknowledged."),
    "flash_resolved": ("已解决告警。", "Resolved."),
    "flash_silenced": ("已创建静默。", "Silence created."),
    "flash_escalated": ("已立即升级。", "Escalated."),
    "flash_assigned": ("已更新处理人。", "Assignee updated."),
    "flash_changed": (
        "该告警已被他人更改，以下是当前状态；请核对后再操作。",
        "This alert changed meanwhile; this is its current state. Check it, then act again.",
    ),
    "flash_error": ("操作未执行：", "Not done: "),
    "silences": ("静默规则", "Silences"),
    "silences_none": ("当前没有生效或待生效的静默。", "No silence in force or to come."),
    "silences_more": ("另有未显示的静默：", "Silences not shown:"),
    "silence_from": ("开始于", "Starts"),
    "created_by": ("创建人", "Set by"),
    "mutes_now": ("当前静默的未解决告警", "Open alerts it mutes now"),
    "end_silence": ("立即结束静默", "End this silence now"),
    "flash_silence_ended": (
        "静默已结束，相关告警恢复通知。",
        "Silence ended; its alerts page again.",
    ),
    "silence_gone": ("该静默不存在。", "no such silence."),
    "on_duty_now": ("当前值班", "On duty now"),
    "on_duty_next": ("下一班", "Next on duty"),
    "scope": ("负责范围", "Scope"),
    "everywhere": ("全部门店", "everywhere"),
    "shift": ("班次", "Shift"),
    "always": ("全天", "always"),
    "no_roster": ("未配置值班表。", "No roster configured."),
    "within_week": ("未来 7 天内无人接班", "nobody in the next 7 days"),
    "fingerprint": ("指纹", "Fingerprint"),
    "acked_by": ("确认人", "Acknowledged by"),
    "until": ("至", "until"),
    "next_escalation": ("下次升级", "Next escalation"),
    "muted_by": ("静默规则", "Muted by"),
    "live": ("自动刷新", "Live updates"),
    # The audit trail's actions (alerts.model.Action).
    "act_fired": ("触发", "fired"),
    "act_refired": ("再次触发", "fired again"),
    "act_acknowledged": ("确认", "acknowledged"),
    "act_ack_expired": ("确认超时", "acknowledgement expired"),
    "act_resolved": ("解决", "resolved"),
    "act_silenced": ("静默", "silenced"),
    "act_unsilenced": ("解除静默", "unsilenced"),
    "act_inhibited": ("被抑制", "inhibited"),
    "act_uninhibited": ("解除抑制", "no longer inhibited"),
    "act_escalated": ("升级", "escalated"),
    "act_notified": ("通知", "notified"),
    "act_commented": ("备注", "note"),
    "act_assigned": ("指派", "assigned"),
    "act_escalate_requested": ("请求立即升级", "escalation requested"),
}


def lang_of(request: web.Request) -> Lang:
    asked = request.query.get("lang") or request.cookies.get(COOKIE)
    return "en" if asked == "en" else "zh"


def remember(request: web.Request, response: web.StreamResponse) -> None:
    """Keep an explicit ``?lang=`` choice for the following pages."""
    asked = request.query.get("lang")
    if asked in ("zh", "en"):
        response.set_cookie(COOKIE, asked, max_age=365 * 86400, samesite="Lax", httponly=True)


class Words:
    def __init__(self, lang: Lang) -> None:
        self.lang = lang

    def __call__(self, key: str) -> str:
        zh, en = _WORDS.get(key, (key, key))
        return en if self.lang == "en" else zh

    @property
    def html_lang(self) -> str:
        return "en" if self.lang == "en" else "zh-CN"
