"""The ``alerts:`` section of the config file: receivers, the route tree, inhibit rules,
escalation chains, the duty roster and the acknowledgement timeout.

Shaped like Alertmanager's configuration where Alertmanager has the concept (``route``,
``inhibit_rules``, matcher strings), so an operator who knows one can read the other. Every name
that refers to something else (a route's receiver, a route's chain, a step's role, a shift's
calendar) is checked when the file loads, and the error names both ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from alerts.lifecycle import matchers as m
from alerts.notify.base import Lang
from alerts.notify.configs import ReceiverConfig
from streams.core.calendar import TimeZone, parse_weekly
from streams.core.sla.policy import parse_duration

# "30s", "5m", "4h", "1h30m" or seconds; 0 allowed (e.g. group_wait 0 = notify at once).
Duration = Annotated[float, BeforeValidator(parse_duration), Field(ge=0)]
Interval = Annotated[float, BeforeValidator(parse_duration), Field(gt=0)]
NO_CHAIN = "none"  # a route's `escalation: none` switches an inherited chain off


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_matchers(v: list[str]) -> list[str]:
    for text in v:
        m.parse(text)
    return v


class RouteConfig(_Model):
    """One node of the routing tree. Unset fields are inherited from the parent route; the root's
    unset timers take Alertmanager's defaults (30s / 5m / 4h)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    # e.g. ['kind="crisis"', 'region=~"east|north"']; none = every alert
    matchers: list[str] = Field(default_factory=list)
    receiver: str | None = None
    group_by: list[str] | None = None  # ["..."] = every label (no aggregation)
    group_wait: Duration | None = None
    group_interval: Interval | None = None
    repeat_interval: Interval | None = None
    continue_: bool = Field(False, alias="continue")  # keep matching the next siblings
    escalation: str | None = None  # chain name; "none" switches the parent's chain off
    routes: list[RouteConfig] = Field(default_factory=list)

    _matchers_ok = field_validator("matchers")(_check_matchers)

    def walk(self, path: str = "route") -> Iterator[tuple[str, RouteConfig]]:
        yield path, self
        for i, child in enumerate(self.routes):
            yield from child.walk(f"{path}.routes[{i}]")


class InhibitRule(_Model):
    """While an open alert matches ``source_matchers``, alerts matching ``target_matchers`` with
    the same values of the ``equal`` labels do not page (they stay visible, marked inhibited)."""

    # Both required: an empty side would match every alert and mute everything.
    source_matchers: list[str] = Field(min_length=1)
    target_matchers: list[str] = Field(min_length=1)
    equal: list[str] = Field(default_factory=list)

    _source_ok = field_validator("source_matchers")(_check_matchers)
    _target_ok = field_validator("target_matchers")(_check_matchers)


def _rollup_rules() -> list[InhibitRule]:
    """A brand's, region's or city's rollup page explains the same rule's pages below it: its
    lower-level rollups and its stores' own CSAT or spike pages. The rollup names its worst
    stores; one page for the entity, not one per store (a rollup fires only when more than one
    of its parts is bad, so what it inhibits is the same incident)."""
    families = (
        ("rollup_csat_low|rollup_csat_drop", "csat_low|csat_drop"),
        ("rollup_negative_spike", "negative_spike"),
    )
    levels = (
        ("brand", ["brand"]),
        ("region", ["brand", "region"]),
        ("city", ["brand", "region", "city"]),
    )
    out = []
    for rollup, store in families:
        for i, (level, equal) in enumerate(levels):
            below = "|".join(name for name, _ in levels[i + 1 :])
            out.append(
                InhibitRule(
                    source_matchers=[f'alertname=~"{rollup}"', f'level="{level}"'],
                    # Store pages carry no level; lower rollups carry theirs.
                    target_matchers=[
                        f'alertname=~"{rollup}|{store}"',
                        f'level=~"{below}|"' if below else 'level=""',
                    ],
                    equal=equal,
                )
            )
    return out


# domain.md: in a crisis speed matters most and a complaint can be part of it; the store's crisis
# page carries the crisis checklist, so per-complaint SLA pages of that store would only bury it.
# A store's CSAT that fell in the last hours pulls its day down too: the day's comparison is
# the same drop seen later, so while the hours' one fires it does not page again.
DEFAULT_INHIBIT_RULES = [
    InhibitRule(
        source_matchers=['kind="crisis"'], target_matchers=['kind="sla"'], equal=["store_id"]
    ),
    InhibitRule(
        source_matchers=['alertname="csat_drop"', 'comparison="hours_vs_week"'],
        target_matchers=['alertname="csat_drop"', 'comparison="day_vs_week"'],
        equal=["store_id"],
    ),
    *_rollup_rules(),
]


class Step(_Model):
    """One escalation step: after ``wait`` (counted from the previous step, or from the first
    page for step 1), if the alert is still firing and not acknowledged, notify ``receiver``
    (default: the route's receiver) mentioning whoever of ``role`` is on duty for the alert."""

    wait: Duration = 0.0
    receiver: str | None = None
    role: str | None = None

    @model_validator(mode="after")
    def _something(self) -> Step:
        if self.receiver is None and self.role is None:
            raise ValueError("an escalation step needs a receiver, a role or both")
        return self


