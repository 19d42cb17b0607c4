"""The worker's per-batch path in one process, without Kafka: where a batch's time goes.

``python -m bench.worker_step [--events N] [--stores S] [--batch B] [--profile] [--chain]``
feeds the events ``bench.pipeline`` would produce (with ``--chain``: ``bench.scale``'s, for any
number of stores) through ``Worker.handle_batch`` (tables and topics replaced by in-memory
recorders, so only cxpulse's own work is timed) and prints one JSON object: ``events_per_s`` of
the worker, the share of it spent writing changed stores to the changelog and publishing their
snapshots (``write_share``), the baseline ``decode_only_events_per_s`` (JSON parse + contract
validation of the same messages, measured in the same run) and, with ``--profile``, the top
functions by cumulative and by own time with their share of the run.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.pipeline import generate
from cxpulse.config import Settings
from streams.core.decode import decode
from streams.metrics import Metrics
from streams.topics import Topics
from streams.worker import app as worker_app
from streams.worker.assembly import assemble


@dataclass
class Msg:
    topic: str
    key: bytes
    value: bytes
    partition: int
    offset: int
    timestamp: float


@dataclass
class Ev:
    message: Msg


@dataclass
class Sink:
    sent: int = 0
    bytes: int = 0

    def send_soon(self, **kw: Any) -> None:
        self.sent += 1
        self.bytes += len(kw.get("value") or b"")


@dataclass
class Table:
    data: dict[bytes, Any] = field(default_factory=dict)
    changelog_messages: int = 0
    changelog_bytes: int = 0

    def send_changelog(self, partition: int, key: bytes, value: Any, **_: str) -> None:
        self.changelog_messages += 1
        self.changelog_bytes += len(value) if isinstance(value, bytes) else 0


def make(partitions: int, settings: Settings | None = None) -> tuple[worker_app.Worker, Table]:
    settings = settings or Settings()
    topics: dict[str, Sink] = {}
    store = Table()
    worker = assemble(
        settings,
        Metrics(),
        None,
        Topics.from_config(settings.kafka),
        store_table=store,
        complaint_table=Table(),
        topic=lambda name: topics.setdefault(name, Sink()),
    )
    return worker, store


def batches(
    records: Sequence[tuple[str, bytes, bytes]], size: int, partitions: int
) -> list[list[Ev]]:
    now = time.time()
    offsets: dict[tuple[str, int], int] = {}
    evs: list[Ev] = []
    for topic, key, value in records:
        p = hash(key) % partitions
        o = offsets.get((topic, p), 0)
        offsets[(topic, p)] = o + 1
        evs.append(Ev(Msg(topic, key, value, p, o, now)))
    return [evs[i : i + size] for i in range(0, len(evs), size)]


def top(prof: cProfile.Profile, key: str, n: int) -> list[dict[str, Any]]:
    st = pstats.Stats(prof)
    total = st.total_tt  # type: ignore[attr-defined]
    rows = []
    for (file, line, fn), (_cc, nc, tt, ct, _callers) in st.stats.items():  # type: ignore[attr-defined]
        rows.append((ct if key == "cumulative" else tt, nc, f"{os.path.relpath(file)}:{line}:{fn}"))
    rows.sort(reverse=True)
    return [
        {"function": name, "calls": nc, "s": round(t, 3), "share": round(t / total, 3)}
        for t, nc, name in rows[:n]
    ]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--events", type=int, default=20_000)
    p.add_argument("--stores", type=int, default=200)
    p.add_argument("--batch", type=int, default=500)
    p.add_argument("--partitions", type=int, default=4)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--profile", action="store_true")
    p.add_argument("--top", type=int, default=25)
    p.add_argument(
        "--chain",
        action="store_true",
        help="the chain generator's traffic (any --stores, as bench.scale) instead of the "
        "simulator's (at most 999 stores, as bench.pipeline)",
    )
    p.add_argument(
        "--decoded",
        type=int,
        default=None,
        help="worker.stores_decoded (default: the setting's default; 0: every store decoded)",
    )
    a = p.parse_args()
    settings = Settings()
    if a.decoded is not None:
        settings.worker.stores_decoded = a.decoded or None
    if a.chain:
        from bench.chain_events import chain_records

        records = chain_records(a.events, a.stores, settings.kafka, None, 1.0)
    else:
        records = generate(a.events, a.stores, a.seed, settings.kafka)
    kinds = Topics.from_config(settings.kafka)

    t0 = time.perf_counter()
    for topic, key, value in records:
        decode(value, expected_type=kinds.kind_of(topic), key=key)
    decode_s = time.perf_counter() - t0

    worker, store = make(a.partitions, settings)
    work = batches(records, a.batch, a.partitions)
    spent = [0.0]
    write = worker._write

    def timed_write(wall: float) -> None:
        t = time.perf_counter()
        write(wall)
        spent[0] += time.perf_counter() - t

    worker._write = timed_write  # type: ignore[method-assign]
    prof = cProfile.Profile() if a.profile else None
    t0 = time.perf_counter()
    if prof:
        prof.enable()
    for batch in work:
        worker.handle_batch(batch)
    if prof:
        prof.disable()
    worker_s = time.perf_counter() - t0
    out: dict[str, Any] = {
        "events": len(records),
        "stores": a.stores,
        "traffic": "chain" if a.chain else "simulator",
        "batch": a.batch,
        "loadavg_1m": os.getloadavg()[0],
        "decode_only_events_per_s": round(len(records) / decode_s),
        "events_per_s": round(len(records) / worker_s),
        "write_s": round(spent[0], 3),  # encoding and sending the changed stores' state
        "write_share": round(spent[0] / worker_s, 3),
        "profiled": bool(prof),
        "changelog_messages": store.changelog_messages,
        "changelog_bytes": store.changelog_bytes,
        "stores_decoded_setting": settings.worker.stores_decoded,
        "stores_compressed": int(worker.metrics.stores_compressed._value.get()),
    }
    if prof:
        out["top_cumulative"] = top(prof, "cumulative", a.top)
        out["top_own"] = top(prof, "own", a.top)
    print(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
