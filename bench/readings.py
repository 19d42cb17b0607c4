"""How a bench reads the processes it measures: the worker's ``/metrics`` (its counters, its
latency histogram and the quantiles read from it), a process's CPU time, and the throughput
figure every consumer is reported in.

Shared by ``bench.pipeline``, the consumers it compares the worker with, and ``bench.scale``,
so that a figure is read one way whichever bench reports it.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.harness import BenchError, Procs, WorkerRun

# Rendering the metrics page costs the worker CPU (every collector runs, even for a filtered
# page): poll it twice a second, not five times; the figures' resolution is this interval.
POLL_SECONDS = 0.5
# Only what the bench reads: the full page (some 80 series per store) rendered five times a
# second cost the worker a third of a core, which Prometheus' 15 s scrape never would.
POLLED = (
    "cxpulse_events_consumed_total",
    "cxpulse_events_invalid_total",
    "cxpulse_events_duplicate_total",
    "cxpulse_events_late_total",
    "cxpulse_event_latency_seconds_bucket",
    "cxpulse_worker_busy_seconds_total",
    "cxpulse_gc_pause_seconds_sum",
)


def scrape(url: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    from prometheus_client.parser import text_string_to_metric_families

    url += "?" + "&".join(f"name[]={n}" for n in POLLED)
    with urllib.request.urlopen(url, timeout=2) as resp:
        text = resp.read().decode()
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples.setdefault(s.name, []).append((dict(s.labels), float(s.value)))
    return samples


def total(samples: dict[str, list[tuple[dict[str, str], float]]], name: str) -> float:
    return sum(v for _, v in samples.get(name, []))


def buckets(samples: dict[str, list[tuple[dict[str, str], float]]]) -> list[tuple[float, float]]:
    """Cumulative (upper bound, count) of the latency histogram, sorted, +Inf last."""
    rows = [
        (float(labels["le"]), v)
        for labels, v in samples.get("cxpulse_event_latency_seconds_bucket", [])
    ]
    return sorted(rows)


def quantile(cum: list[tuple[float, float]], q: float) -> float:
    """Linear interpolation inside the bucket holding the q-quantile (as Prometheus'
    histogram_quantile). In the +Inf bucket it returns the last finite bound (a lower bound)."""
    count = cum[-1][1] if cum else 0.0
    if count <= 0:
        return float("nan")
    rank = q * count
    prev_le, prev_c = 0.0, 0.0
    for le, c in cum:
        if c >= rank:
            if le == float("inf"):
                return prev_le
            if c == prev_c:
                return le
            return prev_le + (le - prev_le) * (rank - prev_c) / (c - prev_c)
        prev_le, prev_c = le, c
    return prev_le


def wait_consumed(
    procs: Procs, w: WorkerRun, target: int, timeout: float, label: str
) -> tuple[float | None, float, dict[str, list[tuple[dict[str, str], float]]], float | None]:
    """Poll every POLL_SECONDS until consumed + invalid >= target. Returns (time of the first
    nonzero reading, time the target was seen, last scrape, the worker's CPU seconds at the
    first nonzero reading); times are time.time()."""
    first_nonzero: float | None = None
    first_cpu: float | None = None
    seen = 0.0
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    for _ in polls(procs, w, timeout):
        try:
            samples = scrape(w.url)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            samples = {}
        now = time.time()
        if samples:
            seen = total(samples, "cxpulse_events_consumed_total") + total(
                samples, "cxpulse_events_invalid_total"
            )
            if seen and first_nonzero is None:
                first_nonzero, first_cpu = now, cpu_seconds(w.proc.pid)
            if seen >= target:
                return first_nonzero, now, samples, first_cpu
    raise BenchError(f"{label}: worker at {seen:,.0f}/{target:,} events at the deadline")


def polls(procs: Procs, w: WorkerRun, timeout: float) -> Iterator[float]:
    """One monotonic time every POLL_SECONDS until ``timeout`` seconds have passed, checking
    first each time that the worker still runs; the caller reads at each and stops when done,
    and a loop that ends is a deadline missed."""
    deadline = time.monotonic() + timeout
    while True:
        procs.check_alive(w.proc)
        tick = time.monotonic()
        yield tick
        if tick > deadline:
            return
        time.sleep(max(0.0, POLL_SECONDS - (time.monotonic() - tick)))


def where_time_went(
    samples: dict[str, list[tuple[dict[str, str], float]]],
    cpu_s: float | None,
    start_cpu_s: float | None = None,
) -> dict[str, Any]:
    """The worker's CPU seconds since it started, by part of its loop's work (its
    ``cxpulse_worker_busy_seconds``), the rest of the process (Faust, the Kafka client, the
    HTTP servers: the process's CPU less the parts; it includes the start, whose CPU up to the
    first reading of a consumed event is ``start_cpu_s``), and the collector's pauses, which
    fall inside whichever part was running."""
    parts = {
        labels["part"]: round(v, 2)
        for labels, v in samples.get("cxpulse_worker_busy_seconds_total", [])
    }
    out: dict[str, Any] = {"parts_s": dict(sorted(parts.items(), key=lambda kv: -kv[1]))}
    if cpu_s is not None:
        out["process_cpu_s"] = round(cpu_s, 2)
        out["rest_s"] = round(cpu_s - sum(parts.values()), 2)
    if cpu_s is not None and start_cpu_s is not None:
        out["process_cpu_s_at_first_reading"] = round(start_cpu_s, 2)
    out["gc_pauses_s"] = round(total(samples, "cxpulse_gc_pause_seconds_sum"), 2)
    return out


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc; None elsewhere or when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def cpu_share(before: float | None, after: float | None, seconds: float) -> float | None:
    """Cores used on average over `seconds` (1.0 = one core busy)."""
    if before is None or after is None or seconds <= 0:
        return None
    return round((after - before) / seconds, 2)


@dataclass
class Throughput:
    events: int
    first_to_last_s: float
    wall_s: float  # from process/consumer start, so including startup, join and rebalance
    cpu_cores: float | None = None  # the consumer process's CPU time / wall_s

    @property
    def rate(self) -> float:
        return self.events / self.first_to_last_s if self.first_to_last_s > 0 else float("nan")

    def as_json(self) -> dict[str, Any]:
        return {
            "events_per_s": round(self.rate, 1),
            "events_per_s_wall": round(self.events / self.wall_s, 1),
            "first_to_last_s": round(self.first_to_last_s, 3),
            "wall_s": round(self.wall_s, 3),
            "consumer_cpu_cores": self.cpu_cores,
        }


def wait_quiet(procs: Procs, w: WorkerRun, timeout: float) -> float:
    """Poll the worker's ``/healthz`` until its health check finds nothing left to read on the
    event topics and on the rollup topic (both lags 0: a backlog's rollup messages are read
    after its events); returns the seconds it took. Its check runs every few seconds and reads
    committed offsets, so this waits at least until the next check and commit."""
    url = w.url.removesuffix("/metrics") + "/healthz"
    t0 = time.monotonic()
    last: dict[str, Any] = {}
    for tick in polls(procs, w, timeout):
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                body = json.loads(resp.read())
        except urllib.error.HTTPError as exc:  # 503 while unhealthy: the body still says why
            body = json.loads(exc.read() or b"{}")
        except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
            body = {}
        last = {k: body.get(k) for k in ("lag", "rollup_lag")}
        if last["lag"] == 0 and last["rollup_lag"] in (0, None):
            return tick - t0
    raise BenchError(f"the worker still had messages to read at the deadline: {last}")
