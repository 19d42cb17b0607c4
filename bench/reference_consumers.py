"""The two consumers the worker's throughput is compared with, reading the same events: a raw
aiokafka ``getmany`` loop (the floor of what a Python consumer costs) and a bare Faust app
(``bench.faust_passthrough``: what Faust costs before any of cxpulse's work).

The pipeline's targets are its rate over these two (``TARGETS`` in ``bench.pipeline``), so they
read the same pre-produced events, each with a consumer group of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from typing import Any

from bench.harness import BenchError, Procs, say
from bench.readings import Throughput, cpu_seconds, cpu_share


async def _raw_aiokafka(
    topics: list[str], bootstrap: str, group: str, n: int, timeout: float
) -> Throughput:
    from aiokafka import AIOKafkaConsumer

    t0 = time.monotonic()
    cpu0 = time.process_time()
    deadline = t0 + timeout
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await asyncio.wait_for(consumer.start(), timeout=max(1.0, deadline - time.monotonic()))
    count = 0
    first = last = 0.0
    try:
        while count < n:
            if time.monotonic() > deadline:
                raise BenchError(f"raw aiokafka: only {count:,}/{n:,} events before the deadline")
            batches = await consumer.getmany(timeout_ms=200, max_records=50_000)
            got = sum(len(msgs) for msgs in batches.values())
            if got:
                now = time.monotonic()
                if not count:
                    first = now
                count += got
                last = now
        cpu = time.process_time() - cpu0
    finally:
        await consumer.stop()
    return Throughput(count, last - first, last - t0, cpu_share(0.0, cpu, last - t0))


def measure_raw(
    topics: list[str], bootstrap: str, group: str, n: int, timeout: float
) -> Throughput:
    say("a) raw aiokafka getmany loop ...")
    result = asyncio.run(_raw_aiokafka(topics, bootstrap, group, n, timeout))
    say(f"   {result.rate:,.0f} events/s ({result.events:,} in {result.first_to_last_s:.2f} s)")
    return result


def measure_bare_faust(
    procs: Procs,
    topics: list[str],
    bootstrap: str,
    app_id: str,
    partitions: int,
    n: int,
    timeout: float,
    env: dict[str, str],
) -> Throughput:
    say("b) bare Faust passthrough (subprocess) ...")
    progress = procs.workdir / "faust-progress.json"
    argv = [
        sys.executable, "-m", "bench.faust_passthrough",
        "--app-id", app_id, "--bootstrap", bootstrap, "--partitions", str(partitions),
        "--expect", str(n), "--progress", str(progress),
        "--datadir", str(procs.workdir / "faust-data"), *topics,
    ]  # fmt: skip
    t0 = time.time()
    proc = procs.spawn("faust-passthrough", argv, env)
    deadline = time.monotonic() + timeout
    state: dict[str, Any] = {}
    try:
        while True:
            procs.check_alive(proc)
            with contextlib.suppress(FileNotFoundError, ValueError):
                state = json.loads(progress.read_text(encoding="utf-8"))
            if state.get("done_at"):
                cpu = cpu_seconds(proc.pid)
                break
            if time.monotonic() > deadline:
                raise BenchError(
                    f"bare Faust: only {state.get('count', 0):,}/{n:,} events before the deadline"
                )
            time.sleep(0.05)
    finally:
        procs.stop(proc)
    wall = state["done_at"] - t0
    result = Throughput(
        int(state["count"]), state["done_at"] - state["first"], wall, cpu_share(0.0, cpu, wall)
    )
    say(f"   {result.rate:,.0f} events/s ({result.events:,} in {result.first_to_last_s:.2f} s)")
    return result
