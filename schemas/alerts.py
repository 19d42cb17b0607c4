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

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

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
    ROLLUP_CSAT_LOW = "rollup_csat_low"
    ROLLUP_CSAT_DROP = "rollup_csat_drop"
    ROLLUP_NEGATIVE_SPIKE = "rollup_negative_spike"


AlertStatus = Literal["firing", "resolved"]


class Summary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    zh: str
    en: str


# Evidence caps: an alert event stays one small Kafka message and one short chat card. The
# excerpt is long enough for a sentence of a review; five events are "the last few" a duty
# manager reads before acting, not a history.
MAX_EVIDENCE_EVENTS = 5
MAX_EXCERPT = 120
MAX_TAGS = 8
MAX_STEPS = 20
MAX_EVIDENCE_BYTES = 4096  # the whole field as JSON, at most


class EvidenceEvent(BaseModel):
    """One triggering event, as a duty manager may see it: never the customer's name, phone or
    id; free text masked and cut to ``MAX_EXCERPT`` characters."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    event_id: str
    kind: str = Field(description="feedback | review | complaint | call")
    occurred_at: AwareDatetime
    rating: int | None = None
    excerpt: Annotated[str, Field(max_length=MAX_EXCERPT)] = Field(
        "", description="masked text, at most 120 characters"
    )
    platform: str | None = Field(None, description="reviews: where it was posted")
    views: int | None = Field(None, description="reviews: its audience (views or followers)")
    tier: str | None = Field(None, description="complaints: the customer's tier")
    tags: Annotated[list[str], Field(max_length=MAX_TAGS)] = Field(
        default_factory=list, description="complaints: the customer's tags (media, lawyer ...)"
    )


class TimelineStep(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    at: AwareDatetime
    action: str


class SlaTimeline(BaseModel):
    """An SLA alert's complaint as its clock saw it."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    complaint_id: str
    policy: str
    tier: str
    category: str | None = None
    opened_at: AwareDatetime | None = None
    steps: Annotated[list[TimelineStep], Field(max_length=MAX_STEPS)] = Field(
        default_factory=list, description="the newest steps, oldest first"
    )
    clock: str | None = None
    deadline: AwareDatetime | None = None
    target_seconds: float | None = None
    calendar: str | None = Field(None, description="the business calendar the clock runs on")


class Evidence(BaseModel):
    """What made the alert, bounded: the last few triggering events (newest first) and, for SLA
    alerts, the complaint's timeline. The figures the rule compared are the alert's
    ``values``. Readers ignore fields they do not know, so the field can grow."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    events: Annotated[list[EvidenceEvent], Field(max_length=MAX_EVIDENCE_EVENTS)] = Field(
        default_factory=list
    )
    timeline: SlaTimeline | None = None

    @model_validator(mode="after")
    def _bounded(self) -> Evidence:
        size = len(self.model_dump_json().encode())
        if size > MAX_EVIDENCE_BYTES:
            raise ValueError(f"evidence is {size} bytes as JSON, over {MAX_EVIDENCE_BYTES}")
        return self


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
    evidence: Evidence | None = Field(
        None, description="what made the alert, bounded (absent on alerts of older workers)"
    )


def fingerprint(rule: str, labels: dict[str, str]) -> str:
    """Stable identity of an alert: the rule plus its identifying labels, order-free."""
    canon = rule + "\x1f" + "\x1f".join(f"{k}={labels[k]}" for k in sorted(labels))
    return hashlib.sha256(canon.encode()).hexdigest()[:16]
