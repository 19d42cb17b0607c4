"""Replay / backtest: the same core over a JSON-lines file, without Kafka.

Events are processed in event-time order (ties broken by event_id), each store's clock driven by
its own events, exactly as the worker does; so the same file gives the same alert events, every
time, and the same as the worker fed that file through ``cxpulse produce``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from cxpulse.config import SatisfactionConfig
from schemas.alerts import AlertEvent
from schemas.deadletter import DeadLetter
from schemas.events import Envelope, event_time
from streams.core.decode import Rejection, decode
from streams.core.store import StoreState, process


@dataclass
class ReplayResult:
    alerts: list[AlertEvent] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    consumed: Counter[str] = field(default_factory=Counter)
    duplicates: Counter[str] = field(default_factory=Counter)
    late: Counter[str] = field(default_factory=Counter)
    stores: dict[str, StoreState] = field(default_factory=dict)


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
    cfg: SatisfactionConfig,
    result: ReplayResult | None = None,
    progress: Callable[[int], None] | None = None,
) -> ReplayResult:
    result = result or ReplayResult()
    events = sorted(events, key=lambda e: (event_time(e), e.event_id))
    for i, event in enumerate(events):
        state = result.stores.get(event.store_id) or StoreState(store_id=event.store_id)
        step = process(state, event, cfg)
        result.stores[event.store_id] = step.state
        etype = event.event_type  # type: ignore[attr-defined]
        result.consumed[etype] += 1
        if step.outcome == "duplicate":
            result.duplicates[etype] += 1
        elif step.outcome == "late":
            result.late[etype] += 1
        result.alerts.extend(step.alerts)
        if progress and i % 1000 == 999:
            progress(1000)
    if progress:
        progress(len(events) % 1000)
    return result
