"""Receivers: one module per platform behind ``base.Receiver``; ``build`` makes one from its
config. The config is a union discriminated by ``type``, so a YAML list of receivers parses
with one ``TypeAdapter(list[ReceiverConfig])`` and an unknown type names the allowed ones."""

from __future__ import annotations

from typing import Annotated, Protocol

from pydantic import Field

from alerts.notify.alertmanager import AlertmanagerConfig, AlertmanagerReceiver
from alerts.notify.base import DeliveryError, Notification, Receiver
from alerts.notify.dingtalk import DingTalkConfig, DingTalkReceiver
from alerts.notify.email import EmailConfig, EmailReceiver
from alerts.notify.feishu import FeishuConfig, FeishuReceiver
from alerts.notify.kafka import KafkaReceiver, KafkaReceiverConfig
from alerts.notify.slack import SlackConfig, SlackReceiver
from alerts.notify.webhook import WebhookConfig, WebhookReceiver
from alerts.notify.wecom import WeComConfig, WeComReceiver

ReceiverConfig = Annotated[
    DingTalkConfig
    | WeComConfig
    | FeishuConfig
    | EmailConfig
    | SlackConfig
    | WebhookConfig
    | AlertmanagerConfig
    | KafkaReceiverConfig,
    Field(discriminator="type"),
]


class ClosableReceiver(Receiver, Protocol):
    async def close(self) -> None:
        """Release connections (the HTTP session); a later send opens new ones."""
        ...


def build(cfg: ReceiverConfig) -> ClosableReceiver:
    match cfg:
        case DingTalkConfig():
            return DingTalkReceiver(cfg)
        case WeComConfig():
            return WeComReceiver(cfg)
        case FeishuConfig():
            return FeishuReceiver(cfg)
        case EmailConfig():
            return EmailReceiver(cfg)
        case SlackConfig():
            return SlackReceiver(cfg)
        case WebhookConfig():
            return WebhookReceiver(cfg)
        case AlertmanagerConfig():
            return AlertmanagerReceiver(cfg)
        case KafkaReceiverConfig():
            return KafkaReceiver(cfg)


__all__ = [
    "ClosableReceiver",
    "DeliveryError",
    "Notification",
    "Receiver",
    "ReceiverConfig",
    "build",
]
