"""Size and render time of the worker's /metrics at chain scale.

``python -m bench.metrics_scale [--stores 10000]``: one synthetic ``SignalSnapshot`` per store
(three windows, varied counts; not run through the core, which takes minutes at this size),
shown through ``streams.metrics.Metrics`` as the worker does, then the registry rendered in the
exposition format. Prints one JSON object. Only the per-store export (the baseline) is measured
so far; the rollup export is to be added beside it in the same run.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import UTC, datetime

from prometheus_client import generate_latest

from schemas.signals import SignalSnapshot, WindowSignals
from streams.metrics import Metrics

WINDOWS = ("1h", "24h", "7d")


def snapshot(i: int, rng: random.Random) -> SignalSnapshot:
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
    return SignalSnapshot(
        store_id=f"S{i:05d}",
        labels={"brand": f"B{i % 8}", "region": f"R{i % 30}", "city": f"C{i % 300}"},
        observed_at=datetime(2026, 11, 23, 12, tzinfo=UTC),
        windows=windows,
        crisis_score=rng.random(),
        negatives_last_hour=rng.randint(0, 5),
        negatives_baseline=rng.uniform(0, 3),
        firing=[],
    )


def measure(stores: int) -> dict[str, float | int]:
    rng = random.Random(13)
    snaps = [snapshot(i, rng) for i in range(stores)]
    metrics = Metrics()
    for s in snaps:
        metrics.show(s)
    t0 = time.perf_counter()
    text = generate_latest(metrics.registry)
    render_ms = (time.perf_counter() - t0) * 1000
    series = sum(1 for line in text.splitlines() if line and not line.startswith(b"#"))
    return {"stores": stores, "baseline_series": series, "baseline_render_ms": round(render_ms, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stores", type=int, default=10_000)
    print(json.dumps(measure(parser.parse_args().stores)))


if __name__ == "__main__":
    main()
