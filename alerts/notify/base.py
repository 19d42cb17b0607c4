"""What every receiver gets and promises: one ``Notification`` in, delivered or an error out.

Like Alertmanager's ``notify`` package, each receiver is one module behind one small interface;
everything around delivery (the outbox, retries with backoff, rate limits and digests,
idempotency keys, routing) lives outside the receivers, in ``alerts``. A receiver only renders
and sends, and says whether a failure is worth retrying.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from schemas.alerts import AlertStatus, Evidence, Severity, Summary

Lang = Literal["zh", "en"]


@dataclass(frozen=True)
class AlertView:
    """One alert as a person should see it (labels already masked where personal)."""

    fingerprint: str
    rule: str
    kind: str  # satisfaction | sla | crisis | word_of_mouth | calls | coaching
    severity: Severity
    status: AlertStatus
    labels: dict[str, str]
    summary: Summary
    starts_at: datetime
    values: dict[str, float] = field(default_factory=dict)
    ends_at: datetime | None = None
    count: int = 1  # times the streams re-raised it (same fingerprint, no new page)
    acked_by: str | None = None
    evidence: Evidence | None = None  # what made it; rendered as one short, masked line


@dataclass(frozen=True)
class Notification:
    """One message for one receiver about one alert group."""

    key: str  # idempotency key: the outbox sends each key once; receivers may pass it on
    receiver: str  # the receiver's configured name
    group_key: str
    group_labels: dict[str, str]  # the group_by labels, e.g. {"store_id": "S003"}
    status: AlertStatus  # firing while any alert of the group fires
    alerts: tuple[AlertView, ...]
    lang: Lang = "zh"
    ack_url: str | None = None  # signed, expiring one-click link
    dashboard_url: str | None = None
    escalation_step: int = 0  # 0 = first page; n = the n-th escalation
    folded: int = 0  # > 0: a digest standing for this many messages held back by a rate limit
    mention: tuple[str, ...] = ()  # who to @: mobile numbers / user ids from the duty roster


class DeliveryError(Exception):
    """The receiver did not take the message. ``retryable`` False means retrying the same
    message cannot help (bad secret, rejected payload): the outbox records it as failed."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class Receiver(Protocol):
    name: str
    # Messages per minute the platform accepts (DingTalk/WeCom/Feishu robots: about 20);
    # None = no limit. The dispatcher folds the overflow into a digest.
    rate_limit_per_minute: int | None

    async def send(self, notification: Notification) -> None:
        """Deliver or raise ``DeliveryError``. Must not log secrets or unmasked personal data."""
        ...
