"""Per-complaint SLA processing: event or clock tick in, new state and outputs out.

Pure: the caller supplies `now` (event time in a replay; in the worker the partition's event
clock, or the wall clock once the partition is caught up). What has been emitted is remembered
per (clock, cycle, transition, occurrence), so re-evaluating after a restart, a duplicate or a
late event never emits the same change twice — and every output carries a deterministic id.
"""

from __future__ import annotations

import hashlib
import sys
from array import array
from bisect import insort
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from schemas.alerts import MAX_STEPS, AlertEvent, Evidence, SlaTimeline, TimelineStep
from schemas.events import Complaint, event_time
from schemas.sla import SlaEvent
from streams.core import alerting
from streams.core.calendar import BusinessCalendar, calendar_24x7
from streams.core.rules import sla_breach, sla_warning, special_customer_complaint
from streams.core.rules.base import Rule
from streams.core.sla.policy import Policy, SlaConfig
from streams.core.sla.timeline import ACTION_ORDER, Change, compute

MAX_LOG = 500  # a complaint with more steps than this is a loop upstream; keep the newest


def _h(text: str) -> int:
    # 32 bits: only compared within one complaint's few dozen entries, and an unsigned-int
    # array holds them in 4 bytes each (a Python int in a list costs 36).
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "big")


class Engine:
    """Holds the configured policies and calendars (built once; calendars cache their years)."""

    def __init__(self, cfg: SlaConfig, on_uncovered: Any = None) -> None:
        self.cfg = cfg
        self.calendars: dict[str, BusinessCalendar] = {
            name: BusinessCalendar(name, c, on_uncovered) for name, c in cfg.calendars.items()
        }
        self.wall = calendar_24x7("calendar-time")
        self.policies = {p.name: p for p in cfg.policies}


@dataclass(slots=True)
class ComplaintState:
    store_id: str
    complaint_id: str
    policy: str
    tier: str
    category: str | None = None
    log: list[tuple[float, str]] = field(default_factory=list)
    seen: array[int] = field(default_factory=lambda: array("I"))  # hashes of applied event ids
    emitted: array[int] = field(default_factory=lambda: array("I"))  # hashes of emitted changes
    next_due: float | None = None
    status: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "store_id": self.store_id,
            "complaint_id": self.complaint_id,
            "policy": self.policy,
            "tier": self.tier,
            "category": self.category,
            "log": self.log,
            "seen": self.seen.tolist(),
            "emitted": self.emitted.tolist(),
            "next_due": self.next_due,
            "status": self.status,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ComplaintState:
        return cls(
            d["store_id"],
            d["complaint_id"],
            d["policy"],
            sys.intern(d["tier"]),
            d["category"],
            [(float(t), sys.intern(str(a))) for t, a in d["log"]],
            array("I", d["seen"]),
            array("I", d["emitted"]),
            d["next_due"],
            d["status"],
        )


@dataclass(frozen=True)
class Result:
    state: ComplaintState
    outcome: Literal["applied", "duplicate", "evaluated"]
    sla_events: tuple[SlaEvent, ...] = ()
    alerts: tuple[AlertEvent, ...] = ()


def complaint_key(store_id: str, complaint_id: str) -> str:
    return f"{store_id}|{complaint_id}"


def on_event(engine: Engine, state: ComplaintState | None, event: Complaint, now: float) -> Result:
    policy = engine.cfg.select(event)
    if state is None:
        state = ComplaintState(
            event.store_id,
            event.complaint_id,
            policy.name,
            sys.intern(event.customer.tier),
            event.category,
        )
    elif event.action == "opened":  # the opening event decides the policy, even if late
        state.policy, state.tier = policy.name, event.customer.tier
        state.category = event.category or state.category
    eid = _h(event.event_id)
    if eid in state.seen:
        return Result(state, "duplicate")
    state.seen.append(eid)
    insort(
        state.log,
        (event_time(event), sys.intern(event.action)),
        key=lambda x: (x[0], ACTION_ORDER[x[1]]),
    )
    if len(state.log) > MAX_LOG:
        del state.log[1 : len(state.log) - MAX_LOG + 1]
    return _evaluate(engine, state, max(now, event_time(event)), "applied")


def forget_at(engine: Engine, state: ComplaintState) -> float | None:
    """When a closed complaint with nothing left to time may be dropped (None: keep it)."""
    if state.status != "closed" or state.next_due is not None or not state.log:
        return None
    return state.log[-1][0] + engine.cfg.closed_retention


def on_due(engine: Engine, state: ComplaintState, now: float) -> Result:
    return _evaluate(engine, state, now, "evaluated")


def _evaluate(engine: Engine, state: ComplaintState, now: float, outcome: Any) -> Result:
    policy = engine.policies.get(state.policy) or engine.cfg.policies[-1]
    tl = compute(state.log, policy, engine.calendars, engine.wall, until=now)
    state.next_due, state.status = tl.next_due, tl.status
    fresh: list[Change] = []
    occurrences: dict[tuple[str, int, str], int] = {}
    for ch in tl.changes:
        k = (ch.clock, ch.cycle, ch.kind)
        occurrences[k] = occurrences.get(k, 0) + 1
        h = _h(f"{ch.clock}:{ch.cycle}:{ch.kind}:{occurrences[k]}")
        if h not in state.emitted:
            insort(state.emitted, h)
            fresh.append(ch)
    events = tuple(_sla_event(state, policy, ch) for ch in fresh)
    alerts = tuple(a for ch in fresh for a in _alerts(state, policy, ch))
    if policy.escalate:
        alerts += _escalation(state, policy, tl.status)
    return Result(state, outcome, events, alerts)


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _sla_event(state: ComplaintState, policy: Policy, ch: Change) -> SlaEvent:
    return SlaEvent(
        sla_event_id=f"{state.store_id}:{state.complaint_id}:{ch.clock}:{ch.cycle}:{ch.kind}:"
        f"{int(ch.at)}",
        complaint_id=state.complaint_id,
        store_id=state.store_id,
        clock=ch.clock,
        cycle=ch.cycle,
        transition=ch.kind,
        at=_dt(ch.at),
        deadline=_dt(ch.deadline) if ch.deadline is not None else None,
        target_seconds=ch.target,
        business_time=ch.business,
        calendar=ch.calendar,
        policy=policy.name,
        customer_tier=state.tier,
        elapsed_seconds=round(ch.elapsed, 3),
        late_by_seconds=round(ch.late_by, 3),
    )


