"""Throughput and latency of the cxpulse worker against a raw consumer and a bare Faust app.

``python -m bench.pipeline [--events N]`` (see bench/README.md). One run, one real broker, one
set of pre-produced events in a fresh topic namespace; three consumers measured in turn (never in
parallel), then the end-to-end latency of the full worker under a steady paced load. Progress
goes to stderr; the figures go to stdout as one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any, get_args

from bench.broker import (
    DEFAULT_BOOTSTRAP,
    Record,
    cleanup_kafka,
    ensure_broker,
    paced_produce,
    preproduce,
    stored_bytes,
)
from bench.chain_events import chain_records
from bench.harness import (
    BenchError,
    Procs,
    WorkerRun,
    free_port,
    say,
    start_worker,
    subprocess_env,
)
from bench.readings import (
    POLL_SECONDS,
    Throughput,
    buckets,
    cpu_seconds,
    cpu_share,
    quantile,
    scrape,
    total,
    wait_consumed,
    wait_quiet,
    where_time_went,
)
from bench.reference_consumers import measure_bare_faust, measure_raw
from cxpulse.config import KafkaConfig, Settings
from schemas.events import EVENT_MODELS
from streams import native
from streams.config import Compression, WorkerConfig
from streams.topics import Topics, ensure_topics

SIM_START = "2026-11-23T09:00:00+08:00"  # a Monday morning: stores open, traffic ramps up
LATENCY_RATE_MAX = 5000.0  # events/s generated for the latency phase at --rate half
MAX_SIM_HOURS = 24  # beyond this much simulated time, repeat it (shifted, with new ids)
ID_FIELDS = ("event_id", "call_id", "complaint_id")
TARGETS = {"pipeline_over_bare_faust": 0.8, "pipeline_over_raw_aiokafka": 0.25}

# --------------------------------------------------------------------------------------------
# Data


def _shift(ev: dict[str, Any], k: int, span: timedelta) -> dict[str, Any]:
    """Copy of `ev` for repetition `k`: every ``*_at`` time moved by k*span, ids made unique,
    so the worker sees new events in event-time order (neither duplicates nor late)."""
    out = dict(ev)
    for name, value in ev.items():
        if name.endswith("_at") and isinstance(value, str):
            out[name] = (datetime.fromisoformat(value) + k * span).isoformat()
        elif name in ID_FIELDS and isinstance(value, str):
            out[name] = f"{value}-r{k}"
    return out


def generate(total: int, stores: int, seed: int, cfg: KafkaConfig) -> list[Record]:
    """`total` contract-valid events from the simulator, in event-time order, encoded."""
    from streams.simulate import SimConfig, Simulator

    sim = Simulator(SimConfig(stores=stores, seed=seed))
    start = datetime.fromisoformat(SIM_START)
    base: list[dict[str, Any]] = []
    hours = 0
    while len(base) < total and hours < MAX_SIM_HOURS:
        base += sim.events_between(
            start + timedelta(hours=hours), start + timedelta(hours=hours + 1)
        )
        hours += 1
    if not base:
        raise BenchError("the simulator produced no events")
    span = timedelta(hours=hours)
    topics = Topics.from_config(cfg).events
    out: list[Record] = []
    k = 0
    while len(out) < total:
        for ev in base[: total - len(out)]:
            e = _shift(ev, k, span) if k else ev
            out.append(
                (
                    topics[str(e["event_type"])],
                    str(e["store_id"]).encode(),
                    json.dumps(e, ensure_ascii=False).encode(),
                )
            )
        k += 1
    say(f"generated {len(out):,} events ({hours} simulated h x {k} repetition(s), {stores} stores)")
    return out


# --------------------------------------------------------------------------------------------
# The worker


def measure_pipeline(
    procs: Procs, w: WorkerRun, n: int, timeout: float, t0: float
) -> tuple[Throughput, dict[str, Any]]:
    first, done, samples, start_cpu = wait_consumed(procs, w, n, timeout, "pipeline")
    assert first is not None
    wall = done - t0
    cpu = cpu_seconds(w.proc.pid)
    result = Throughput(n, done - first, wall, cpu_share(0.0, cpu, wall))
    counts: dict[str, Any] = {
        "consumed": total(samples, "cxpulse_events_consumed_total"),
        "invalid": total(samples, "cxpulse_events_invalid_total"),
        "duplicate": total(samples, "cxpulse_events_duplicate_total"),
        "late": total(samples, "cxpulse_events_late_total"),
    }
    say(f"   {result.rate:,.0f} events/s ({n:,} in {result.first_to_last_s:.2f} s); {counts}")
    spent = where_time_went(samples, cpu, start_cpu)
    say(f"   CPU seconds by part: {spent}")
    return result, {**counts, "cpu_by_part": spent}


def _quantiles(
    before: list[tuple[float, float]], after: list[tuple[float, float]]
) -> dict[str, Any]:
    """p50/p99 (ms) of what the histogram counted between two scrapes."""
    prev = dict(before)
    diff = [(le, c - prev.get(le, 0.0)) for le, c in after]
    return {
        "observed": int(diff[-1][1]) if diff else 0,
        "p50_ms": round(quantile(diff, 0.50) * 1000, 1) if diff and diff[-1][1] else None,
        "p99_ms": round(quantile(diff, 0.99) * 1000, 1) if diff and diff[-1][1] else None,
        "buckets": {
            ("+Inf" if le == float("inf") else f"{le * 1000:g}ms"): int(c) for le, c in diff
        },
    }


def measure_latency(
    procs: Procs,
    worker: WorkerRun,
    records: Sequence[Record],
    rate: float,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Events sent at a steady `rate` into the worker that has read the backlog; the latency
    histogram read at the start, `settle` seconds in, and once all are handled. The first
    seconds are reported apart: started straight after the backlog, the worker's rollup agent
    is still reading what the backlog sent it (step boundaries of a whole backlog judged at
    once), which a live stream does not have."""
    lat_n = int(rate * args.seconds)
    say(f"latency: {rate:,.0f} events/s for {args.seconds:g} s into the caught-up worker")
    before = buckets(scrape(worker.url))
    settled: list[list[tuple[float, float]]] = []
    lat_t0 = time.time()
    bench_cpu0, worker_cpu0 = time.process_time(), cpu_seconds(worker.proc.pid)
    achieved = paced_produce(
        records[:lat_n],
        args.bootstrap,
        rate,
        args.seconds * 3 + 30,
        at=(args.settle, lambda: settled.append(buckets(scrape(worker.url)))),
    )
    produced_at = time.time()
    _, caught_up, samples, _ = wait_consumed(
        procs, worker, args.events + lat_n, args.timeout, "latency"
    )
    after = buckets(samples)
    phase_s = caught_up - lat_t0
    whole = _quantiles(before, after)
    mid = settled[0] if settled else before
    out = {
        "events": lat_n,
        "target_rate": rate,
        "rate_rule": "half the pipeline rate of this run" if args.rate == "half" else "--rate",
        "achieved_rate": round(achieved, 1),
        "seconds": args.seconds,
        "observed": whole["observed"],
        # > 0.2 s means the worker fell behind the paced load
        "catch_up_after_last_send_s": round(caught_up - produced_at, 2),
        "worker_events_per_s_in_phase": round(lat_n / phase_s, 1),
        # cores used during the phase: the paced producer shares the machine
        "worker_cpu_cores": cpu_share(worker_cpu0, cpu_seconds(worker.proc.pid), phase_s),
        "producer_cpu_cores": cpu_share(bench_cpu0, time.process_time(), phase_s),
        "p50_ms": whole["p50_ms"],
        "p99_ms": whole["p99_ms"],
        f"first_{args.settle:g}_s": _quantiles(before, mid),
        f"after_{args.settle:g}_s": _quantiles(mid, after),
        "phase_buckets": whole["buckets"],
        "note": "p50/p99 interpolated linearly inside the histogram bucket that holds "
        "them; the true value can be anywhere in that bucket; an event counts in the part "
        "of the phase it was handled in",
    }
    rest = out[f"after_{args.settle:g}_s"]
    say(
        f"   p50 {out['p50_ms']} ms, p99 {out['p99_ms']} ms (achieved {achieved:,.0f}/s); "
        f"after the first {args.settle:g} s: p50 {rest['p50_ms']} ms, p99 {rest['p99_ms']} ms"
    )
    return out


