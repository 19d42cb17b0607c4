"""Every receiver's configuration, and the union the ``alerts.receivers`` list parses with.

Plain pydantic, no network: the lifecycle's config (``alerts.lifecycle.config``) holds these to
check the names a route refers to, and must stay importable without aiohttp or aiokafka. The
receivers themselves (one module per platform) are built from them by ``alerts.notify.registry``.
The union is discriminated by ``type``, so an unknown type names the allowed ones.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator


class ReceiverConfigBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    # Subclasses set the platform's documented limit as the default; None = unlimited.
    rate_limit_per_minute: int | None = Field(None, ge=1)
    timezone: str = "Asia/Shanghai"  # the stores' zone for "since when" (a label may override)


class HttpReceiverConfig(ReceiverConfigBase):
    timeout_seconds: float = Field(10.0, gt=0)
    # Explicit rather than trust_env: a stray HTTP_PROXY must not reroute an alert silently.
    # A secret, since proxy URLs often carry a login.
    proxy: SecretStr | None = None


class DingTalkConfig(HttpReceiverConfig):
    type: Literal["dingtalk"]
    url: SecretStr  # https://oapi.dingtalk.com/robot/send?access_token=... (the token is a secret)
    secret: SecretStr | None = None  # the SEC... secret of 加签; None = keyword or IP security
    # DingTalk's custom-robot doc: 每个机器人每分钟最多发送20条 (20 messages/min per robot).
    rate_limit_per_minute: int | None = Field(20, ge=1)
    # Undocumented size limit; a cap keeps an outsized group from being refused whole.
    max_bytes: int = Field(20_000, ge=1000)
    # An ActionCard with the links as buttons; a message that must @-mention someone (which
    # ActionCards cannot) stays markdown, and so does everything with cards off.
    cards: bool = True


class WeComConfig(HttpReceiverConfig):
    type: Literal["wecom"]
    url: SecretStr  # https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=... (the key is secret)
    # WeCom's group-robot doc: 每个机器人发送的消息不能超过20条/分钟.
    rate_limit_per_minute: int | None = Field(20, ge=1)
    # A template card (text_notice) with the links as buttons; a message that must @-mention
    # someone (which cards cannot) stays markdown, and so does everything with cards off.
    cards: bool = True


class FeishuConfig(HttpReceiverConfig):
    type: Literal["feishu"]
    url: SecretStr  # https://open.feishu.cn/open-apis/bot/v2/hook/<token>
    secret: SecretStr | None = None
    # Feishu's custom-bot doc: 单租户单机器人 100 次/分钟，5 次/秒 (per bot: 100/min, 5/s).
    rate_limit_per_minute: int | None = Field(100, ge=1)


class EmailConfig(ReceiverConfigBase):
    type: Literal["email"]
    host: str
    port: int = Field(25, ge=1, le=65535)
    starttls: bool = False
    tls_ca_file: str | None = None  # the relay's private CA, if it has one
    username: str | None = None
    password: SecretStr | None = None
    sender: str  # the From address
    to: list[str] = Field(min_length=1)
    subject_prefix: str = "[cxpulse]"
    timeout_seconds: float = Field(30.0, gt=0)

    @model_validator(mode="after")
    def _login_pair(self) -> EmailConfig:
        if (self.username is None) != (self.password is None):
            raise ValueError("username and password go together")
        return self


class SlackConfig(HttpReceiverConfig):
    type: Literal["slack"]
    url: SecretStr  # https://hooks.slack.com/services/T.../B.../... (the path is the secret)
    # Slack's rate-limit doc: incoming webhooks, 1 message per second per webhook.
    rate_limit_per_minute: int | None = Field(60, ge=1)


class WebhookConfig(HttpReceiverConfig):
    type: Literal["webhook"]
    url: SecretStr  # may carry a token, like Alertmanager's webhook url (a <secret> there too)
    secret: SecretStr | None = None  # None: no signature header
    format: Literal["cxpulse", "alertmanager"] = "cxpulse"
    external_url: str | None = None  # externalURL of the alertmanager format (else dashboard)


class AlertmanagerConfig(HttpReceiverConfig):
    type: Literal["alertmanager"]
    url: str  # the Alertmanager's base URL, e.g. http://alertmanager:9093


class KafkaReceiverConfig(ReceiverConfigBase):
    type: Literal["kafka"]
    bootstrap: str = "127.0.0.1:19092"
    topic: str = "cx.notifications"


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