def _alert(
    state: ComplaintState,
    policy: Policy,
    rule: Rule,
    labels: dict[str, str],
    firing: bool,
    since: float,
    at: float,
    facts: dict[str, Any],
    values: dict[str, float],
    ch: Change | None = None,
) -> AlertEvent:
    text = rule.summary(firing, facts)
    return alerting.make(
        rule=rule.name,
        kind=rule.kind,
        severity=rule.severity,
        status="firing" if firing else "resolved",
        identity=labels,
        since=since,
        now=at,
        zh=text.zh,
        en=text.en,
        labels={"customer_tier": state.tier, "policy": state.policy},
        values=values,
        evidence=Evidence(timeline=timeline(state, policy, ch, at)),
    )


def timeline(state: ComplaintState, policy: Policy, ch: Change | None, at: float) -> SlaTimeline:
    """The complaint as its clock saw it at ``at``: the evidence of its SLA alerts. Steps after
    ``at`` are left out: a deadline handled late (the worker catching up) may already hold
    later steps in its log, and the alert must read the same as in a time-ordered replay."""
    log = [(t, a) for t, a in state.log if t <= at]
    opened = next((t for t, a in log if a == "opened"), None)
    return SlaTimeline(
        complaint_id=state.complaint_id,
        policy=state.policy,
        tier=state.tier,
        category=state.category,
        opened_at=None if opened is None else _dt(opened),
        steps=[TimelineStep(at=_dt(t), action=a) for t, a in log[-MAX_STEPS:]],
        clock=None if ch is None else ch.clock,
        deadline=None if ch is None or ch.deadline is None else _dt(ch.deadline),
        target_seconds=None if ch is None else ch.target,
        calendar=policy.calendar if ch is None else ch.calendar,
    )


def _facts(state: ComplaintState, policy: Policy, ch: Change | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "complaint_id": state.complaint_id,
        "store_id": state.store_id,
        "tier": state.tier,
        "special": policy.escalate,  # the policy for special customers escalates at once
    }
    if ch is not None:
        out |= {
            "clock": ch.clock,
            "target": ch.target,
            "left": ch.target - ch.elapsed,
            "late_by": ch.late_by,
            "breached": ch.kind == "breached",
        }
    return out


def _alerts(state: ComplaintState, policy: Policy, ch: Change) -> list[AlertEvent]:
    """Warned → a warning alert; breached → the warning resolves and a critical alert fires;
    fulfilled/cancelled → whatever fired for this clock cycle resolves."""
    labels = {
        "store_id": state.store_id,
        "complaint_id": state.complaint_id,
        "clock": ch.clock,
        "cycle": str(ch.cycle),
    }
    values = {"target_seconds": ch.target, "elapsed_seconds": round(ch.elapsed, 3)}
    warn_since = ch.deadline - policy.warn_seconds(ch.target) if ch.deadline else ch.at
    facts = _facts(state, policy, ch)
    out: list[AlertEvent] = []

    def warning_resolved() -> AlertEvent:
        return _alert(
            state, policy, sla_warning.RULE, labels, False, warn_since, ch.at, facts, values, ch
        )

    if ch.kind == "warned":
        out.append(
            _alert(state, policy, sla_warning.RULE, labels, True, ch.at, ch.at, facts, values, ch)
        )
    elif ch.kind == "breached":
        if _was_emitted(state, ch, "warned"):
            out.append(warning_resolved())
        out.append(
            _alert(state, policy, sla_breach.RULE, labels, True, ch.at, ch.at, facts, values, ch)
        )
    elif ch.kind in ("fulfilled", "cancelled"):
        if ch.late_by or _was_emitted(state, ch, "breached"):
            since = ch.deadline if ch.deadline is not None else ch.at
            late = {**values, "late_by": ch.late_by}
            out.append(
                _alert(state, policy, sla_breach.RULE, labels, False, since, ch.at, facts, late, ch)
            )
        elif _was_emitted(state, ch, "warned"):
            out.append(warning_resolved())
    return out


def _was_emitted(state: ComplaintState, ch: Change, kind: str) -> bool:
    return _h(f"{ch.clock}:{ch.cycle}:{kind}:1") in state.emitted


def _escalation(
    state: ComplaintState, policy: Policy, status: str | None
) -> tuple[AlertEvent, ...]:
    """Special customers: one critical alert from the opening until the complaint is resolved."""
    opened = next((t for t, a in state.log if a == "opened"), None)
    if opened is None:
        return ()
    labels = {"store_id": state.store_id, "complaint_id": state.complaint_id}
    done = status in ("resolved", "closed")
    key = _h("escalation:resolved" if done else "escalation:firing")
    if key in state.emitted:
        return ()
    if done and _h("escalation:firing") not in state.emitted:
        return ()
    insort(state.emitted, key)
    at = state.log[-1][0] if done else opened
    rule = special_customer_complaint.RULE
    return (_alert(state, policy, rule, labels, not done, opened, at, _facts(state, policy), {}),)
