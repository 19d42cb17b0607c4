"""Every receiver, registered by the type of its config: ``build`` makes the receiver a
``configs.ReceiverConfig`` describes. Only the service's composition root imports this (it pulls
in aiohttp and aiokafka)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from alerts.notify.alertmanager import AlertmanagerReceiver
from alerts.notify.base import Receiver
from alerts.notify.configs import (
    AlertmanagerConfig,
    DingTalkConfig,
    EmailConfig,
    FeishuConfig,
    KafkaReceiverConfig,
    ReceiverConfig,
    SlackConfig,
    WebhookConfig,
    WeComConfig,
)
from alerts.notify.dingtalk import DingTalkReceiver
from alerts.notify.email import EmailReceiver
from alerts.notify.feishu import FeishuReceiver
from alerts.notify.kafka import KafkaReceiver
from alerts.notify.slack import SlackReceiver
from alerts.notify.webhook import WebhookReceiver
from alerts.notify.wecom import WeComReceiver


class ClosableReceiver(Receiver, Protocol):
    async def close(self) -> None:
        """Release connections (the HTTP session); a later send opens new ones."""
        ...


# A new platform: its config in ``configs`` (and in the union), its module here, one line below.
RECEIVERS: dict[type[Any], Callable[[Any], ClosableReceiver]] = {
    DingTalkConfig: DingTalkReceiver,
    WeComConfig: WeComReceiver,
    FeishuConfig: FeishuReceiver,
    EmailConfig: EmailReceiver,
    SlackConfig: SlackReceiver,
    WebhookConfig: WebhookReceiver,
    AlertmanagerConfig: AlertmanagerReceiver,
    KafkaReceiverConfig: KafkaReceiver,
}


def build(cfg: ReceiverConfig) -> ClosableReceiver:
    return RECEIVERS[type(cfg)](cfg)
