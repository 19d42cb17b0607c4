"""Replay / backtest: the same core over a JSON-lines file, without Kafka.

Events are processed in event-time order (ties broken by event_id), each store's clock driven by
its own events, exactly as the worker does; so the same file gives the same alert events, every
time, and the same as the worker fed that file through ``cxpulse produce``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from cxpulse.config import Settings
from schemas.alerts import AlertEvent
from schemas.deadletter import DeadLetter
from schemas.events import Complaint, Envelope, event_time
from schemas.sla import SlaEvent
from streams.core.decode import Rejection, decode
from streams.core.sla import engine as sla
from streams.core.sla.due import DueQueue
from streams.core.store import StoreState, process
from streams.wiring import signals


@dataclass
class ReplayResult:
    alerts: list[AlertEvent] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    consumed: Counter[str] = field(default_factory=Counter)
    duplicates: Counter[str] = field(default_factory=Counter)
    late: Counter[str] = field(default_factory=Counter)
    stores: dict[str, StoreState] = field(default_factory=dict)
    sla_events: list[SlaEvent] = field(default_factory=list)
    complaints: dict[str, sla.ComplaintState] = field(default_factory=dict)


def read_events(
    lines: Iterable[bytes], result: ReplayResult, source: str = "file"
) -> list[Envelope]:
    """Decode every line; invalid ones become dead letters (offset = line number)."""
    events: list[Envelope] = []
    for lineno, line in enumerate(lines, start=1):
        line = line.strip()
        if not line:
            continue
        decoded = decode(line)
        if isinstance(decoded, Rejection):
            result.dead_letters.append(
                DeadLetter(
                    code=decoded.code,
                    reason=decoded.reason,
                    topic=source,
                    offset=lineno,
                    value=line[:4096].decode("utf-8", errors="replace"),
                )
            )
        else:
            events.append(decoded)
    return events


def replay(
    events: list[Envelope],
    settings: Settings,
    result: ReplayResult | None = None,
    progress: Callable[[int], None] | None = None,
    until: float | None = None,
) -> ReplayResult:
    """Process `events` in event-time order. SLA deadlines fire at their own instants, between
    the events, up to `until` (default: the last event's time)."""
    result = result or ReplayResult()
    engine = sla.Engine(settings.sla)
    sig = signals(settings)
    due: DueQueue[str] = DueQueue()
    events = sorted(events, key=lambda e: (event_time(e), e.event_id))

    def run_due(now: float) -> None:
        # One deadline at a time, each at its own instant: handling one may set the next.
        while (first := due.peek()) is not None and first <= now:
            at, key = due.pop()
            _keep(result, due, key, sla.on_due(engine, result.complaints[key], at))

    for i, event in enumerate(events):
        run_due(event_time(event))
        state = result.stores.get(event.store_id) or StoreState(store_id=event.store_id)
        step = process(state, event, sig)
        result.stores[event.store_id] = step.state
        etype = event.event_type  # type: ignore[attr-defined]
        result.consumed[etype] += 1
        if step.outcome == "duplicate":
            result.duplicates[etype] += 1
        elif step.outcome == "late":
            result.late[etype] += 1
        result.alerts.extend(step.alerts)
        if isinstance(event, Complaint):
            key = sla.complaint_key(event.store_id, event.complaint_id)
            r = sla.on_event(engine, result.complaints.get(key), event, event_time(event))
            if r.outcome == "duplicate":
                result.duplicates[etype] += 1
            _keep(result, due, key, r)
        if progress and i % 1000 == 999:
            progress(1000)
    if events:
        run_due(until if until is not None else event_time(events[-1]))
    if progress:
        progress(len(events) % 1000)
    return result


def _keep(result: ReplayResult, due: DueQueue[str], key: str, r: sla.Result) -> None:
    result.complaints[key] = r.state
    due.set(key, r.state.next_due)
    result.sla_events.extend(r.sla_events)
    result.alerts.extend(r.alerts)
