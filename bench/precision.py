"""False pages and detection delays of every rule, on simulated stores of several sizes.

``python -m bench.precision [--stores 2] [--weeks 1] [--warmup-weeks 1] [--sizes small,busy]
[--jobs 3] [--seed 11]``

For each store size, one simulated chain runs through the replay runner (the worker's own
per-event step): ``--stores`` normal stores plus one store per injected scenario (a satisfaction
drop, a crisis, a call-abandonment problem, a negative spike), for ``--warmup-weeks`` of history
and then ``--weeks`` measured weeks. Prints one JSON object:

- ``false_pages_per_100_store_weeks``: ``{rule: {size: rate}}``, firings of each rule at the
  normal stores during the measured weeks, per 100 store-weeks (``store_weeks`` says how many
  were watched: 0 pages in 100 store-weeks still allows a true rate up to 3 per 100, at 95 %).
  The complaint deadline rules (``sla_*``, ``special_customer_complaint``) are counted apart in
  ``deadline_pages_per_100_store_weeks``: the simulator leaves some complaints slow on purpose,
  so those pages are right, not false.
- ``detection_delay_minutes``: ``{scenario: {size: minutes}}`` from the incident's start to the
  first firing of its rule (None: not within ``DETECT_WITHIN``), and ``missed_incidents``.
- ``targets``: whether every rule stays at or under 1 false page per 100 store-weeks and every
  incident is caught within its size's limit (a small store within a business day, a busy one
  within an hour).

Store sizes are the simulator's peak-hour rates (the weekday lunch peak; an average open hour
has about half of it): a small store has 4 ratings and 5 calls an hour, a busy one 100 of each.
Normal callers wait 8 s on average (about 86 % answered within 20 s, above the 80/20 target,
with the simulator's 6 % abandonment): a simulated store whose normal already misses the
target would be a real, not a false, service-level page.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from schemas.alerts import AlertEvent, RuleName
from streams.config import StreamSettings
from streams.replay import read_events, replay
from streams.simulate import SimConfig, Simulator, parse_scenario, write_jsonl

START = datetime.fromisoformat("2026-11-02T00:00:00+08:00")  # a Monday
DEADLINE_RULES = {"sla_warning", "sla_breach", "special_customer_complaint"}
DETECT_WITHIN = timedelta(hours=24)


@dataclass(frozen=True)
class Size:
    feedback: float  # ratings per peak hour
    calls: float
    reviews: float
    incident: timedelta  # how long an injected problem lasts
    limit: timedelta  # detection target
    negatives: int  # extra negative reviews in the spike hour (several times the normal)


SIZES = {
    # A business day: the store's opening hours, 09:00-22:00.
    "small": Size(4, 5, 0.5, timedelta(hours=13), timedelta(hours=13), 10),
    "medium": Size(12, 25, 1.5, timedelta(hours=4), timedelta(hours=3), 15),
    "busy": Size(100, 100, 6, timedelta(hours=2), timedelta(hours=1), 40),
}
# Scenario -> (simulator scenario, the rule that must catch it).
SCENARIOS = {
    "satisfaction_drop": ("drop:{store}@{start}/{duration},csat=0.35", ("csat_low", "csat_drop")),
    "crisis": ("crisis:{store}@{start}/1h,reviews=30", ("crisis",)),
    "call_abandonment": (
        "abandon:{store}@{start}/{duration},rate=0.25",
        ("call_abandonment_high",),
    ),
    "negative_spike": ("spike:{store}@{start}/1h,negatives={negatives}", ("negative_spike",)),
}


def run_size(
    name: str, size: Size, stores: int, weeks: int, warmup: int, seed: int
) -> dict[str, Any]:
    print(f"{name} ...", file=sys.stderr, flush=True)
    measured = START + timedelta(weeks=warmup)
    # Incidents start on the measured weeks' first Tuesday at 09:00 (opening) for a small
    # store, whose day is its evidence, and at the 11:00 lunch rush for the others.
    day = measured + timedelta(days=1, hours=9 if name == "small" else 11)
    incident_stores = {scenario: f"S{stores + i + 1:03d}" for i, scenario in enumerate(SCENARIOS)}
    specs = [
        template.format(
            store=incident_stores[scenario],
            start=day.isoformat(timespec="minutes"),
            duration=f"{int(size.incident.total_seconds() // 60)}m",
            negatives=size.negatives,
        )
        for scenario, (template, _) in SCENARIOS.items()
    ]
    cfg = SimConfig(
        stores=stores + len(SCENARIOS),
        seed=seed,
        feedback_per_store_hour=size.feedback,
        calls_per_store_hour=size.calls,
        reviews_per_store_hour=size.reviews,
        mean_wait_seconds=8.0,
        scenarios=tuple(parse_scenario(s) for s in specs),
    )
    buf = io.StringIO()
    end = measured + timedelta(weeks=weeks)
    write_jsonl(Simulator(cfg), START, end, buf)
    lines = [ln.encode() for ln in buf.getvalue().splitlines()]
    t0 = time.perf_counter()
    result = replay(read_events(lines), StreamSettings())
    seconds = time.perf_counter() - t0
    normal = {f"S{i + 1:03d}" for i in range(stores)}
    pages: Counter[str] = Counter()
    for alert in _firings(result.alerts):
        if alert.labels.get("store_id") in normal and alert.starts_at >= measured:
            pages[alert.rule] += 1
    delays: dict[str, float | None] = {}
    for scenario, (_, rules) in SCENARIOS.items():
        store = incident_stores[scenario]
        hits = [
            a.starts_at - day
            for a in _firings(result.alerts)
            if a.rule in rules and a.labels.get("store_id") == store
            if day <= a.starts_at <= day + DETECT_WITHIN
        ]
        delays[scenario] = round(min(hits).total_seconds() / 60, 1) if hits else None
    return {
        "pages": pages,
        "store_weeks": stores * weeks,
        "delays": delays,
        "events": len(lines),
        "replay_seconds": round(seconds, 1),
    }


def _firings(alerts: list[AlertEvent]) -> list[AlertEvent]:
    """Each alert's first firing: a crisis rising to critical while open is the same page."""
    seen: set[tuple[str, datetime]] = set()
    out = []
    for a in alerts:
        if a.status == "firing" and (a.fingerprint, a.starts_at) not in seen:
            seen.add((a.fingerprint, a.starts_at))
            out.append(a)
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--stores", type=int, default=2, help="normal stores per size")
    p.add_argument("--weeks", type=int, default=1, help="measured weeks")
    p.add_argument("--warmup-weeks", type=int, default=1)
    p.add_argument("--seed", type=int, default=11, help="the simulator's seed")
    p.add_argument("--sizes", default=",".join(SIZES))
    # The sizes are independent chains and the replay is CPU-bound: one process each.
    p.add_argument("--jobs", type=int, default=len(SIZES), help="sizes run at once")
    args = p.parse_args(argv)
    rules = [str(r) for r in RuleName]
    names = args.sizes.split(",")
    with ProcessPoolExecutor(max_workers=max(1, min(args.jobs, len(names)))) as pool:
        runs = {
            name: pool.submit(
                run_size, name, SIZES[name], args.stores, args.weeks, args.warmup_weeks, args.seed
            )
            for name in names
        }
        per_size = {name: run.result() for name, run in runs.items()}
    false_pages: dict[str, dict[str, float]] = {}
    deadline_pages: dict[str, dict[str, float]] = {}
    for rule in rules:
        target = deadline_pages if rule in DEADLINE_RULES else false_pages
        target[rule] = {
            name: round(100 * r["pages"][rule] / r["store_weeks"], 2)
            for name, r in per_size.items()
        }
    delays = {s: {name: r["delays"][s] for name, r in per_size.items()} for s in SCENARIOS}
    missed = [
        {"scenario": s, "store_size": name}
        for s in SCENARIOS
        for name, r in per_size.items()
        if r["delays"][s] is None
    ]
    late = [
        {"scenario": s, "store_size": name, "minutes": d, "limit_minutes": limit}
        for s in SCENARIOS
        for name, r in per_size.items()
        if (d := r["delays"][s]) is not None
        and d > (limit := SIZES[name].limit.total_seconds() / 60)
    ]
    worst = max((v for by in false_pages.values() for v in by.values()), default=0.0)
    out = {
        "false_pages_per_100_store_weeks": false_pages,
        "deadline_pages_per_100_store_weeks": deadline_pages,
        "missed_incidents": missed,
        "late_detections": late,
        "detection_delay_minutes": delays,
        "store_weeks": {name: r["store_weeks"] for name, r in per_size.items()},
        "sizes": {
            name: {
                "ratings_per_peak_hour": SIZES[name].feedback,
                "calls_per_peak_hour": SIZES[name].calls,
                "incident_hours": SIZES[name].incident.total_seconds() / 3600,
                "detection_limit_hours": SIZES[name].limit.total_seconds() / 3600,
                "events": r["events"],
                "replay_seconds": r["replay_seconds"],
            }
            for name, r in per_size.items()
        },
        "targets": {
            "max_false_pages_per_100_store_weeks": worst,
            "false_pages_ok": worst <= 1.0,
            "detection_ok": not missed and not late,
        },
        "config": vars(args),
    }
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
