"""Inbound events: the contract upstream systems publish to Kafka.

Every event shares one envelope; ``event_type`` selects the kind. Validation is strict on
purpose: a typo'd field, a rating of 6 or a naive timestamp is an error the producer hears about
(through the dead-letter topic), not a number that silently skews a store's CSAT.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, model_validator

# Size limits keep one bad producer from costing the worker memory. A 1 MB comment is an error.
MAX_MESSAGE_BYTES = 256 * 1024
Id = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[^\s]+$")]
Label = Annotated[str, Field(min_length=1, max_length=64)]
ShortText = Annotated[str, Field(max_length=4_000)]
LongText = Annotated[str, Field(max_length=20_000)]
# Counts of people are stored in 64-bit counters and summed over days: ten billion is more than
# any platform's audience, and keeps a day of sums far from the counters' range.
Audience = Annotated[int, Field(ge=0, le=10_000_000_000)]
# Outside these years a timestamp is a broken clock, not an event: calendar arithmetic on year 1
# or 9999 fails, and no business calendar covers them.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _sane(ts: datetime, name: str) -> None:
    if not EARLIEST <= ts < LATEST:
        raise ValueError(f"{name} {ts.isoformat()} is outside 2000-01-01 .. 2100-01-01")


Tier = Literal["regular", "silver", "gold", "vip"]
EventType = Literal["feedback", "call", "review", "complaint"]
ComplaintAction = Literal[
    "opened",
    "agent_replied",
    "customer_replied",
    "pending",
    "resumed",
    "escalated",
    "resolved",
    "reopened",
    "follow_up_done",
    "closed",
]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Customer(_Strict):
    """Who the event is about. ``tags`` marks the seeds' "special customers" (media,
    government, lawyer ...) whose complaints turn into crises more easily."""

    id: Id | None = None
    tier: Tier = "regular"
    tags: Annotated[list[Label], Field(max_length=16)] = []


class Envelope(_Strict):
    event_id: Id = Field(description="Unique per event; a re-sent event keeps its id.")
    occurred_at: AwareDatetime = Field(
        description="When it happened, RFC 3339 with an offset. Drives every window and clock."
    )
    source: Label = Field(description="The publishing system, e.g. 'survey-tool'.")
    store_id: Id = Field(description="Also the Kafka message key.")
    brand: Label | None = None
    region: Label | None = None
    city: Label | None = None
    channel: Label | None = None
    customer: Customer = Customer()

    @model_validator(mode="after")
    def _sane_time(self) -> Envelope:
        _sane(self.occurred_at, "occurred_at")
        return self


class Feedback(Envelope):
    """A survey answer: 1 非常不满意 … 5 非常满意."""

    event_type: Literal["feedback"]
    rating: Annotated[int, Field(ge=1, le=5)]
    nps: Annotated[int, Field(ge=0, le=10)] | None = None
    ces: Annotated[int, Field(ge=1, le=7)] | None = None
    expectation: Annotated[int, Field(ge=1, le=5)] | None = None
    comment: ShortText | None = None


class Utterance(_Strict):
    speaker: Literal["agent", "customer"]
    text: ShortText


class Call(Envelope):
    """One call-centre contact, published when it ends."""

    event_type: Literal["call"]
    call_id: Id
    queued_at: AwareDatetime
    answered_at: AwareDatetime | None = Field(None, description="null when abandoned")
    ended_at: AwareDatetime
    talk_seconds: Annotated[float, Field(ge=0, le=86_400)] = 0
    hold_seconds: Annotated[float, Field(ge=0, le=86_400)] = 0
    wrap_seconds: Annotated[float, Field(ge=0, le=86_400)] = 0
    transfers: Annotated[int, Field(ge=0, le=100)] = 0
    resolved: bool | None = None
    agent_id: Id | None = None
    transcript: Annotated[list[Utterance], Field(max_length=1_000)] = []

    @model_validator(mode="after")
    def _ordered(self) -> Call:
        for name in ("queued_at", "ended_at", "answered_at"):
            ts = getattr(self, name)
            if ts is not None:
                _sane(ts, name)
        if self.ended_at < self.queued_at:
            raise ValueError("ended_at is before queued_at")
        if self.answered_at is not None and not (
            self.queued_at <= self.answered_at <= self.ended_at
        ):
            raise ValueError("answered_at must lie between queued_at and ended_at")
        return self


class Review(Envelope):
    """A public review or post (Dianping, Meituan, Weibo, app stores ...)."""

    event_type: Literal["review"]
    platform: Label
    rating: Annotated[int, Field(ge=1, le=5)] | None = None
    text: LongText = ""
    author_followers: Audience = 0
    views: Audience = 0
    url: Annotated[str, Field(max_length=2_048)] | None = None


class Complaint(Envelope):
    """One step in a complaint's life; all steps of a complaint share ``complaint_id``."""

    event_type: Literal["complaint"]
    complaint_id: Id
    action: ComplaintAction
    priority: Literal["low", "normal", "high", "urgent"] = "normal"
    category: Label | None = None
    text: ShortText | None = None


Event = Annotated[Feedback | Call | Review | Complaint, Field(discriminator="event_type")]
EVENT_ADAPTER: TypeAdapter[Feedback | Call | Review | Complaint] = TypeAdapter(Event)
EVENT_MODELS: dict[str, type[Envelope]] = {
    "feedback": Feedback,
    "call": Call,
    "review": Review,
    "complaint": Complaint,
}


# The last ``occurred_at`` converted, with its epoch seconds. One event's time is asked for by
# the step, its checkpoint, the processor, the call counters and the rollup contribution in
# turn, and converting an aware datetime is the costly part; a datetime is immutable, so the
# same object always gives the same seconds. One tuple, read and replaced whole, so a reader
# never pairs one time with another's seconds.
_last: tuple[datetime | None, float] = (None, 0.0)


def event_time(event: Envelope) -> float:
    """Event time as epoch seconds: the only clock windows and SLAs use."""
    global _last
    at = event.occurred_at
    seen, seconds = _last
    if seen is at:
        return seconds
    seconds = at.timestamp()
    _last = (at, seconds)
    return seconds


def as_utc_iso(ts: float) -> str:
    from datetime import UTC

    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")
