"""Size and render time of the worker's /metrics at chain scale, per-store gauges against rollups.

``python -m bench.metrics_scale [--stores 10000] [--no-calls]``: one synthetic ``SignalSnapshot``
per store (three windows, store-level calls over three windows, varied counts, 8 brands, 30
regions, 300 cities; not run through the core, which takes minutes at this size), shown twice
in the same run:

- ``baseline_*``: a gauge per store and figure, as the worker exported before rollups (every
  window, every store);
- ``*`` (no prefix): ``streams.metrics.Metrics`` as the worker runs it now: rollups per brand /
  region / city plus the worst ``worst_n`` stores per ranking and the stores with an alert.

Render time is the page the worker serves (``Metrics.render``: the store export by its own
writer, the rest by ``generate_latest``) right after a store changed (so the export chooses its
stores and rewrites that store's lines inside the timing), the median of five;
``render_cold_ms`` the first page, every line written; ``render_after_1000_ms`` the page after
1,000 stores changed, as a busy worker's next scrape finds it;
``render_generic_ms``: the same registry through ``generate_latest`` alone.
``choose_ms`` is the worst-N choice alone; ``show_us`` the cost of taking in one snapshot;
``held_bytes_per_store`` what the export keeps per store (tracemalloc).
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Gauge, generate_latest

from schemas.signals import CallSignals, SignalSnapshot, WindowSignals
from streams.metrics import Metrics

WINDOWS = ("1h", "24h", "7d")
CALL_WINDOWS = ("1h", "3h", "24h")
FIRING_EVERY = 500  # a store in 500 with an alert firing: 20 at 10,000 stores


def snapshot(
    i: int, rng: random.Random, calls: bool, firing_every: int = FIRING_EVERY
) -> SignalSnapshot:
    windows = []
    for w in WINDOWS:
        counts = [rng.randint(0, 20) for _ in range(5)]
        n = sum(counts)
        nps = [rng.randint(0, 10) for _ in range(3)]
        windows.append(
            WindowSignals(
                window=w,
                ratings=n,
                rating_counts=counts,
                csat=(counts[3] + counts[4]) / n if n else None,
                delight=counts[4] / n if n else None,
                mean_rating=sum((k + 1) * c for k, c in enumerate(counts)) / n if n else None,
                nps=rng.uniform(-100, 100),
                nps_counts=nps,
                ces=rng.uniform(1, 7),
                expectation_gap=rng.uniform(-2, 2),
                negatives=counts[0] + counts[1],
                unhappy=counts[0] + counts[1],
                positives=counts[3] + counts[4],
                reach=rng.randint(0, 500),
                repair_debt=rng.randint(0, 50),
            )
        )
    call_views = []
    for w in CALL_WINDOWS if calls else ():
        offered = rng.randint(0, 60)
        answered = rng.randint(0, offered)
        rated = offered >= 10
        call_views.append(
            CallSignals(
                scope="store",
                scope_id="",
                window=w,
                offered=offered,
                answered=answered,
                abandoned=offered - answered,
                abandonment=(offered - answered) / offered if rated else None,
                asa=rng.uniform(5, 60) if rated and answered else None,
                aht=rng.uniform(60, 400) if rated and answered else None,
                service_level=rng.randint(0, answered) / offered if rated else None,
                transfer_rate=rng.randint(0, answered) / answered if rated and answered else None,
                repeated_transfer_rate=None,
                fcr=None,
                repeat_rate=rng.random() if rated else None,
            )
        )
    return SignalSnapshot(
        store_id=f"S{i:05d}",
        labels={"brand": f"B{i % 8}", "region": f"R{i % 30}", "city": f"C{i % 300}"},
        observed_at=datetime(2026, 11, 23, 12, tzinfo=UTC),
        windows=windows,
        crisis_score=rng.random(),
        negatives_last_hour=rng.randint(0, 5),
        negatives_baseline=rng.uniform(0, 3),
        firing=["csat_low"] if i % firing_every == 0 else [],
        calls=call_views,
    )


class Baseline:
    """One gauge per store and figure, every window: the export before rollups."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._gauges: dict[str, Gauge] = {}

    def _set(self, name: str, labels: dict[str, str], value: float) -> None:
        gauge = self._gauges.get(name)
        if gauge is None:
            gauge = Gauge(name, name, list(labels), registry=self.registry)
            self._gauges[name] = gauge
        gauge.labels(**labels).set(value)

    def show(self, s: SignalSnapshot) -> None:
        sid = s.store_id
        self._set("cxpulse_store_info", {"store_id": sid, **s.labels}, 1)
        for w in s.windows:
            key = {"store_id": sid, "window": w.window}
            for attr in ("csat", "delight", "mean_rating", "nps", "ces", "expectation_gap"):
                value = getattr(w, attr)
                if value is not None:
                    self._set(f"cxpulse_store_{attr}", key, value)
            for attr in ("ratings", "negatives", "reach", "repair_debt"):
                self._set(f"cxpulse_store_{attr}", key, getattr(w, attr))
            for r, n in enumerate(w.rating_counts, start=1):
                self._set("cxpulse_store_ratings_by_value", {**key, "rating": str(r)}, n)
            for g, n in zip(("promoter", "passive", "detractor"), w.nps_counts, strict=True):
                self._set("cxpulse_store_nps_answers", {**key, "group": g}, n)
        for c in s.calls:
            key = {"store_id": sid, "window": c.window}
            for attr in ("offered", "abandonment", "asa", "aht", "service_level"):
                value = getattr(c, attr)
                if value is not None:
                    self._set(f"cxpulse_store_call_{attr}", key, value)
            for attr in ("transfer_rate", "repeat_rate"):
                value = getattr(c, attr)
                if value is not None:
                    self._set(f"cxpulse_store_call_{attr}", key, value)
        for attr in ("crisis_score", "negatives_last_hour", "negatives_baseline"):
            value = getattr(s, attr)
            if value is not None:
                self._set(f"cxpulse_store_{attr}", {"store_id": sid}, value)


