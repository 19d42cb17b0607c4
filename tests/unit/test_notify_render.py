"""What a duty manager reads on the phone (alerts/notify/render.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from alerts.notify import render
from alerts.notify.base import AlertView
from alerts.notify.render import compose, fit_utf8, html, markdown, text
from alerts.notify.texts import COMPLAINT_STEPS, CRISIS_STEPS
from tests.integration.notify_fakes import (
    CUSTOMER_EMAIL,
    CUSTOMER_MOBILE,
    T0,
    complaint_alert,
    csat_alert,
    notification,
)

NOW = T0 + timedelta(minutes=35)


def said(alert: AlertView, zh: str) -> AlertView:
    return replace(alert, summary=alert.summary.model_copy(update={"zh": zh}))


def test_chinese_firing_complaint_has_everything_a_duty_manager_needs() -> None:
    doc = compose(notification(), now=NOW)
    out = markdown(doc, "dingtalk")
    assert doc.title == "🔴 严重告警 · 门店 S002 禾风小馆 上海"
    assert "**门店**：S002 禾风小馆 上海" in out
    assert "**严重程度**：严重" in out
    assert "**开始时间**：11-23 12:00（已持续 35 分钟）" in out  # 04:00 UTC is 12:00 in Shanghai
    assert "**客户等级**：VIP，优先处理" in out
    assert "**详情**：投诉单=TK-55120 客户=王＊＊ 电话=138＊＊＊＊5678" in out
    assert "时限 1 小时，已用 1 小时 5 分钟" in out
    # The six complaint steps of domain.md, in order.
    steps = [f"{i}. {s}" for i, s in enumerate(COMPLAINT_STEPS["zh"], 1)]
    assert "  \n".join(steps) in out
    assert out.endswith(
        "[认领](https://cx.example.com/ack?t=signed-token) | "
        "[查看详情](https://cx.example.com/d/store?store=S002)"
    )
    for personal in (CUSTOMER_MOBILE, "王小明", CUSTOMER_EMAIL):
        assert personal not in out


def test_english_uses_the_english_summary_and_words() -> None:
    doc = compose(notification(lang="en"), now=NOW)
    out = text(doc)
    assert doc.title == "🔴 CRITICAL alert · Store S002 禾风小馆 上海"
    assert "Since: 11-23 12:00 (ongoing for 35 min)" in out
    assert "Customer tier: VIP, serve first" in out
    assert "Complaint TK-55120 (store S002, VIP, phone 138****5678)" in out
    assert "Mail: w***@example.com" in out
    assert "1. Let the customer vent" in out and "6. Commit, carry it out, and follow up" in out
    assert "Acknowledge: https://cx.example.com/ack?t=signed-token" in out
    assert "首次响应" not in out


def test_resolved_shows_how_long_it_lasted_and_asks_for_the_follow_up() -> None:
    doc = compose(notification(complaint_alert(status="resolved")), now=NOW)
    out = text(doc)
    assert doc.title == "✅ 已恢复 · 门店 S002 禾风小馆 上海"
    assert "开始时间：11-23 12:00 – 12:40（持续 40 分钟）" in out
    assert "1. 回访客户，确认满意，防止再次发生" in out
    assert "认领" not in out  # nothing left to acknowledge
    assert "查看详情" in out


def test_crisis_gets_the_crisis_checklist_even_next_to_a_complaint() -> None:
    crisis = replace(csat_alert(), kind="crisis", rule="crisis_burst", severity="critical")
    out = text(compose(notification(complaint_alert(), crisis), now=NOW))
    for step in CRISIS_STEPS["zh"]:
        assert step in out
    assert COMPLAINT_STEPS["zh"][0] not in out


def test_coaching_and_other_kinds_get_one_hint() -> None:
    coaching = replace(csat_alert(), kind="coaching", rule="taboo_phrase")
    assert "服务禁言" in text(compose(notification(coaching), now=NOW))
    calls = replace(csat_alert(), kind="calls", rule="service_level")
    assert "80% 的来电 20 秒内接听" in text(compose(notification(calls), now=NOW))
    assert "4% 的不满意客户" in text(compose(notification(csat_alert()), now=NOW))


def test_escalation_and_folded_digest_are_said() -> None:
    n = notification(escalation_step=2, folded=7)
    doc = compose(n, now=NOW)
    assert doc.title.endswith("· 第 2 次升级")
    assert "> 另有 7 条消息因频率限制合并" in markdown(doc, "wecom")
    en = compose(replace(n, lang="en"), now=NOW)
    assert en.title.endswith("· escalation #2")
    assert "7 more messages were folded into this one by the rate limit" in text(en)


def test_many_alerts_show_the_worst_first_and_count_the_rest() -> None:
    alerts = [csat_alert(i, starts_at=T0 + timedelta(minutes=i)) for i in range(11)]
    doc = compose(notification(*alerts, complaint_alert()), now=NOW)
    assert doc.title.startswith("🔴 严重告警（12 条）")
    assert len(doc.alerts) == 6 and doc.alerts[-1] == "…及另外 7 条"
    assert doc.alerts[0].startswith("🔴 投诉 TK-55120")  # critical before warnings
    assert "（第 0 条）" in doc.alerts[1] and "（第 3 条）" in doc.alerts[4]  # then oldest first
    en = compose(notification(*alerts, lang="en"), now=NOW, max_alerts=3)
    assert en.alerts[-1] == "…and 8 more"


def test_local_time_follows_the_store_timezone_label() -> None:
    london = replace(complaint_alert(), labels={"store_id": "L1", "timezone": "Europe/London"})
    assert ("开始时间", "11-23 04:00（已持续 35 分钟）") in compose(
        notification(london), now=NOW
    ).facts
    bogus = replace(london, labels={"store_id": "L1", "timezone": "Mars/Olympus"})
    assert ("开始时间", "11-23 12:00（已持续 35 分钟）") in compose(
        notification(bogus), now=NOW
    ).facts


def test_long_durations_read_in_hours_and_days() -> None:
    facts = dict(compose(notification(), now=T0 + timedelta(hours=26, minutes=5)).facts)
    assert facts["开始时间"].endswith("（已持续 1 天 2 小时）")
    facts = dict(compose(notification(lang="en"), now=T0 + timedelta(minutes=125)).facts)
    assert facts["Since"].endswith("(ongoing for 2 h 5 min)")


def test_content_cannot_turn_into_markup() -> None:
    tricky = said(
        csat_alert(),
        "客户 13812345678 和 13912345678 说 [点我](http://evil.example) <font color=red>",
    )
    out = markdown(compose(notification(tricky), now=NOW), "wecom")
    # Masked digits would pair up as bold; full-width stars look the same and are no syntax.
    assert "138＊＊＊＊5678 和 139＊＊＊＊5678" in out
    assert "](http://evil.example)" not in out and "<font" not in out
    assert "138****5678" in text(compose(notification(tricky), now=NOW))
    slack = markdown(compose(notification(tricky), now=NOW), "slack")
    assert "&lt;font color=red&gt;" in slack and "<https://cx.example.com/ack" in slack


def test_html_is_escaped_and_masked() -> None:
    tricky = said(csat_alert(), "<script>x</script> 13812345678")
    out = html(compose(notification(tricky), now=NOW))
    assert "&lt;script&gt;" in out and "<script>" not in out
    assert "138****5678" in out and "13812345678" not in out
    assert '<a href="https://cx.example.com/ack?t=signed-token">认领</a>' in out


# --- cutting to a byte budget ------------------------------------------------------------


@pytest.mark.parametrize("budget", [4096, 4095, 4094, 4093, 100, 60])
def test_fit_never_splits_a_character_and_keeps_the_tail(budget: int) -> None:
    body = ("满意度下降😡" * 2000)[:3000]  # 3- and 4-byte characters
    tail = "\n\n[认领](https://x/ack)"
    out = fit_utf8(body, budget, tail=tail, marker="…（已截断）")
    raw = out.encode()
    assert len(raw) <= budget
    raw.decode("utf-8", "strict")
    assert out.endswith("…（已截断）" + tail)
    assert body.startswith(out[: -len("…（已截断）" + tail)])


def test_fit_every_budget_gives_valid_utf8_within_it() -> None:
    # Down to budgets smaller than the marker and tail: then everything is cut alike.
    body = "a满😡" * 50
    for budget in range(0, len(body.encode()) + 2):
        out = fit_utf8(body, budget, tail="T", marker="…")
        assert len(out.encode()) <= budget
        out.encode().decode("utf-8", "strict")


def test_fit_leaves_what_fits_alone_and_prefers_a_line_end() -> None:
    assert fit_utf8("短消息", 4096, tail="!") == "短消息!"
    body = "第一行\n" + "二" * 10 + "\n" + "三" * 3
    out = fit_utf8(body, len(body.encode()) - 3, marker="…")
    assert out == "第一行\n" + "二" * 10 + "\n…"


def test_a_huge_group_renders_for_wecom_within_4096_bytes_with_its_links() -> None:
    from alerts.notify.configs import WeComConfig
    from alerts.notify.wecom import WeComReceiver

    long = "门店服务员态度冷淡，上菜太慢，顾客等待超过四十分钟😡" * 30
    alerts = [said(csat_alert(i), long) for i in range(40)]
    rx = WeComReceiver(WeComConfig(type="wecom", name="w", url="http://127.0.0.1:1/x?key=k"))
    content = rx.payload(notification(*alerts, mention=("zhangsan",)))["markdown"]["content"]
    assert len(content.encode()) <= 4096
    assert "…（内容过长，已截断）" in content
    assert content.endswith("[查看详情](https://cx.example.com/d/store?store=S002)\n<@zhangsan>")


def test_cut_marker_speaks_the_language() -> None:
    assert render.cut_marker("en") == "… (too long, truncated)"
