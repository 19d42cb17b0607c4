"""Memory and time the alert evidence costs the store processor.

``python -m bench.evidence [--stores 200] [--hours 24]``: runs a simulated day (as
``bench.core``) through ``streams.core.store.process`` with every signal on, and prints one
JSON object: the evidence rings' size per store after the day (JSON bytes and Python heap
bytes, mean and max), the size of full rings at every cap (the bound), and the processor's
rate with the evidence on and with it switched off, so its cost is its own figure.
"""

from __future__ import annotations

import argparse
import json
import sys
import tracemalloc
from collections.abc import Callable
from statistics import mean
from typing import Any

from bench.core import events, run
from cxpulse.config import Settings
from schemas.alerts import AlertEvent
from schemas.events import EVENT_ADAPTER, Envelope
from streams import wiring
from streams.core import evidence
from streams.core.store import StoreState


def heap_bytes(build: Callable[[], Any]) -> int:
    """Bytes the Python heap holds for what ``build`` returns (strings interned elsewhere, such
    as the kind names, are not counted)."""
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = build()
    size = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del kept
    return size


def full_rings() -> evidence.Rings:
    """Every kind's ring full of the largest entries its events can make: ids, texts, platform
    and tags at their schema caps, in CJK (3 bytes a character)."""
    base = {
        "occurred_at": "2026-11-23T09:00:00+08:00",
        "source": "bench",
        "store_id": "S1",
        "customer": {"tier": "regular", "tags": ["媒" * 64] * 16},
    }
    text = "很" * 4000
    extra: dict[str, dict[str, Any]] = {
        "feedback": {"rating": 1, "comment": text},
        "review": {"platform": "平" * 64, "rating": 1, "text": text, "views": 10**10},
        "complaint": {"complaint_id": "K", "action": "opened", "text": text},
        "call": {
            "call_id": "c",
            "queued_at": "2026-11-23T09:00:00+08:00",
            "ended_at": "2026-11-23T09:00:00+08:00",
        },
    }
    rings: evidence.Rings = {}
    for kind, fields in extra.items():
        for i in range(evidence.KEEP):
            doc = {**base, **fields, "event_type": kind, "event_id": f"{i}-" + "e" * 125}
            evidence.remember(rings, EVENT_ADAPTER.validate_python(doc, strict=False))
    return rings


def copy_of(rings: evidence.Rings) -> Callable[[], Any]:
    """A fresh copy of ``rings``, built while ``heap_bytes`` watches (as a state loaded from
    the changelog is)."""
    return lambda: json.loads(json.dumps(rings))


def no_remember(rings: evidence.Rings, event: Envelope) -> None:
    return None


def no_attach(alerts: list[AlertEvent], rings: evidence.Rings) -> list[AlertEvent]:
    return alerts


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--stores", type=int, default=200)
    p.add_argument("--hours", type=float, default=24.0)
    args = p.parse_args()
    evs = sorted(events(args.stores, args.hours), key=lambda e: e.occurred_at)
    sig = wiring.signals(Settings())
    print(f"{len(evs)} events", file=sys.stderr)
    states: dict[str, StoreState] = {}
    run(evs, sig)  # warm-up: the text models' caches fill on the first pass
    rates: dict[bool, list[float]] = {True: [], False: []}
    saved = evidence.remember, evidence.attach
    for on in (True, False, True, False):  # alternated, best of two: the machine is shared
        evidence.remember, evidence.attach = saved if on else (no_remember, no_attach)
        try:
            rate, kept = run(evs, sig)
        finally:
            evidence.remember, evidence.attach = saved
        rates[on].append(rate)
        states = kept if on else states
    as_json = [len(json.dumps(s.recent, ensure_ascii=False).encode()) for s in states.values()]
    heap = [heap_bytes(copy_of(s.recent)) for s in states.values()]
    full = full_rings()
    out = {
        "events": len(evs),
        "stores": len(states),
        "simulated_hours": args.hours,
        "ring_json_bytes_per_store": {"mean": round(mean(as_json)), "max": max(as_json)},
        "ring_heap_bytes_per_store": {"mean": round(mean(heap)), "max": max(heap)},
        "bound_json_bytes_per_store": len(json.dumps(full, ensure_ascii=False).encode()),
        "bound_heap_bytes_per_store": heap_bytes(copy_of(full)),
        "events_per_s_with_evidence": round(max(rates[True])),
        "events_per_s_without_evidence": round(max(rates[False])),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
