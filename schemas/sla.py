"""SLA clock events: every state change of a complaint's clock, on its own topic.

Modelled on Zendesk's SLA event model, so a ticketing system or a report can follow each clock's
life: ``activated`` → (``paused`` ↔ ``resumed``)* → ``warned``? → ``breached``? → ``fulfilled``
(or ``cancelled`` when the clock no longer applies, e.g. the complaint was resolved while an
update was due). Times are the moments the change *happened* in event time — a breach is stamped
with its deadline, not with the moment a worker noticed it — so a replay and a live worker
produce identical events.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

ClockName = Literal["first_response", "next_response", "periodic_update", "resolution", "follow_up"]
Transition = Literal[
    "activated", "paused", "resumed", "warned", "breached", "fulfilled", "cancelled"
]
CLOCKS: tuple[ClockName, ...] = (
    "first_response",
    "next_response",
    "periodic_update",
    "resolution",
    "follow_up",
)


class SlaEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sla_event_id: str = Field(description="store:complaint:clock:cycle:transition; unique")
    complaint_id: str
    store_id: str
    clock: ClockName
    cycle: int = Field(description="0 for the first run of a clock; +1 each time it restarts")
    transition: Transition
    at: AwareDatetime = Field(description="when it happened (a breach: its deadline)")
    deadline: AwareDatetime | None = Field(None, description="when the target is/was due")
    target_seconds: float
    business_time: bool = Field(description="counted in the calendar's working hours")
    calendar: str
    policy: str
    customer_tier: str
    elapsed_seconds: float = Field(description="clock time used so far (pauses excluded)")
    late_by_seconds: float = Field(0.0, description="how far past the deadline, when breached")