class Chain(_Model):
    # Who the first, grouped page @-mentions (the step "notify the store's duty manager").
    mention: str | None = None
    steps: list[Step] = Field(default_factory=list)
    repeat: Annotated[int, Field(ge=0, le=100)] = 0  # run the steps again up to N more times

    @model_validator(mode="after")
    def _finite(self) -> Chain:
        if self.repeat and not sum(s.wait for s in self.steps):
            raise ValueError("a repeating chain needs a wait somewhere, or it pages all at once")
        return self


class Scope(_Model):
    """Where a person is responsible; empty lists match every store / region."""

    store_ids: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)


class Person(_Model):
    name: str = Field(min_length=1)
    mobile: str | None = None  # for DingTalk @-mentions: the roster's own number, never masked
    user_id: str | None = None  # for platforms that mention by user id (WeCom, Feishu, Slack)
    role: str = Field(min_length=1)  # duty_manager, area_manager, ...
    scope: Scope = Scope()
    timezone: TimeZone = "Asia/Shanghai"  # of the weekly hours
    # On duty during these local weekly hours ({"mon-fri": ["09:00-18:00"]}), or during a named
    # SLA calendar's business hours (holidays and make-up days included); neither = always.
    weekly: dict[str, list[str]] | None = None
    calendar: str | None = None

    @field_validator("weekly")
    @classmethod
    def _weekly_ok(cls, v: dict[str, list[str]] | None) -> dict[str, list[str]] | None:
        if v is not None:
            parse_weekly(v)
        return v

    @model_validator(mode="after")
    def _one_shift_kind(self) -> Person:
        if self.weekly is not None and self.calendar is not None:
            raise ValueError(f"roster {self.name!r}: give weekly hours or a calendar, not both")
        return self


class AlertsConfig(_Model):
    lang: Lang = "zh"
    # Base of the dashboard and ack links in messages, e.g. https://cx.example.com
    public_url: str | None = None
    # An acknowledgement holds until the alert resolves, but if it is still firing this long
    # after the ack, it re-arms and the chain starts again (product default; 0 = never re-arm).
    ack_timeout: Duration = 1800.0
    # The longest ack-until a person may give: past it the alert re-arms and pages again if
    # still firing (product default, a week: covers a holiday weekend, never "forever").
    ack_max: Annotated[float, BeforeValidator(parse_duration), Field(gt=0)] = 7 * 86400.0
    receivers: list[ReceiverConfig] = Field(default_factory=list)
    route: RouteConfig = RouteConfig(group_by=["store_id"])
    inhibit_rules: list[InhibitRule] = Field(default_factory=lambda: list(DEFAULT_INHIBIT_RULES))
    escalation: dict[str, Chain] = Field(default_factory=dict)
    roster: list[Person] = Field(default_factory=list)
    # Who is mentioned when a role has nobody on duty (a 24x7 desk, say): on a public holiday
    # the office-hours managers are off, and a special customer's complaint must still reach
    # someone. None: such a page mentions nobody (the start-up check warns of those days).
    fallback_role: str | None = None

    @model_validator(mode="after")
    def _references(self) -> AlertsConfig:
        names = [r.name for r in self.receivers]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"alerts.receivers: name {dupes[0]!r} is used twice")
        known = ", ".join(names) or "none configured"
        roles = {p.role for p in self.roster}

        def receiver_ok(name: str | None, where: str) -> None:
            if name is not None and name not in names:
                raise ValueError(f"{where} names receiver {name!r}, which is not defined ({known})")

        def role_ok(role: str | None, where: str) -> None:
            # An empty roster is allowed (mentions are then simply left out).
            if role is not None and self.roster and role not in roles:
                raise ValueError(
                    f"{where} names role {role!r}, which nobody in alerts.roster has "
                    f"(roles: {', '.join(sorted(roles))})"
                )

        if NO_CHAIN in self.escalation:
            raise ValueError(f"alerts.escalation: {NO_CHAIN!r} is reserved (it means no chain)")
        for path, route in self.route.walk("alerts.route"):
            receiver_ok(route.receiver, path)
            chain = route.escalation
            if chain is not None and chain != NO_CHAIN and chain not in self.escalation:
                raise ValueError(
                    f"{path} uses escalation chain {chain!r}, which is not defined "
                    f"(chains: {', '.join(self.escalation) or 'none'})"
                )
        if self.route.matchers:
            raise ValueError("alerts.route: the root route matches every alert; no matchers")
        role_ok(self.fallback_role, "alerts.fallback_role")
        for name, chain_cfg in self.escalation.items():
            role_ok(chain_cfg.mention, f"alerts.escalation.{name}.mention")
            for i, step in enumerate(chain_cfg.steps):
                receiver_ok(step.receiver, f"alerts.escalation.{name}.steps[{i}]")
                role_ok(step.role, f"alerts.escalation.{name}.steps[{i}]")
        return self

    def check_calendars(self, known: Iterable[str]) -> None:
        """Roster shifts may name an SLA calendar (``sla.calendars``); the settings call this
        once both sections are loaded, since a section cannot see its siblings."""
        have = set(known)
        for p in self.roster:
            if p.calendar is not None and p.calendar not in have:
                raise ValueError(
                    f"alerts.roster {p.name!r} uses calendar {p.calendar!r}, which is not "
                    f"defined in sla.calendars ({', '.join(sorted(have)) or 'none'})"
                )
