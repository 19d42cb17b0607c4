"""A complaint's SLA clocks, computed from its event log.

The whole timeline is recomputed from the log sorted by event time, up to `until`. That makes
out-of-order and late events simple and exact: an ``agent_replied`` that arrives before its
``opened`` just sorts after it; a ``customer_replied`` that arrives late lands where it
happened. Complaints have a handful of events, so recomputing costs a few calendar lookups.

Clocks (each run of a clock is a *cycle*):
- first_response: opened → first agent_replied (or resolved);
- next_response: customer_replied (while none is running) → next agent_replied (or resolved);
- periodic_update: opened, and again after each agent_replied → the next agent_replied, while
  the complaint is open; cancelled when it is resolved;
- resolution: opened / reopened → resolved;
- follow_up (回访): resolved → follow_up_done; cancelled by reopened.
While the complaint is in a pause state (``pending``: waiting on the customer) clocks stop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from schemas.sla import CLOCKS, ClockName
from streams.core.calendar import BusinessCalendar
from streams.core.sla.policy import Policy

STATUS_AFTER = {
    "opened": "open",
    "agent_replied": "open",
    "customer_replied": "open",
    "pending": "pending",
    "resumed": "open",
    "escalated": "open",
    "resolved": "resolved",
    "reopened": "open",
    "follow_up_done": "resolved",
    "closed": "closed",
}
# Same-instant events apply in lifecycle order (an 'opened' and its first reply in one second).
ACTION_ORDER = {a: i for i, a in enumerate(STATUS_AFTER)}
KIND_ORDER = {
    k: i
    for i, k in enumerate(
        ["activated", "resumed", "warned", "breached", "paused", "fulfilled", "cancelled"]
    )
}


@dataclass(frozen=True, slots=True)
class Change:
    clock: ClockName
    cycle: int
    kind: str
    at: float
    deadline: float | None
    target: float
    elapsed: float
    late_by: float = 0.0
    business: bool = True
    calendar: str = ""

    def sort_key(self) -> tuple[float, int, int, int]:
        return (self.at, CLOCKS.index(self.clock), self.cycle, KIND_ORDER[self.kind])


@dataclass(slots=True)
class _Run:
    clock: ClockName
    cycle: int
    target: float
    warn: float
    cal: BusinessCalendar
    business: bool
    consumed: float = 0.0  # clock time used before the current stretch
    run_start: float | None = None  # None while paused
    warned: bool = False
    breached: bool = False
    _deadline: float | None = None
    _warn_at: float | None = None

    def start_stretch(self, t: float) -> None:
        self.run_start = t
        left = max(0.0, self.target - self.consumed)
        self._deadline = self.cal.add(t, left)
        self._warn_at = self.cal.add(t, max(0.0, left - self.warn)) if self.warn > 0 else None

    def stop_stretch(self, t: float) -> None:
        assert self.run_start is not None
        self.consumed += self.cal.elapsed(self.run_start, t)
        self.run_start = self._deadline = self._warn_at = None

    def elapsed(self, t: float) -> float:
        running = self.cal.elapsed(self.run_start, t) if self.run_start is not None else 0.0
        return self.consumed + running

    @property
    def deadline(self) -> float | None:
        return self._deadline


@dataclass
class Timeline:
    changes: list[Change] = field(default_factory=list)
    next_due: float | None = None  # the next warn or breach instant after `until`
    status: str | None = None


def compute(
    log: list[tuple[float, str]],
    policy: Policy,
    calendars: dict[str, BusinessCalendar],
    wall: BusinessCalendar,
    until: float,
) -> Timeline:
    """All clock changes up to `until` (inclusive) for a log sorted by (time, action order)."""
    tl = Timeline()
    runs: dict[ClockName, _Run] = {}
    cycles: dict[ClockName, int] = {}
    cal = calendars[policy.calendar]

    def emit(run: _Run, kind: str, at: float, late_by: float = 0.0) -> None:
        tl.changes.append(
            Change(
                run.clock,
                run.cycle,
                kind,
                at,
                run.deadline,
                run.target,
                run.elapsed(at),
                late_by,
                run.business,
                run.cal.name,
            )
        )

    def start(clock: ClockName, at: float) -> None:
        target = policy.targets.of(clock)
        if target is None or clock in runs:
            return
        business = clock not in policy.calendar_time_clocks
        run = _Run(
            clock,
            cycles.get(clock, -1) + 1,
            target,
            policy.warn_seconds(target),
            cal if business else wall,
            business,
        )
        cycles[clock] = run.cycle
        runs[clock] = run
        if tl.status in policy.pause_states:
            emit(run, "activated", at)
            emit(run, "paused", at)
        else:
            run.start_stretch(at)
            emit(run, "activated", at)

    def stop(clock: ClockName, at: float, kind: str = "fulfilled") -> None:
        run = runs.pop(clock, None)
        if run is None:
            return
        late = max(0.0, at - run.deadline) if run.breached and run.deadline else 0.0
        if run.breached and run.deadline is None:  # breached, then paused: late until the pause
            late = max(0.0, run.elapsed(at) - run.target)
        emit(run, kind, at, late)

    def advance(t: float, inclusive: bool) -> None:
        for run in list(runs.values()):
            if run.run_start is None:
                continue
            w, d = run._warn_at, run.deadline
            due_w = w is not None and (w < t or (inclusive and w <= t))
            if not run.warned and due_w and w is not None and (d is None or w < d):
                run.warned = True
                emit(run, "warned", w)
            if not run.breached and d is not None and (d < t or (inclusive and d <= t)):
                run.breached = True
                emit(run, "breached", d)

    for ts, action in log:
        if tl.status is None and action != "opened":
            continue  # nothing runs before the complaint is opened
        if tl.status is not None and action == "opened":
            continue  # a second 'opened' for the same complaint: already open
        advance(ts, inclusive=False)
        old, new = tl.status, STATUS_AFTER[action]
        tl.status = new
        if old in policy.pause_states and new not in policy.pause_states:
            for run in runs.values():
                if run.run_start is None:
                    run.start_stretch(ts)
                    emit(run, "resumed", ts)
        elif new in policy.pause_states and old not in policy.pause_states:
            for run in runs.values():
                if run.run_start is not None:
                    run.stop_stretch(ts)
                    emit(run, "paused", ts)
        _apply(action, ts, start, stop)

    advance(until, inclusive=True)
    tl.changes.sort(key=Change.sort_key)
    pending = [
        x
        for r in runs.values()
        if r.run_start is not None
        for x in (None if r.warned else r._warn_at, None if r.breached else r.deadline)
        if x is not None and x > until
    ]
    tl.next_due = min(pending) if pending else None
    return tl


def _apply(action: str, ts: float, start: object, stop: object) -> None:
    assert callable(start) and callable(stop)
    if action == "opened":
        start("first_response", ts)
        start("periodic_update", ts)
        start("resolution", ts)
    elif action == "agent_replied":
        stop("first_response", ts)
        stop("next_response", ts)
        stop("periodic_update", ts)
        start("periodic_update", ts)
    elif action == "customer_replied":
        start("next_response", ts)
    elif action == "resolved":
        stop("first_response", ts)
        stop("next_response", ts)
        stop("periodic_update", ts, "cancelled")
        stop("resolution", ts)
        start("follow_up", ts)
    elif action == "reopened":
        stop("follow_up", ts, "cancelled")
        start("resolution", ts)
        start("periodic_update", ts)
    elif action == "follow_up_done":
        stop("follow_up", ts)
    elif action == "closed":
        for clock in CLOCKS:
            stop(clock, ts, "cancelled")
