"""Receiver configs: one discriminated union, platform rate limits, secrets that stay secret."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from alerts.notify import ReceiverConfig
from alerts.notify.alertmanager import AlertmanagerReceiver
from alerts.notify.dingtalk import DingTalkReceiver
from alerts.notify.email import EmailReceiver
from alerts.notify.feishu import FeishuReceiver
from alerts.notify.registry import build
from alerts.notify.slack import SlackReceiver
from alerts.notify.webhook import WebhookReceiver
from alerts.notify.wecom import WeComReceiver

SECRET = "super-secret-value-123"
CONFIGS: list[dict[str, Any]] = [
    {
        "type": "dingtalk",
        "name": "ding",
        "url": f"https://d/send?access_token={SECRET}",
        "secret": SECRET,
    },
    {"type": "wecom", "name": "wecom", "url": f"https://w/send?key={SECRET}"},
    {"type": "feishu", "name": "feishu", "url": f"https://f/hook/{SECRET}", "secret": SECRET},
    {
        "type": "email",
        "name": "mail",
        "host": "smtp.example.com",
        "port": 587,
        "starttls": True,
        "username": "duty",
        "password": SECRET,
        "sender": "cxpulse@example.com",
        "to": ["duty@example.com"],
    },
    {"type": "slack", "name": "slack", "url": f"https://hooks/{SECRET}"},
    {"type": "webhook", "name": "hook", "url": f"https://h/?token={SECRET}", "secret": SECRET},
    {"type": "alertmanager", "name": "am", "url": "http://alertmanager:9093"},
]
ADAPTER: TypeAdapter[list[ReceiverConfig]] = TypeAdapter(list[ReceiverConfig])


def test_each_type_builds_its_receiver_with_the_platform_rate_limit() -> None:
    receivers = [build(cfg) for cfg in ADAPTER.validate_python(CONFIGS)]
    assert [(type(r), r.name, r.rate_limit_per_minute) for r in receivers] == [
        (DingTalkReceiver, "ding", 20),
        (WeComReceiver, "wecom", 20),
        (FeishuReceiver, "feishu", 100),
        (EmailReceiver, "mail", None),
        (SlackReceiver, "slack", 60),
        (WebhookReceiver, "hook", None),
        (AlertmanagerReceiver, "am", None),
    ]


def test_the_rate_limit_can_be_set() -> None:
    cfg = ADAPTER.validate_python([{**CONFIGS[0], "rate_limit_per_minute": 5}])[0]
    assert build(cfg).rate_limit_per_minute == 5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "pager"}, "does not match any of the expected tags"),
        ({"colour": "red"}, "Extra inputs are not permitted"),
        ({"name": ""}, "at least 1 character"),
    ],
)
def test_bad_configs_are_refused_with_the_key_named(change: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ADAPTER.validate_python([{**CONFIGS[0], **change}])


def test_email_login_needs_both_halves() -> None:
    half = {k: v for k, v in CONFIGS[3].items() if k != "password"}
    with pytest.raises(ValidationError, match="username and password go together"):
        ADAPTER.validate_python([half])


def test_no_secret_in_any_repr_or_dump() -> None:
    configs = ADAPTER.validate_python(CONFIGS)
    shown = [repr(configs), str(configs), ADAPTER.dump_json(configs).decode()]
    shown += [repr(build(c)) for c in configs]
    for text in shown:
        assert SECRET not in text
