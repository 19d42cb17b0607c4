"""Outbound alert events, as the stream processors publish them on the alerts topic.

An alert event is a state change of one alert: ``firing`` or ``resolved``. The same condition at
the same entity always has the same ``fingerprint`` (rule + identifying labels), so the alert
lifecycle can dedupe; ``alert_event_id`` identifies this one change, so a re-sent event (replay,
restart) is recognised and never notifies twice.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Severity = Literal["info", "warning", "critical"]


class RuleName(StrEnum):
    """Every rule the stream raises alerts for (``streams/core/rules/``, one module each).

    Producers use these names. The wire field ``AlertEvent.rule`` stays a string, so an alerts
    service older than a worker still takes a rule it has not heard of."""

    CSAT_LOW = "csat_low"
    CSAT_DROP = "csat_drop"
    NEGATIVE_REACH_HIGH = "negative_reach_high"
    NEGATIVE_REACH_JUMP = "negative_reach_jump"
    NEGATIVE_SPIKE = "negative_spike"
    CRISIS = "crisis"
    TABOO_PHRASE = "taboo_phrase"
    CALL_ABANDONMENT_HIGH = "call_abandonment_high"
    CALL_SERVICE_LEVEL_LOW = "call_service_level_low"
    SLA_WARNING = "sla_warning"
    SLA_BREACH = "sla_breach"
    SPECIAL_CUSTOMER_COMPLAINT = "special_customer_complaint"


AlertStatus = Literal["firing", "resolved"]


class Summary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    zh: str
    en: str


class AlertEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    alert_event_id: str = Field(description="fingerprint:status:starts_at; unique per change")
    fingerprint: Annotated[str, Field(pattern=r"^[0-9a-f]{16}$")]
    status: AlertStatus
    rule: str = Field(description="a RuleName, e.g. 'csat_low'")
    kind: str = Field(description="satisfaction | sla | crisis | word_of_mouth | calls | coaching")
    severity: Severity
    labels: dict[str, str] = Field(description="entity labels: store_id, brand, region, city ...")
    summary: Summary
    values: dict[str, float] = Field(default_factory=dict)
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None
    observed_at: AwareDatetime = Field(description="event time at which this change was seen")
    source_event_id: str | None = Field(None, description="the event that caused the change")


def fingerprint(rule: str, labels: dict[str, str]) -> str:
    """Stable identity of an alert: the rule plus its identifying labels, order-free."""
    canon = rule + "\x1f" + "\x1f".join(f"{k}={labels[k]}" for k in sorted(labels))
    return hashlib.sha256(canon.encode()).hexdigest()[:16]