def render(page: Callable[[], bytes]) -> tuple[int, float]:
    t0 = time.perf_counter()
    text = page()
    ms = (time.perf_counter() - t0) * 1000
    return sum(1 for line in text.splitlines() if line and not line.startswith(b"#")), ms


def measure(
    stores: int, calls: bool = True, firing_every: int = FIRING_EVERY
) -> dict[str, float | int]:
    rng = random.Random(13)
    snaps = [snapshot(i, rng, calls, firing_every) for i in range(stores)]
    baseline = Baseline()
    for s in snaps:
        baseline.show(s)
    base_series, base_ms = render(lambda: generate_latest(baseline.registry))

    metrics = Metrics()
    t0 = time.perf_counter()
    for s in snaps:
        metrics.show(s)
    show_us = (time.perf_counter() - t0) / stores * 1e6
    cold = render(metrics.render)[1]  # every line written
    for s in snaps[:1000]:
        metrics.show(s)
    after_1000 = render(metrics.render)[1]  # a scrape interval of a busy worker
    runs = []
    for k in range(5):
        metrics.show(snaps[k])  # a change: the next scrape chooses and builds again
        runs.append(render(metrics.render))
    series, render_ms = runs[0][0], statistics.median(ms for _, ms in runs)
    generic = []
    for k in range(5):
        metrics.show(snaps[k])
        generic.append(render(lambda: generate_latest(metrics.registry)))
    export = metrics.stores
    t0 = time.perf_counter()
    listed = export.listed()
    choose_ms = (time.perf_counter() - t0) * 1000
    held = Metrics()  # what the export keeps per store, measured apart from the timings
    tracemalloc.start()
    for s in snaps:
        held.show(s)
    held_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return {
        "stores": stores,
        "calls": calls,
        "baseline_series": base_series,
        "baseline_render_ms": round(base_ms, 1),
        "series": series,
        "render_ms": round(render_ms, 1),
        "render_cold_ms": round(cold, 1),
        "render_after_1000_ms": round(after_1000, 1),
        "render_generic_ms": round(statistics.median(ms for _, ms in generic), 1),
        "series_ratio": round(series / base_series, 4),
        "render_ratio": round(render_ms / base_ms, 4),
        "listed_stores": len(listed),
        "choose_ms": round(choose_ms, 2),
        "show_us": round(show_us, 1),
        "held_bytes_per_store": round(held_bytes / stores),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stores", type=int, default=10_000)
    parser.add_argument("--no-calls", action="store_true", help="snapshots without call figures")
    parser.add_argument(
        "--firing-every", type=int, default=FIRING_EVERY, help="one store in N has an alert"
    )
    args = parser.parse_args()
    print(json.dumps(measure(args.stores, not args.no_calls, max(args.firing_every, 1))))


if __name__ == "__main__":
    main()
