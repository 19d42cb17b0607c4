"""Alert events made the way production makes them: the simulator's events through the stream
core (``replay``), ready to be published on the alerts topic."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

from cxpulse.config import Settings
from streams.replay import ReplayResult, read_events, replay
from streams.simulate import SimConfig, Simulator, parse_scenario, write_jsonl


def crisis_alerts(settings: Settings) -> list[bytes]:
    """A day of six stores with a crisis burst at S004 from 12:00 (Shanghai), as the worker
    would publish its alert events (with their evidence)."""
    start = datetime(2026, 11, 23, tzinfo=timezone(timedelta(hours=8)))
    burst = parse_scenario("crisis:S004@2026-11-23T12:00+08:00/2h")
    buf = io.StringIO()
    sim = Simulator(SimConfig(stores=6, scenarios=(burst,)))
    write_jsonl(sim, start, start + timedelta(days=1), buf)
    lines = [ln.encode() for ln in buf.getvalue().splitlines()]
    events = replay(read_events(lines, ReplayResult()), settings).alerts
    return [a.model_dump_json().encode() for a in events]
