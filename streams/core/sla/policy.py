"""SLA policies: which targets a complaint gets. An ordered list; the first match wins.

The defaults follow the seeds (docs/domain.md): respond fast (快速响应), keep the customer
informed (跟踪与反馈), resolve, and follow up (回访); serve VIP and gold customers first
(分级对待: 20% of customers bring 80% of the business); and treat "special customers" (media,
government, lawyer) as a crisis in the making — escalate at once, around the clock.
The target durations themselves are product defaults, not domain figures: set your own.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from schemas.events import Complaint
from schemas.sla import CLOCKS, ClockName
from streams.core.calendar import CalendarConfig

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(v: Any) -> Any:
    """'90m', '4h', '1h30m', '2d' or a number of seconds."""
    if isinstance(v, str):
        parts = re.fullmatch(r"\s*((\d+(?:\.\d+)?)\s*([smhd])\s*)+", v)
        if not parts:
            raise ValueError(f"{v!r} is not a duration like '30m', '4h', '1h30m' or '2d'")
        return sum(float(n) * _UNITS[u] for n, u in re.findall(r"(\d+(?:\.\d+)?)\s*([smhd])", v))
    return v


Duration = Annotated[float, BeforeValidator(parse_duration), Field(gt=0)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Match(_Model):
    """Every given field must match; an empty list matches anything."""

    tiers: list[str] = []
    priorities: list[str] = []
    channels: list[str] = []
    categories: list[str] = []
    tags: list[str] = Field(default_factory=list, description="any of these customer tags")
    stores: list[str] = []
    regions: list[str] = []

    def matches(self, c: Complaint) -> bool:
        def ok(allowed: list[str], value: str | None) -> bool:
            return not allowed or value in allowed

        return (
            ok(self.tiers, c.customer.tier)
            and ok(self.priorities, c.priority)
            and ok(self.channels, c.channel)
            and ok(self.categories, c.category)
            and ok(self.stores, c.store_id)
            and ok(self.regions, c.region)
            and (not self.tags or bool(set(self.tags) & set(c.customer.tags)))
        )


class Targets(_Model):
    """Per clock: a duration, or null for a clock this policy does not run."""

    first_response: Duration | None = None
    next_response: Duration | None = None
    periodic_update: Duration | None = None
    resolution: Duration | None = None
    follow_up: Duration | None = None

    def of(self, clock: ClockName) -> float | None:
        value: float | None = getattr(self, clock)
        return value


class Policy(_Model):
    name: str
    match: Match = Match()
    targets: Targets
    calendar: str = "office"
    # Clocks counted in plain calendar time whatever the calendar (a promise to call back
    # "within 3 days" means 3 days).
    calendar_time_clocks: list[ClockName] = ["follow_up"]
    # Complaint states in which the clocks stop, e.g. waiting on the customer.
    pause_states: list[str] = ["pending"]
    # Warn this long before a deadline: seconds/'30m', or a share of the target like '20%'.
    warn_before: str | float = "20%"
    # Special customers: raise a critical alert the moment the complaint opens.
    escalate: bool = False

    @model_validator(mode="after")
    def _check(self) -> Policy:
        if isinstance(self.warn_before, str) and not self.warn_before.endswith("%"):
            parse_duration(self.warn_before)
        if isinstance(self.warn_before, str) and self.warn_before.endswith("%"):
            pct = float(self.warn_before[:-1])
            if not 0 <= pct < 100:
                raise ValueError(f"warn_before {self.warn_before!r} must be between 0% and 100%")
        return self

    def warn_seconds(self, target: float) -> float:
        w = self.warn_before
        if isinstance(w, str) and w.endswith("%"):
            return target * float(w[:-1]) / 100
        return float(parse_duration(w))


DEFAULT_CALENDARS: dict[str, CalendarConfig] = {
    # The complaint desk: office hours with a lunch break, China's holidays and make-up days.
    "office": CalendarConfig(weekly={"mon-fri": ["09:00-12:00", "13:30-18:00"]}),
    "24x7": CalendarConfig(weekly="24x7", holidays="none"),
}

DEFAULT_POLICIES: list[Policy] = [
    Policy(
        name="special-customer",  # domain.md: special customers turn complaints into crises
        match=Match(tags=["media", "government", "lawyer"]),
        targets=Targets(
            first_response=1800,
            next_response=3600,
            periodic_update=4 * 3600,
            resolution=86400,
            follow_up=86400,
        ),
        calendar="24x7",
        escalate=True,
    ),
    Policy(
        name="vip",  # domain.md: tiered treatment, VIPs first
        match=Match(tiers=["vip"]),
        targets=Targets(
            first_response=3600,
            next_response=2 * 3600,
            periodic_update=8 * 3600,
            resolution=16 * 3600,
            follow_up=2 * 86400,
        ),
    ),
    Policy(
        name="gold",
        match=Match(tiers=["gold"]),
        targets=Targets(
            first_response=2 * 3600,
            next_response=4 * 3600,
            periodic_update=16 * 3600,
            resolution=24 * 3600,
            follow_up=3 * 86400,
        ),
    ),
    Policy(
        name="standard",
        targets=Targets(
            first_response=4 * 3600,
            next_response=8 * 3600,
            periodic_update=24 * 3600,
            resolution=40 * 3600,
            follow_up=3 * 86400,
        ),
    ),
]


class SlaConfig(_Model):
    calendars: dict[str, CalendarConfig] = DEFAULT_CALENDARS
    policies: list[Policy] = DEFAULT_POLICIES
    # A closed complaint is forgotten this long after its last event (product default): without
    # it the worker's memory grew with every complaint ever received. A complaint reopened
    # later than this starts a new record (its SLA clocks start from the reopening).
    closed_retention: Duration = 30 * 86400.0

    @model_validator(mode="after")
    def _check(self) -> SlaConfig:
        if not self.policies:
            raise ValueError("sla.policies: at least one policy is needed")
        for p in self.policies:
            if p.calendar not in self.calendars:
                raise ValueError(
                    f"sla policy {p.name!r} uses calendar {p.calendar!r}, which is not defined "
                    f"(known: {', '.join(self.calendars)})"
                )
        if any(p.match != Match() for p in self.policies[-1:]):
            raise ValueError("sla.policies: the last policy must match everything (empty match)")
        return self

    def select(self, c: Complaint) -> Policy:
        return next(p for p in self.policies if p.match.matches(c))


__all__ = ["CLOCKS", "DEFAULT_POLICIES", "Match", "Policy", "SlaConfig", "Targets"]
