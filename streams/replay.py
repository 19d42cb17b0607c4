"""Replay / backtest: the worker's per-event step over a JSON-lines file, without Kafka.

Events are processed in event-time order (ties broken by event_id) through the same
``Pipeline`` the worker runs, so the same file gives the same alert events every time, and the
same as the worker fed that file through ``cxpulse produce``. The file has no arrival times: a
line "arrives" at the newest event time read before it in file order, so an event dated far
ahead of its neighbours is refused as ``from_the_future`` here as in the worker. SLA deadlines
fire at their own instants, between the events.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from schemas.alerts import AlertEvent
from schemas.deadletter import DeadLetter
from schemas.events import Envelope, event_time
from schemas.sla import SlaEvent
from streams.config import StreamSettings
from streams.core.decode import Rejection, decode
from streams.core.intake import IntakeConfig, Message
from streams.core.rollup.state import Rollups
from streams.core.sla import engine as sla
from streams.core.step import Output, Pipeline
from streams.core.store import StoreState
from streams.wiring import signals

PARTITION = 0  # a file is one partition: one SLA clock for all its complaints


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
    rollups: Rollups | None = None


@dataclass(frozen=True)
class Line:
    number: int
    raw: bytes
    decoded: Envelope | Rejection
    arrival: float  # the newest event time before it in the file (its own for the first)
    source: str = "file"


def read_events(
    lines: Iterable[bytes],
    result: ReplayResult | None = None,
    source: str = "file",
    intake: IntakeConfig | None = None,
) -> list[Line]:
    """Decode every non-empty line once; admission and counting happen in ``replay``.
    (``result`` is accepted for the callers' convenience and left untouched.)"""
    decoded = [
        (number, line, decode(line))
        for number, raw in enumerate(lines, start=1)
        if (line := raw.strip())
    ]
    times = [event_time(d) for _, _, d in decoded if isinstance(d, Envelope)]
    first, last = _body(times, (intake or IntakeConfig()).max_behind)
    out = []
    for number, line, d in decoded:
        arrival = first
        if isinstance(d, Envelope):
            ts = event_time(d)
            arrival = last if ts > last else first if ts < first else ts
        out.append(Line(number, line, d, arrival, source))
    return out


def _body(times: list[float], gap: float) -> tuple[float, float]:
    """The span of the file's main body of events: runs of event times split wherever
    nothing happens for longer than ``gap``, and the run with the most events (the latest of
    equals). A file has no arrival times; its body stands in for "now": events beyond it
    arrive at its end (and may be from the future), events before it at its start."""
    if not times:
        return 0.0, 0.0
    times = sorted(times)
    best = (0, 0.0, 0.0)
    start = 0
    for i in range(1, len(times) + 1):
        if i == len(times) or times[i] - times[i - 1] > gap:
            best = max(best, (i - start, times[i - 1], times[start]))
            start = i
    return best[2], best[1]


def events_of(lines: Iterable[Line]) -> list[Envelope]:
    """The valid events of decoded lines, for callers that want the events alone."""
    return [ln.decoded for ln in lines if isinstance(ln.decoded, Envelope)]


def replay(
    lines: Sequence[Line] | Sequence[Envelope],
    settings: StreamSettings,
    result: ReplayResult | None = None,
    progress: Callable[[int], None] | None = None,
    until: float | None = None,
) -> ReplayResult:
    """Process the lines (or bare events, each arriving at its own time) in event-time order.
    Deadlines fire up to `until` (default: the last event's time)."""
    result = result or ReplayResult()
    pipe = Pipeline(
        settings.intake,
        signals(settings),
        sla.Engine(settings.sla),
        result.stores.get,
        result.complaints.get,
        forget_closed=False,  # a backtest is finite: keep every complaint for its summary
        stores_held=lambda: len(result.stores),
    )
    items = [x if isinstance(x, Line) else Line(0, b"", x, event_time(x), "events") for x in lines]
    bad = [x for x in items if isinstance(x.decoded, Rejection)]
    good = sorted((x for x in items if isinstance(x.decoded, Envelope)), key=_order)
    rollups = Rollups(settings.rollups, partitions=1) if settings.rollups.enabled else None
    for line in bad:
        _feed(pipe, result, line, line.arrival)
    last = None
    for i, line in enumerate(good):
        ts = event_time(line.decoded)  # type: ignore[arg-type]
        _collect(pipe, result, pipe.tick(PARTITION, ts))
        out = _feed(pipe, result, line, ts)
        if rollups is not None and out.contribution is not None:
            rollups.add(out.contribution)
            result.alerts.extend(rollups.advance())
        last = ts
        if progress and i % 1000 == 999:
            progress(1000)
    if last is not None or until is not None:
        _collect(pipe, result, pipe.tick(PARTITION, until if until is not None else last or 0.0))
    if rollups is not None:  # the end of the file: nothing older is coming
        if last is not None:
            rollups.mark(PARTITION, last)
        rollups.set_idle(PARTITION)
        result.alerts.extend(rollups.advance())
        result.rollups = rollups
    # The step's working set holds every state this run changed (a file is one long batch);
    # they are written out once, at the end.
    _write(pipe, result)
    result.consumed.update(pipe.tally.consumed)
    result.duplicates.update(pipe.tally.duplicates)
    result.late.update(pipe.tally.late)
    if progress:
        progress(len(good) % 1000)
    return result


def _order(line: Line) -> tuple[float, str]:
    event = line.decoded
    assert isinstance(event, Envelope)
    return event_time(event), event.event_id


def _feed(pipe: Pipeline, result: ReplayResult, line: Line, wall: float) -> Output:
    msg = Message(line.raw, None, None, line.arrival, keyed=False, decoded=line.decoded)
    out = pipe.message(msg, PARTITION, wall)
    if out.rejection is not None:
        result.dead_letters.append(
            DeadLetter(
                code=out.rejection.code,
                reason=out.rejection.reason,
                topic=line.source,
                offset=line.number,
                value=line.raw[:4096].decode("utf-8", errors="replace"),
            )
        )
    _collect(pipe, result, out)
    return out


def _collect(pipe: Pipeline, result: ReplayResult, out: Output) -> None:
    result.alerts.extend(out.alerts)
    result.sla_events.extend(out.sla_events)


def _write(pipe: Pipeline, result: ReplayResult) -> None:
    changes = pipe.take_changes()
    for key, (_, state) in changes.stores.items():
        result.stores[key] = state
    for key in changes.forgotten:
        result.stores.pop(key, None)
    for key, (_, complaint) in changes.complaints.items():
        if complaint is None:
            result.complaints.pop(key, None)
        else:
            result.complaints[key] = complaint