# --------------------------------------------------------------------------------------------
# Orchestration


def versions() -> dict[str, str]:
    out = {}
    for dist in ("faust-streaming", "aiokafka", "kafka-python"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "?"
    return out


def written(topic: str, prefix: str, worker_id: str) -> str | None:
    """Which of the worker's outputs a topic of the run is: its tables' changelogs, or one of
    its topics (signals, alerts, rollup, ...); None for the events it read and other apps'."""
    if topic.startswith(f"{worker_id}-"):
        return "changelogs" if topic.endswith("-changelog") else None
    kind = topic.removeprefix(f"{prefix}.")
    if kind == topic or kind in EVENT_MODELS:
        return None
    return kind


def run(args: argparse.Namespace, argv: Sequence[str]) -> dict[str, Any]:
    wall0 = time.monotonic()
    load0 = round(os.getloadavg()[0], 2)
    ensure_broker(args.bootstrap)
    prefix = f"bench{secrets.token_hex(3)}"
    cfg = KafkaConfig(bootstrap=args.bootstrap, topic_prefix=prefix, partitions=args.partitions)
    settings = Settings(kafka=cfg)
    topics = list(Topics.from_config(cfg).events.values())
    bare_id, worker_id, raw_group = f"{prefix}-faust", f"{prefix}-worker", f"{prefix}-raw"
    workdir = Path(tempfile.mkdtemp(prefix=f"cxpulse-{prefix}-"))
    procs = Procs(workdir)
    ok = False
    say(f"namespace {prefix} ({args.partitions} partitions), logs in {workdir}")
    try:
        ensure_topics(settings.kafka)
        n = args.events
        # "half" is known only once the pipeline is measured: enough for up to LATENCY_RATE_MAX.
        lat_rate = LATENCY_RATE_MAX if args.rate == "half" else args.rate
        wanted = n + int(lat_rate * args.seconds)
        if args.chain:
            records = chain_records(wanted, args.stores, cfg, None, 1.0)
            say(f"generated {len(records):,} chain events ({args.stores:,} stores)")
        else:
            records = generate(wanted, args.stores, args.seed, cfg)
        preproduce(records[:n], args.bootstrap, args.timeout)

        env = subprocess_env()
        raw = measure_raw(topics, args.bootstrap, raw_group, n, args.timeout)
        bare = measure_bare_faust(
            procs, topics, args.bootstrap, bare_id, args.partitions, n, args.timeout, env
        )

        say("c) full cxpulse worker (python -m cxpulse.cli worker) ...")
        wenv = {
            **env,
            "CXPULSE_KAFKA__BOOTSTRAP": args.bootstrap,
            "CXPULSE_KAFKA__TOPIC_PREFIX": prefix,
            "CXPULSE_KAFKA__PARTITIONS": str(args.partitions),
            "CXPULSE_WORKER__APP_ID": worker_id,
            "CXPULSE_WORKER__METRICS_PORT": str(free_port()),
            "CXPULSE_WORKER__DATA_DIR": str(workdir / "worker-data"),
            # It replays a fixed historical day, whatever day it runs on.
            "CXPULSE_INTAKE__MAX_BEHIND": str(20 * 365 * 86400),
            "CXPULSE_WORKER__PRODUCER_COMPRESSION": args.compression,
        }
        t0 = time.time()
        worker = start_worker(procs, wenv)
        pipe, counts = measure_pipeline(procs, worker, n, args.timeout, t0)

        latency: dict[str, Any] = {}
        if args.seconds:
            rate = args.rate if args.rate != "half" else round(pipe.rate / 2)
            if rate * args.seconds > len(records) - n:
                rate = int((len(records) - n) / args.seconds)
                say(f"   latency rate capped at {rate:,}/s: that many events were generated")
            quiet_s = None
            if not args.straight_after_backlog:
                say("   waiting for the worker to read what the backlog left (rollup messages) ...")
                quiet_s = round(wait_quiet(procs, worker, args.timeout), 1)
                say(f"   quiet after {quiet_s} s")
            latency = measure_latency(procs, worker, records[n:], rate, args)
            # None: started straight after the backlog (--straight-after-backlog)
            latency["started_quiet_after_s"] = quiet_s
        procs.stop(worker.proc)
        stored = stored_bytes(args.bootstrap, lambda t: written(t, prefix, worker_id))

        ratios = {
            "pipeline_over_bare_faust": round(pipe.rate / bare.rate, 3),
            "pipeline_over_raw_aiokafka": round(pipe.rate / raw.rate, 3),
        }
        result = {
            "events": n,
            "partitions": args.partitions,
            "stores": args.stores,
            "traffic": "chain" if args.chain else "simulator",
            "namespace": prefix,
            "rates_events_per_s": {
                "raw_aiokafka": round(raw.rate, 1),
                "bare_faust": round(bare.rate, 1),
                "pipeline": round(pipe.rate, 1),
            },
            "detail": {
                "raw_aiokafka": raw.as_json(),
                "bare_faust": bare.as_json(),
                "pipeline": {
                    **pipe.as_json(),
                    "worker_counters": counts,
                    # As the broker stores them (after compression), latency phase included.
                    "stored_bytes": stored,
                    "producer_compression": args.compression,
                    "note": f"first->last from /metrics polled every {POLL_SECONDS} s",
                },
            },
            "ratios": ratios,
            "targets": {k: f">= {v}" for k, v in TARGETS.items()},
            "targets_met": {k: ratios[k] >= v for k, v in TARGETS.items()},
            "latency": latency,
            "machine": {
                "nproc": os.cpu_count(),
                "platform": platform.platform(),
                "python": platform.python_version(),
                "loadavg_1m_at_start": load0,  # > ~0.5 means something else was busy
                # the worker's core compiled: it decides as this process did (same switch and build)
                "core_compiled": native.active(),
                **versions(),
            },
            "command": shlex.join(["python", "-m", "bench.pipeline", *argv]),
            "bench_wall_s": round(time.monotonic() - wall0, 1),
        }
        ok = True
        return result
    finally:
        procs.stop_all()
        say("cleanup: deleting the bench topics and consumer groups ...")
        cleanup_kafka(cfg, [bare_id, worker_id], [raw_group, bare_id, worker_id])
        if ok and not args.keep_logs:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            say(f"logs kept in {workdir}")


def _rate(text: str) -> float | str:
    if text == "half":
        return text
    try:
        rate = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a rate: {text!r} (events/s or 'half')") from None
    if rate <= 0:
        raise argparse.ArgumentTypeError("the rate must be > 0")
    return rate


def parse(argv: Sequence[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.pipeline", description=__doc__)
    p.add_argument(
        "--events", type=int, default=100_000, help="events pre-produced (default 100000)"
    )
    p.add_argument("--partitions", type=int, default=4)
    p.add_argument("--stores", type=int, default=200)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument(
        "--chain",
        action="store_true",
        help="the chain generator's traffic from a Monday's 11:00 (any --stores, as "
        "bench.scale) instead of the simulator's (at most 999 stores)",
    )
    p.add_argument(
        "--rate",
        type=_rate,
        default="half",
        help="latency phase: events/s, or 'half' (default): half the pipeline rate just measured",
    )
    p.add_argument("--seconds", type=float, default=20.0, help="latency phase: duration (0: skip)")
    p.add_argument(
        "--settle",
        type=float,
        default=5.0,
        help="latency phase: its first seconds, also reported apart (default 5)",
    )
    p.add_argument(
        "--straight-after-backlog",
        action="store_true",
        help="latency phase: start as soon as the backlog's events are handled, not once the "
        "worker has also read the rollup messages they sent (a recovery, not a steady state)",
    )
    p.add_argument("--timeout", type=float, default=300.0, help="deadline of each phase, s")
    p.add_argument(
        "--bootstrap",
        default=DEFAULT_BOOTSTRAP,
        help="broker; the default one is started by cxpulse.localkafka if needed",
    )
    p.add_argument("--keep-logs", action="store_true", help="keep the temp dir of logs")
    p.add_argument(
        "--compression",
        choices=get_args(Compression),
        default=WorkerConfig().producer_compression,
        help="the worker's producer_compression (default: the worker's own)",
    )
    args = p.parse_args(argv)
    if args.events < 1 or args.seconds < 0 or args.settle < 0:
        p.error("--events must be >= 1, --seconds >= 0, --settle >= 0")
    if args.seconds and args.settle >= args.seconds:
        p.error("--settle must be shorter than the latency phase (--seconds)")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse(argv)
    try:
        result = run(args, argv)
    except BenchError as exc:
        say(f"FAILED: {exc}")
        return 1
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
