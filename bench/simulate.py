"""How fast the chain generator writes a chain's day to a file, and what it holds in memory.

``python -m bench.simulate [--stores 10000] [--hours 24] [--out FILE] [--burst REGION]``: a
Monday from 00:00 (Asia/Shanghai) written as JSON lines by ``write_chain_jsonl``, the way
``cxpulse simulate --chain --out FILE`` writes it. Prints one JSON object: events, events/s by
wall clock and by this process's CPU time (it runs on one core: the CPU figure is what the
generator costs even when the machine is shared), bytes per event, the busiest 10 s, and the
peak RSS. ``--burst REGION`` adds a 10-minute crisis at 19:00 multiplying that region's traffic
a hundredfold. The file is deleted afterwards unless ``--out`` names one to keep.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from streams.simulate import ChainConfig, ChainGenerator, RegionBurst
from streams.simulate.load import BATCH_SECONDS

START = datetime.fromisoformat("2026-11-23T00:00:00+08:00")  # a Monday


def rss_bytes() -> int:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run(gen: ChainGenerator, hours: float, path: Path) -> dict[str, float]:
    events = busiest = 0
    wall, cpu = time.perf_counter(), time.process_time()
    # The same loop as write_chain_jsonl, counting the busiest batch on the way.
    with path.open("w", encoding="utf-8") as out:
        for batch in gen.batches(START, START + timedelta(hours=hours)):
            if batch:
                out.write("\n".join(item[4] for item in batch))
                out.write("\n")
                events += len(batch)
                busiest = max(busiest, len(batch))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "events": events,
        "seconds_wall": round(wall, 2),
        "seconds_cpu": round(cpu, 2),
        "events_per_s_wall": round(events / wall),
        "events_per_s_cpu": round(events / cpu),
        "bytes_per_event": round(path.stat().st_size / max(events, 1)),
        "average_events_per_simulated_s": round(events / (hours * 3600), 1),
        "busiest_10s_events_per_simulated_s": round(busiest / BATCH_SECONDS, 1),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--stores", type=int, default=10_000)
    p.add_argument("--hours", type=float, default=24.0)
    p.add_argument("--out", help="keep the file here (default: a temporary file, deleted)")
    p.add_argument("--burst", help="a region (e.g. 华东) whose traffic x100 at 19:00 for 10 min")
    args = p.parse_args()
    bursts: tuple[RegionBurst, ...] = ()
    if args.burst:
        bursts = (RegionBurst(args.burst, START + timedelta(hours=19), timedelta(minutes=10)),)
    before = rss_bytes()
    began = time.perf_counter()
    gen = ChainGenerator(ChainConfig(stores=args.stores, bursts=bursts))
    setup = time.perf_counter() - began
    after_setup = rss_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.out) if args.out else Path(tmp) / "chain.jsonl"
        figures = run(gen, args.hours, path)
    out = {
        "stores": args.stores,
        "simulated_hours": args.hours,
        "burst": args.burst,
        **figures,
        "setup_seconds": round(setup, 2),
        "rss_bytes_before": before,
        "rss_bytes_after_setup": after_setup,
        "rss_bytes_peak": rss_bytes(),
    }
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
