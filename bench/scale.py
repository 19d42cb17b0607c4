"""Scale-out and failover of the real worker on the real broker.

``python -m bench.scale [--stores 10000] [--events 60000] [--partitions 4] [--burst 东北]``: one
set of chain events (``streams.simulate`` chain generator, heavy-tailed store sizes, one
region's stores rating badly at ten times their traffic so that there are alerts to compare) is
produced into three fresh topic namespaces, and the worker (``python -m cxpulse.cli worker``)
runs each:

1. one worker alone: its rate, its resident memory per store it holds, and its ``/metrics``
   page: series, and the time of a read, every ``--scrape-every`` seconds while the worker
   is busy (median and slowest) as Prometheus would scrape it, and five more right after;
2. two workers in one group: their combined rate;
3. two workers with a standby replica of each table, one SIGKILLed a third of the way in:
   ``failover_s`` is the time from the kill until every partition the dead worker held has
   its committed offset moving again, and ``state_equal_after_failover`` says whether the
   alert events of this run, duplicates removed, equal those of the crash-free run 1.

Prints one JSON object. On two shared cores the scale ratio is bounded by the machine: two
workers share the same two cores with the broker and this bench (see bench/README.md for the
production topology).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shlex
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.broker import Record, cleanup_kafka, ensure_broker, preproduce
from bench.chain_events import chain_records
from bench.failover import kill_and_time_failover
from bench.harness import BenchError, Procs, WorkerRun, free_port, say, subprocess_env
from bench.outcomes import (
    by_rule,
    counter_diffs,
    differing,
    final_counters,
    keep_alerts,
    settle,
)
from bench.readings import scrape, total
from cxpulse.config import KafkaConfig
from cxpulse.live import scrape as page_samples
from streams import native
from streams.topics import Topics, ensure_topics

POLL = 0.5
BUILD = "cxpulse_metrics_page_build_seconds"  # the worker's page build on its loop


def renamed(records: Sequence[Record], old: KafkaConfig, new: KafkaConfig) -> list[Record]:
    mapping = dict(
        zip(
            Topics.from_config(old).events.values(),
            Topics.from_config(new).events.values(),
            strict=True,
        )
    )
    return [(mapping[t], k, v) for t, k, v in records]


def consumed(w: WorkerRun) -> float:
    try:
        s = scrape(w.url)
    except OSError:
        return 0.0
    return total(s, "cxpulse_events_consumed_total") + total(s, "cxpulse_events_invalid_total")


def read_page(url: str) -> tuple[str, float]:
    """The whole /metrics page, and how long the read took (ms)."""
    began = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as page:
        text = page.read().decode()
    return text, (time.perf_counter() - began) * 1000


class Scraper:
    """Reads the whole page every ``every`` seconds in a thread, as Prometheus would, while
    the worker is busy; ``took`` holds each read's time (ms)."""

    def __init__(self, url: str, every: float) -> None:
        self.url, self.every = url, every
        self.took: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scraper", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        if not self.took:  # a run shorter than one interval: read once now
            self.took.append(read_page(self.url)[1])

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.took.append(read_page(self.url)[1])
            except OSError:
                continue  # a read that failed is no time; the next one counts


