"""Robot messages with buttons: DingTalk ActionCard and WeCom template card carry "认领" (the ack
link) and "查看详情" (the alert's page) as buttons, within each platform's size limits, and fall
back to markdown where a card cannot do the job (an @-mention, no links, cards off)."""

from __future__ import annotations

import json
from dataclasses import replace

from alerts.notify.base import AlertView
from alerts.notify.configs import DingTalkConfig, WeComConfig
from alerts.notify.dingtalk import DingTalkReceiver
from alerts.notify.wecom import (
    CARD_DESC,
    CARD_JUMP_TITLE,
    CARD_KEY,
    CARD_ROWS,
    CARD_TEXT,
    CARD_TITLE,
    CARD_VALUE,
    WeComReceiver,
)
from tests.integration.notify_fakes import complaint_alert, csat_alert, notification

ACK = "https://cx.example.com/ack?t=signed-token"
PAGE = "https://cx.example.com/d/store?store=S002"
LONG = "门店服务员态度冷淡，上菜太慢，顾客等待超过四十分钟😡" * 30


def ding(**kw: object) -> DingTalkReceiver:
    cfg = {"type": "dingtalk", "name": "d", "url": "http://127.0.0.1:1/x?access_token=t", **kw}
    return DingTalkReceiver(DingTalkConfig.model_validate(cfg))


def wecom(**kw: object) -> WeComReceiver:
    cfg = {"type": "wecom", "name": "w", "url": "http://127.0.0.1:1/x?key=k", **kw}
    return WeComReceiver(WeComConfig.model_validate(cfg))


def huge() -> list[AlertView]:
    return [
        replace(a, summary=a.summary.model_copy(update={"zh": LONG}))
        for a in (csat_alert(i) for i in range(40))
    ]


def test_dingtalk_action_card_has_the_two_buttons_and_no_inline_links() -> None:
    p = ding().payload(notification())
    assert p["msgtype"] == "actionCard"
    card = p["actionCard"]
    assert card["btns"] == [
        {"title": "认领", "actionURL": ACK},
        {"title": "查看详情", "actionURL": PAGE},
    ]
    assert ACK not in card["text"] and "严重告警" in card["title"]
    assert "13812345678" not in json.dumps(p, ensure_ascii=False)  # masked as in markdown


def test_dingtalk_action_card_stays_within_the_size_cap() -> None:
    p = ding(max_bytes=4000).payload(notification(*huge()))
    assert p["msgtype"] == "actionCard"
    assert len(json.dumps(p, ensure_ascii=False).encode()) <= 4000
    assert "…（内容过长，已截断）" in p["actionCard"]["text"]
    assert [b["title"] for b in p["actionCard"]["btns"]] == ["认领", "查看详情"]


def test_dingtalk_falls_back_to_markdown_to_ring_people_or_without_links() -> None:
    assert ding().payload(notification(mention=("13900001111",)))["msgtype"] == "markdown"
    bare = notification(ack_url=None, dashboard_url=None)
    assert ding().payload(bare)["msgtype"] == "markdown"
    assert ding(cards=False).payload(notification())["msgtype"] == "markdown"


def test_wecom_template_card_keeps_every_field_within_its_limit() -> None:
    p = wecom().payload(notification(*huge()))
    assert p["msgtype"] == "template_card"
    card = p["template_card"]
    assert card["card_type"] == "text_notice"
    assert len(card["main_title"]["title"]) <= CARD_TITLE
    assert len(card["main_title"]["desc"]) <= CARD_DESC
    assert len(card["sub_title_text"]) <= CARD_TEXT
    rows = card["horizontal_content_list"]
    assert 0 < len(rows) <= CARD_ROWS
    assert all(len(r["keyname"]) <= CARD_KEY and len(r["value"]) <= CARD_VALUE for r in rows)
    assert [(j["title"], j["url"]) for j in card["jump_list"]] == [
        ("认领", ACK),
        ("查看详情", PAGE),
    ]
    assert all(len(j["title"]) <= CARD_JUMP_TITLE for j in card["jump_list"])
    assert card["card_action"] == {"type": 1, "url": PAGE}


def test_wecom_falls_back_to_markdown_to_mention_people() -> None:
    p = wecom().payload(notification(complaint_alert(), mention=("zhangsan",)))
    assert p["msgtype"] == "markdown" and p["markdown"]["content"].endswith("<@zhangsan>")
    assert wecom(cards=False).payload(notification())["msgtype"] == "markdown"
