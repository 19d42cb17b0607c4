"""In-process throughput of the store processor with every signal on, no Kafka.

``python -m bench.core [--stores 200] [--hours 24]``: simulated events (a Monday from 09:00),
run through ``streams.core.store.process`` in event-time order, once with the text analytics
(sentiment + both lexicons) and once without, so the cost of the text is its own figure. Prints
one JSON object. The worker's figure (``bench.pipeline``) adds Kafka, Faust, the changelog and
the snapshots to this.
"""

from __future__ import annotations

import argparse
import io
import json
import time
from datetime import datetime, timedelta

from cxpulse.config import Settings
from schemas.events import Envelope
from streams import wiring
from streams.core.store import Signals, StoreState, process
from streams.replay import events_of, read_events
from streams.simulate import SimConfig, Simulator, write_jsonl

START = datetime.fromisoformat("2026-11-23T09:00:00+08:00")


def events(stores: int, hours: float) -> list[Envelope]:
    buf = io.StringIO()
    write_jsonl(
        Simulator(SimConfig(stores=stores, seed=7)), START, START + timedelta(hours=hours), buf
    )
    return events_of(read_events([ln.encode() for ln in buf.getvalue().splitlines()]))


def run(evs: list[Envelope], sig: Signals) -> tuple[float, dict[str, StoreState]]:
    """Events per second through ``process``, and the stores it left."""
    states: dict[str, StoreState] = {}
    t = time.perf_counter()
    for e in evs:
        sid: str = e.store_id
        state = states.get(sid) or states.setdefault(sid, StoreState(store_id=sid))
        process(state, e, sig)
    return len(evs) / (time.perf_counter() - t), states


def rate(evs: list[Envelope], sig: Signals) -> float:
    return run(evs, sig)[0]


def step_rate(lines: list[tuple[bytes, bytes]], settings: Settings) -> float:
    """The whole per-event step the worker runs: bytes in, admission, processing, SLA clocks,
    rollback checkpoints and counting."""
    from streams.core.intake import Message
    from streams.core.sla.engine import Engine
    from streams.core.step import Pipeline

    stores: dict[str, StoreState] = {}
    pipe = Pipeline(
        settings.intake, wiring.signals(settings), Engine(settings.sla), stores.get, lambda k: None
    )
    arrival = datetime.fromisoformat("2026-12-01T00:00:00+08:00").timestamp()
    t = time.perf_counter()
    for i, (raw, key) in enumerate(lines):
        pipe.message(Message(raw, key, None, arrival), 0, arrival)
        if i % 500 == 499:  # the worker writes its working set out once per batch
            for sid, (_, st) in pipe.take_changes().stores.items():
                stores[sid] = st
    return len(lines) / (time.perf_counter() - t)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--stores", type=int, default=200)
    p.add_argument("--hours", type=float, default=24.0)
    args = p.parse_args()
    evs = events(args.stores, args.hours)
    ordered = sorted(evs, key=lambda e: e.occurred_at)
    raw = [(e.model_dump_json(exclude_unset=True).encode(), e.store_id.encode()) for e in ordered]
    with_text = wiring.signals(Settings())
    without = Signals(with_text.cfg, text=None)
    out = {
        "events": len(evs),
        "stores": args.stores,
        "simulated_hours": args.hours,
        "events_per_s_all_signals": round(rate(evs, with_text)),
        "events_per_s_without_text": round(rate(evs, without)),
        "events_per_s_step": round(step_rate(raw, Settings())),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