def rss(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def wait_total(
    procs: Procs,
    workers: list[WorkerRun],
    target: float,
    timeout: float,
    poll: float = POLL,
    each: Callable[[], None] = lambda: None,
) -> float:
    """Poll until the workers' counters add up to ``target``; the time it was seen. ``each``
    runs on every poll before that (a reading to take while the workers are still idle)."""
    deadline = time.monotonic() + timeout
    while True:
        for w in workers:
            procs.check_alive(w.proc)
        each()
        seen = sum(consumed(w) for w in workers)
        if seen >= target:
            return time.time()
        if time.monotonic() > deadline:
            raise BenchError(f"{seen:,.0f}/{target:,.0f} events consumed at the deadline")
        time.sleep(poll)


def run(args: argparse.Namespace, argv: Sequence[str]) -> dict[str, Any]:
    ensure_broker(args.bootstrap)
    base = KafkaConfig(bootstrap=args.bootstrap, topic_prefix="scale", partitions=args.partitions)
    burst = None if args.burst == "none" else args.burst
    records = chain_records(args.events, args.stores, base, burst, args.burst_factor)
    stores_seen = len({k for _, k, _ in records})
    say(f"{len(records):,} chain events of {stores_seen:,} stores")
    workdir = Path(tempfile.mkdtemp(prefix="cxpulse-scale-"))
    procs = Procs(workdir)
    env = subprocess_env()
    cleanups: list[tuple[KafkaConfig, str]] = []

    def namespace(tag: str) -> tuple[KafkaConfig, str]:
        prefix = f"scale{secrets.token_hex(3)}{tag}"
        cfg = KafkaConfig(bootstrap=args.bootstrap, topic_prefix=prefix, partitions=args.partitions)
        ensure_topics(cfg)
        preproduce(renamed(records, base, cfg), args.bootstrap, args.timeout)
        cleanups.append((cfg, f"{prefix}-worker"))
        return cfg, f"{prefix}-worker"

    def worker(cfg: KafkaConfig, app: str, name: str, standby: int = 0) -> WorkerRun:
        port = free_port()
        proc = procs.spawn(
            f"worker-{name}",
            [sys.executable, "-m", "cxpulse.cli", "worker"],
            {
                **env,
                "CXPULSE_KAFKA__BOOTSTRAP": args.bootstrap,
                "CXPULSE_KAFKA__TOPIC_PREFIX": cfg.topic_prefix,
                "CXPULSE_KAFKA__PARTITIONS": str(args.partitions),
                "CXPULSE_WORKER__APP_ID": app,
                "CXPULSE_WORKER__METRICS_PORT": str(port),
                "CXPULSE_WORKER__DATA_DIR": str(workdir / name),
                "CXPULSE_WORKER__STANDBY_REPLICAS": str(standby),
                "CXPULSE_INTAKE__MAX_BEHIND": str(20 * 365 * 86400),  # a fixed historical day
            },
        )
        return WorkerRun(proc, f"http://127.0.0.1:{port}/metrics")

    n = len(records)
    kept = False
    try:
        say("1) one worker ...")
        cfg1, app1 = namespace("a")
        t0 = time.time()
        w = worker(cfg1, app1, "one")
        idle = [0]

        def idle_rss() -> None:
            idle[0] = rss(w.proc.pid) or idle[0]

        first = wait_total(procs, [w], 1, args.timeout, 0.1, idle_rss)
        scraper = Scraper(w.url, args.scrape_every)
        scraper.start()
        try:
            done = wait_total(procs, [w], n, args.timeout)
        finally:
            scraper.stop()
        one = n / (done - first)
        held_rss = rss(w.proc.pid)
        # Five reads right after the last event (the first while its changelog is written).
        reads: list[float] = []
        for _ in range(5):
            text, took = read_page(w.url)
            reads.append(took)
        render_ms = statistics.median(scraper.took)
        render_max_ms = max(scraper.took)
        series = sum(1 for ln in text.splitlines() if ln and not ln.startswith("#"))
        build_s = page_samples(f"{w.url}?name[]={BUILD}").get((BUILD, ()))
        alerts_one = settle(cfg1)
        keep_alerts(workdir, "one", alerts_one)
        counters_one = final_counters(cfg1, app1)
        procs.stop(w.proc)
        say(f"   {one:,.0f} events/s, {series:,} series, {render_ms:.0f} ms ({done - t0:.0f} s)")

        say("2) two workers ...")
        cfg2, app2 = namespace("b")
        pair = [worker(cfg2, app2, "two-a"), worker(cfg2, app2, "two-b")]
        first = wait_total(procs, pair, 1, args.timeout, 0.1)
        two = n / (wait_total(procs, pair, n, args.timeout) - first)
        alerts_two = settle(cfg2)
        keep_alerts(workdir, "two", alerts_two)
        for x in pair:
            procs.stop(x.proc)
        say(f"   {two:,.0f} events/s together; alerts {len(alerts_two)} vs {len(alerts_one)}")

        say("3) two workers with standby replicas, one killed ...")
        cfg3, app3 = namespace("c")
        pair = [worker(cfg3, app3, "f-a", 1), worker(cfg3, app3, "f-b", 1)]
        wait_total(procs, pair, n / 3, args.timeout)
        failover = kill_and_time_failover(procs, pair[1], pair[0], cfg3, app3, args.timeout, POLL)
        alerts_fail = settle(cfg3)
        keep_alerts(workdir, "failover", alerts_fail)
        counters_fail = final_counters(cfg3, app3)
        survivor = scrape(pair[0].url)  # how the survivor got its commits to the end
        procs.stop(pair[0].proc)
        say(f"   failover {failover} s; alerts {len(alerts_fail)} vs {len(alerts_one)}")

        result = {
            "stores": args.stores,
            # the workers' core compiled: they decide as this process did (same switch and build)
            "core_compiled": native.active(),
            "burst": {"region": burst, "factor": args.burst_factor} if burst else None,
            "stores_in_events": stores_seen,
            "events": n,
            "partitions": args.partitions,
            "events_per_s_1_worker": round(one, 1),
            "events_per_s_2_workers": round(two, 1),
            "scale_ratio": round(two / one, 3),
            "failover_s": round(failover, 1),
            "state_equal_after_failover": alerts_fail == alerts_one
            and counters_fail == counters_one,
            # every store's final counters (what each signal is read from) as in run 1
            "counters_equal_after_failover": counters_fail == counters_one,
            # events the survivor left unhandled at a rebalance, and partitions it read again
            # because offsets at their head were never handed on
            "survivor_stale_events": total(survivor, "cxpulse_events_stale_total"),
            "survivor_partitions_reread": total(survivor, "cxpulse_partitions_reread_total"),
            # events the survivor handed on before their partition's other topics were read
            # past them, by the merge bound that let them go (their order was arrival order)
            "survivor_released_unordered": {
                labels["bound"]: v
                for labels, v in survivor.get("cxpulse_events_released_unordered_total", [])
            },
            "stores_counters_differ": sum(
                counters_fail.get(k) != v for k, v in counters_one.items()
            )
            + len(counters_fail.keys() - counters_one.keys()),
            # which counters: a lost event shows as counts lower by one, an event judged late
            # in one run and not the other as one count moved between tiers or kinds
            "stores_counters_differ_sample": counter_diffs(counters_one, counters_fail),
            "alerts_equal_after_failover_by_rule": by_rule(alerts_one, alerts_fail),
            "alerts_crash_free": len(alerts_one),
            # two workers without a crash: a difference here is not the takeover's
            "alerts_equal_two_workers": alerts_two == alerts_one,
            "alerts_only_two_workers": differing(alerts_two, alerts_one),
            "alerts_missing_two_workers": differing(alerts_one, alerts_two),
            "alerts_after_failover": len(alerts_fail),
            "alerts_only_crash_free": differing(alerts_one, alerts_fail),
            "alerts_only_after_failover": differing(alerts_fail, alerts_one),
            "rss_bytes_per_store": round(max(held_rss - idle[0], 0) / max(stores_seen, 1)),
            "rss_note": f"{n / max(stores_seen, 1):.1f} events per store held; "
            "bench.store_memory gives a store's cost after a week",
            "metrics_series": series,
            # scrapes every --scrape-every s while the worker was busy: median and slowest
            "metrics_render_ms": round(render_ms, 1),
            "metrics_render_max_ms": round(render_max_ms, 1),
            # the first read finds no page built yet and builds it in the server's thread
            "metrics_render_first_ms": round(scraper.took[0], 1),
            "metrics_scrapes_under_load": len(scraper.took),
            "metrics_render_after_ms": [round(r, 1) for r in reads],
            "metrics_page_build_ms": None if build_s is None else round(build_s * 1000, 1),
            "machine": {"nproc": os.cpu_count(), "loadavg_1m": round(os.getloadavg()[0], 2)},
            "command": shlex.join(["python", "-m", "bench.scale", *argv]),
        }
        if alerts_fail != alerts_one or alerts_two != alerts_one or counters_fail != counters_one:
            # The alert events of each run and the workers' logs, for a look at the difference.
            result["kept"] = str(workdir)
            kept = True
        return result
    finally:
        procs.stop_all()
        for cfg, app in cleanups:
            cleanup_kafka(cfg, [app], [app])
        if not kept:
            shutil.rmtree(workdir, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--stores", type=int, default=10_000)
    p.add_argument("--events", type=int, default=60_000)
    p.add_argument("--partitions", type=int, default=4)
    p.add_argument("--bootstrap", default="127.0.0.1:19092")
    p.add_argument("--timeout", type=float, default=600.0)
    p.add_argument(
        "--scrape-every", type=float, default=5.0, help="seconds between reads of /metrics"
    )
    p.add_argument(
        "--burst", default="东北", help="region whose stores turn bad at 11:01 ('none': none)"
    )
    p.add_argument("--burst-factor", type=float, default=10.0, help="its traffic multiplier")
    args = p.parse_args(argv)
    try:
        print(json.dumps(run(args, argv), indent=2))
    except BenchError as err:
        print(f"bench.scale: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
