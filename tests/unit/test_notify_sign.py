"""Signatures against values computed by hand with openssl, and each platform's payload shape.

The expected signatures come from the shell, not from Python:
    printf '1700000000000\\nSEC0123456789abcdef' \\
        | openssl dgst -sha256 -hmac 'SEC0123456789abcdef' -binary | base64
    key=$(printf '1700000000\\nfeishu-secret' | xxd -p | tr -d '\\n')
    printf '' | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key" -binary | base64
    printf '{"a":1}' | openssl dgst -sha256 -hmac 'whsec-1' -hex
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

from alerts.notify import alertmanager, dingtalk, feishu, webhook
from alerts.notify.configs import DingTalkConfig, FeishuConfig, SlackConfig, WebhookConfig
from alerts.notify.dingtalk import DingTalkReceiver
from alerts.notify.feishu import FeishuReceiver
from alerts.notify.slack import SlackReceiver
from alerts.notify.webhook import WebhookReceiver
from tests.integration.notify_fakes import (
    CUSTOMER_MOBILE,
    T0,
    complaint_alert,
    csat_alert,
    notification,
)

DING = "TSZbRFUuvaSQaRKUpF970OPCb2/LcQAP3wOvwZIzBZk="


def test_dingtalk_signature() -> None:
    assert dingtalk.sign("SEC0123456789abcdef", 1700000000000) == DING


def test_dingtalk_signed_url_url_encodes_the_signature() -> None:
    url = dingtalk.signed_url(
        "https://x/robot/send?access_token=T", "SEC0123456789abcdef", 1700000000000
    )
    assert url == (
        "https://x/robot/send?access_token=T&timestamp=1700000000000"
        "&sign=TSZbRFUuvaSQaRKUpF970OPCb2%2FLcQAP3wOvwZIzBZk%3D"
    )


def test_feishu_signature_keys_hmac_with_the_string_to_sign() -> None:
    assert (
        feishu.sign("feishu-secret", 1700000000) == "OrBzY1Y01Gq+HgJsl+7OfWcMVwc7YocohQm5iiZwjhU="
    )


def test_webhook_signature() -> None:
    expected = "sha256=c4529362f8607f2b6425487b7bb9cb4cb917dde09b6a4811c5ecad6a830dfa65"
    assert webhook.sign("whsec-1", b'{"a":1}') == expected


def test_dingtalk_payload_ats_the_duty_manager_by_mobile_in_the_field_and_the_text() -> None:
    cfg = DingTalkConfig(type="dingtalk", name="d", url="http://127.0.0.1:1/robot/send")
    n = notification(mention=("13900001111", "manager01"))
    p = DingTalkReceiver(cfg).payload(n)
    assert p["msgtype"] == "markdown"
    assert p["markdown"]["title"] == "🔴 严重告警 · 门店 S002 禾风小馆 上海"
    assert p["at"] == {"atMobiles": ["13900001111"], "atUserIds": ["manager01"], "isAtAll": False}
    # DingTalk rings only those whose @ is in the text too; the customer's number stays masked.
    assert p["markdown"]["text"].endswith("\n\n@13900001111 @manager01")
    assert CUSTOMER_MOBILE not in json.dumps(p, ensure_ascii=False)


def test_feishu_card_colours_by_severity_and_has_ack_and_dashboard_buttons() -> None:
    rx = FeishuReceiver(
        FeishuConfig(type="feishu", name="f", url="http://127.0.0.1:1/h", secret="s")
    )
    p = rx.payload(notification(mention=("ou_abc",)), 1700000000)
    assert p["timestamp"] == "1700000000" and p["sign"] == feishu.sign("s", 1700000000)
    card = p["card"]
    assert card["header"]["template"] == "red"
    assert card["header"]["title"]["content"] == "🔴 严重告警 · 门店 S002 禾风小馆 上海"
    md = card["elements"][0]
    assert md["tag"] == "markdown" and md["content"].endswith("<at id=ou_abc></at>")
    buttons = card["elements"][1]["actions"]
    assert [(b["text"]["content"], b["url"], b["type"]) for b in buttons] == [
        ("认领", "https://cx.example.com/ack?t=signed-token", "danger"),
        ("查看详情", "https://cx.example.com/d/store?store=S002", "default"),
    ]
    warning = rx.card(notification(csat_alert()))
    assert warning["header"]["template"] == "orange"
    resolved = rx.card(notification(complaint_alert(status="resolved")))
    assert resolved["header"]["template"] == "green"
    assert [b["text"]["content"] for b in resolved["elements"][1]["actions"]] == ["查看详情"]


def test_slack_blocks() -> None:
    rx = SlackReceiver(SlackConfig(type="slack", name="s", url="http://127.0.0.1:1/s"))
    p = rx.payload(notification(lang="en", mention=("U123",)))
    header, section, actions = p["blocks"]
    assert p["text"] == header["text"]["text"] == "🔴 CRITICAL alert · Store S002 禾风小馆 上海"
    assert section["text"]["type"] == "mrkdwn"
    assert "*What to do*" in section["text"]["text"] and section["text"]["text"].endswith("<@U123>")
    assert actions["elements"][0]["style"] == "danger"


def test_webhook_alertmanager_format_is_the_v4_payload() -> None:
    cfg = WebhookConfig(type="webhook", name="w", url="http://127.0.0.1:1/", format="alertmanager")
    resolved = complaint_alert(status="resolved")
    firing = csat_alert(starts_at=T0 + timedelta(minutes=1))
    p = WebhookReceiver(cfg).payload(notification(resolved, firing))
    assert set(p) == {
        "version",
        "groupKey",
        "truncatedAlerts",
        "status",
        "receiver",
        "groupLabels",
        "commonLabels",
        "commonAnnotations",
        "externalURL",
        "alerts",
    }
    assert p["version"] == "4" and p["status"] == "firing" and p["receiver"] == "duty"
    assert p["groupKey"] == '{}:{store_id="S002"}'
    assert p["groupLabels"] == {"store_id": "S002"}
    assert p["commonLabels"] == {"store_id": "S002"}
    assert p["externalURL"] == "https://cx.example.com/d/store?store=S002"
    first, second = p["alerts"]
    assert set(first) == {
        "status",
        "labels",
        "annotations",
        "startsAt",
        "endsAt",
        "generatorURL",
        "fingerprint",
    }
    assert first["status"] == "resolved"
    assert first["startsAt"] == "2026-11-23T04:00:00.000Z"
    assert first["endsAt"] == "2026-11-23T04:40:00.000Z"
    assert second["endsAt"] == "0001-01-01T00:00:00Z"  # Go's zero time: not ended
    assert first["labels"]["alertname"] == "sla_breach"
    assert first["labels"]["customer_name"] == "王**"
    assert first["labels"]["customer_phone"] == "138****5678"
    assert "138****5678" in first["annotations"]["summary"]
    assert first["fingerprint"] == "a1b2c3d4e5f60718"


def test_webhook_cxpulse_format_is_masked_and_carries_the_rendered_text() -> None:
    cfg = WebhookConfig(type="webhook", name="w", url="http://127.0.0.1:1/", secret="k")
    body, headers = WebhookReceiver(cfg).request(notification(), 1700000000)
    p = json.loads(body)
    assert p["key"] == "notif-0001" and p["status"] == "firing"
    assert p["title"] == "🔴 严重告警 · 门店 S002 禾风小馆 上海"
    assert "1. 让客户发泄" in p["text"]
    assert p["alerts"][0]["labels"]["customer_name"] == "王**"
    assert CUSTOMER_MOBILE not in body.decode()
    assert headers == {
        "X-Cxpulse-Timestamp": "1700000000",
        "X-Cxpulse-Key": "notif-0001",
        "X-Cxpulse-Signature": webhook.sign("k", body),
    }


def test_alertmanager_label_names_are_made_valid() -> None:
    assert alertmanager.label_name("store-id") == "store_id"
    assert alertmanager.label_name("1st") == "_1st"
    assert alertmanager.label_name("门店") == "__"


def test_slack_header_stays_within_150_characters() -> None:
    alert = complaint_alert()
    long_brand = replace(alert, labels={**alert.labels, "brand": "禾风小馆" * 60})
    rx = SlackReceiver(SlackConfig(type="slack", name="s", url="http://127.0.0.1:1/s"))
    header = rx.payload(notification(long_brand))["blocks"][0]["text"]["text"]
    assert len(header) == 150 and header.endswith("…")
