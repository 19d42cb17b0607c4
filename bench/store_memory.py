"""What one store costs in memory after a simulated week of chain traffic.

``python -m bench.store_memory [--stores 50] [--days 7] [--events-per-store-day 1000]
[--parts] [--chain N [--decoded K] [--events E]]``: the chain generator's traffic
(heavy-tailed store sizes, every kind and complaint step) run through the whole per-event step,
as the worker runs it, for ``--days`` days. A store's state depends on its own traffic and the
retention of its windows, not on how many other stores there are, so a sample of stores at the
chain's density stands for a 10,000-store chain: multiply by the store count for a worker's
working set.

The events are generated in a child process, so the resident memory measured is the step's
and its stores' only, as in a worker. Prints one JSON object: resident memory added per store
(after a full garbage collection); the changelog record per store (mean, largest, and by
traffic fifth; and compressed, as a worker holds a recovered or standby copy); the open SLA
clocks; the throughput of the run; with ``--parts``, what a store holds by part (a deep
``sys.getsizeof`` walk, so Python's object sizes without the allocator's slack), their total,
and the interned strings the stores share (counted once for the process).

With ``--chain``, a chain of ``N`` such stores (copies of the sample's, each its own objects)
is held as a worker holds them: the ``K`` most recently changed decoded, the others compressed
(``streams/worker/compressed.py``; ``K`` defaults to ``worker.stores_decoded``, 0 holds every
store decoded). Added to the JSON: the resident memory that chain adds per store, and what
compressing and decoding one store costs; with ``--events``, the chain's traffic of the next
Monday's lunch through ``Worker.handle_batch`` (as ``bench.worker_step``, the collector set as
the worker sets it), events per second and seconds of cycle collection over the second half,
against the same with every store decoded, measured in the same run. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import pickle
import sys
import time
from array import array
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from multiprocessing.connection import Connection
from typing import Any

from bench import worker_step
from bench.chain_events import chain_records
from cxpulse.config import Settings
from streams import wiring
from streams.core.intake import Message
from streams.core.sla.engine import Engine
from streams.core.step import Pipeline
from streams.core.store import StoreState
from streams.heap import Pauses, tune_gc
from streams.simulate import ChainConfig, ChainGenerator
from streams.simulate.chain import store_id
from streams.worker.compressed import Decoded, compact, thaw

START = datetime.fromisoformat("2026-11-23T00:00:00+08:00")  # a Monday
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_now() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def interned(s: str) -> bool:
    """Whether ``s`` is the process's interned copy of its text. Asked with an equal copy, so
    ``s`` itself is never interned by asking (the copy may be, where none was: harmless here)."""
    return sys.intern((s + "\0")[:-1]) is s


def deep_size(obj: object, seen: set[int], shared: dict[int, int] | None = None) -> int:
    """Bytes of ``obj`` and everything it holds that ``seen`` does not (shared objects count
    once). Interned strings are one copy for the whole process (a call centre's agent names at
    every store): with ``shared`` they go there (id -> bytes), not into the store's bytes."""
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    if shared is not None and isinstance(obj, str) and interned(obj):
        shared[id(obj)] = sys.getsizeof(obj)
        return 0
    size = sys.getsizeof(obj)
    inner: Iterable[Any] = ()
    if isinstance(obj, dict):
        inner = [*obj.keys(), *obj.values()]
    elif isinstance(obj, (list, tuple, set, frozenset)):
        inner = obj
    elif isinstance(obj, (str, bytes, int, float, array)) or obj is None:
        inner = ()
    elif hasattr(obj, "__dict__"):
        inner = [vars(obj)]
    elif native := [a for c in type(obj).__mro__ for a in getattr(c, "__mypyc_attrs__", ())]:
        # A compiled class (streams.native): numbers are held inside the object itself (its
        # getsizeof); reading one makes a new object that the store does not hold.
        values = [getattr(obj, a) for a in native if hasattr(obj, a)]
        inner = [v for v in values if not isinstance(v, (int, float))]
    else:
        slots = [s for c in type(obj).__mro__ for s in getattr(c, "__slots__", ())]
        inner = [getattr(obj, s) for s in slots if hasattr(obj, s)]
    return size + sum(deep_size(x, seen, shared) for x in inner)


def parts(states: Iterable[StoreState]) -> dict[str, int]:
    """Bytes per store by part, averaged; ``shared_by_all_stores`` is the interned strings
    the stores refer to, counted once for all of them (not per store)."""
    out: dict[str, int] = {}
    shared: dict[int, int] = {}
    held = list(states)
    for st in held:
        seen: set[int] = set()
        named = {
            "counters": st.stats,
            "call_buckets": st.calls.scopes,
            "callers": st.calls.callers,
            "spike_baselines": st.spikes,
            "evidence": st.recent,
            "seen_ids": st.seen,
        }
        for name, obj in named.items():
            out[name] = out.get(name, 0) + deep_size(obj, seen, shared)
        # what the parts above left
        out["rest"] = out.get("rest", 0) + deep_size(st, seen, shared)
    per_store = {k: round(v / max(len(held), 1)) for k, v in out.items()}
    return {
        **per_store,
        "total": sum(per_store.values()),
        "shared_by_all_stores": sum(shared.values()),
    }


Batch = list[tuple[float, str, str]]  # (event time, store id, JSON line)


def generate(stores: int, per_day: float, days: float) -> Iterator[Batch]:
    """The chain's events of ``days`` days from Monday 00:00, in the generator's 10 s batches."""
    gen = ChainGenerator(ChainConfig(stores=stores, events_per_store_day=per_day))
    for batch in gen.batches(START, START + timedelta(days=days)):
        yield [(float(item[0]), item[3], item[4]) for item in batch]  # (t, id, kind, store, JSON)


def produce(conn: Connection, stores: int, per_day: float, days: float) -> None:
    """The generator in a process of its own: it keeps caches of its own (rendered times, a
    few MB after a week) that a worker reading Kafka does not have, and would count here as
    what the stores cost."""
    for batch in generate(stores, per_day, days):
        conn.send(batch)
    conn.send(None)
    conn.close()


def received(conn: Connection) -> Iterator[Batch]:
    while (batch := conn.recv()) is not None:
        yield batch


def feed(pipe: Pipeline, batches: Iterable[Batch], held: dict[str, StoreState]) -> int:
    """Every event through the step; the working set is handed back once per 10 s batch, as
    the worker writes it once per batch."""
    events = 0
    for batch in batches:
        for at, store, line in batch:
            pipe.message(Message(line.encode(), store.encode(), None, at), 0, at)
            events += 1
        for sid, (_, st) in pipe.take_changes().stores.items():
            held[sid] = st
        if events and events % 50_000 < len(batch):
            print(f"[store_memory] {events:,} events", file=sys.stderr, flush=True)
    return events


def run(
    stores: int,
    days: float,
    per_day: float,
    by_part: bool = False,
    sample: list[StoreState] | None = None,
) -> dict[str, object]:
    """The week's run; the stores are left in ``sample`` where one is given."""
    settings = Settings()
    signals = wiring.signals(settings)
    # Warm-up on a throwaway pipeline: the text models and caches load on first use and are
    # shared by every store; they are not what a store costs.
    warm = Pipeline(settings.intake, signals, Engine(settings.sla), lambda k: None, lambda k: None)
    feed(warm, generate(5, per_day, 0.5), {})
    del warm
    ours, theirs = multiprocessing.Pipe(duplex=False)
    producer = multiprocessing.get_context("fork").Process(
        target=produce, args=(theirs, stores, per_day, days), daemon=True
    )
    producer.start()
    theirs.close()
    held: dict[str, StoreState] = {}
    pipe = Pipeline(settings.intake, signals, Engine(settings.sla), held.get, lambda k: None)
    gc.collect()
    before = rss_now()
    wall, cpu = time.perf_counter(), time.process_time()
    events = feed(pipe, received(ours), held)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    producer.join()
    gc.collect()
    added = rss_now() - before
    out_parts = parts(held.values()) if by_part else None
    recovered = {sid: st.to_wire() for sid, st in held.items()}
    sizes = sorted(map(len, recovered.values()))
    compact(recovered, list(recovered))  # as a recovered or standby copy is held
    if sample is not None:
        sample.extend(held.values())
    fifths = [sizes[len(sizes) * i // 5 : len(sizes) * (i + 1) // 5] for i in range(5)]
    return {
        "stores": len(held),
        "simulated_days": days,
        "events": events,
        "events_per_store_day": per_day,
        "events_per_s_cpu": round(events / cpu),
        "seconds_wall": round(wall, 1),
        "rss_bytes_added": added,
        "rss_bytes_per_store": round(added / max(len(held), 1)),
        "changelog_bytes_per_store_mean": round(sum(sizes) / max(len(sizes), 1)),
        "changelog_bytes_per_store_max": sizes[-1] if sizes else 0,
        "recovered_bytes_per_store_mean": round(
            sum(map(len, recovered.values())) / max(len(recovered), 1)
        ),
        "changelog_bytes_by_traffic_fifth": [round(sum(f) / len(f)) for f in fifths if f],
        "open_sla_clocks": pipe.open_deadlines(),
        **({"bytes_per_store_by_part": out_parts} if out_parts else {}),
    }


def held_chain(
    copies: list[bytes], ids: list[str], decoded: int | None
) -> tuple[dict[bytes, object], Decoded, float]:
    """A store table of ``ids``, each a copy of a sample store (its own objects), held as a
    worker holds them; with the order of the decoded ones and the seconds spent compressing."""
    held: dict[bytes, object] = {}
    order = Decoded(decoded)
    freeze_s = 0.0
    for i, sid in enumerate(ids):
        state = pickle.loads(copies[i % len(copies)])
        state.store_id = sid
        key = sid.encode()
        held[key] = state
        order.changed(key)
        t = time.perf_counter()
        order.freeze_pushed_out(held, (), held.__setitem__)
        freeze_s += time.perf_counter() - t
        if (i + 1) % 2000 == 0:
            print(f"[store_memory] chain: {i + 1:,} stores", file=sys.stderr, flush=True)
    return held, order, freeze_s


def through_worker(
    held: dict[bytes, object], order: Decoded, records: list[tuple[str, bytes, bytes]]
) -> tuple[float, float]:
    """Events per second of ``records`` through ``Worker.handle_batch`` (tables and topics
    replaced by recorders, as ``bench.worker_step``) over the stores ``held``, and the seconds
    of cycle collection in it, timed over the second half: the first fills the decoded set with
    the stores the traffic touches. The collector is set as the worker sets it."""
    settings = Settings()
    settings.worker.stores_decoded = order.keep
    worker, table = worker_step.make(4, settings)
    table.data = held
    worker.decoded = order
    work = worker_step.batches(records, 500, 4)
    half = len(work) // 2
    for batch in work[:half]:
        worker.handle_batch(batch)
    pauses = Pauses()
    pauses.watch()
    t = time.perf_counter()
    for batch in work[half:]:
        worker.handle_batch(batch)
    spent = time.perf_counter() - t
    pauses.stop()
    return sum(map(len, work[half:])) / spent, sum(s for _, s in pauses.take())


def chain(
    sample: list[StoreState], stores: int, decoded: int | None, events: int
) -> dict[str, object]:
    """``stores`` copies of the sample's stores held as a worker holds them, and ``events`` of
    the chain's traffic from the hour after the sample's week through the worker, against the
    same with every store decoded (module doc)."""
    if events:
        # As the worker sets the collector at its start, before it holds any store.
        tune_gc(Settings().worker.gc_young_threshold)
    copies = [pickle.dumps(st, protocol=5) for st in sample]
    after = START + timedelta(days=7, hours=11)  # the next Monday, before lunch
    records = chain_records(events, stores, Settings().kafka, None, 1.0, after) if events else []
    ids = [store_id(n, stores) for n in range(1, stores + 1)]
    del sample[:]  # only the chain is measured, not the sample it was copied from
    gc.collect()
    before = rss_now()
    held, order, freeze_s = held_chain(copies, ids, decoded)
    gc.collect()
    added = rss_now() - before
    frozen = [v for v in held.values() if isinstance(v, bytes)]
    t = time.perf_counter()
    for v in frozen[:2000]:
        thaw(v)
    thaw_s = (time.perf_counter() - t) / max(min(len(frozen), 2000), 1)
    out: dict[str, object] = {
        "stores": stores,
        "stores_decoded": decoded,
        "held_compressed": len(frozen),
        "rss_bytes_added": added,
        "rss_bytes_per_store": round(added / stores),
        "compressed_bytes_per_store_mean": round(sum(map(len, frozen)) / max(len(frozen), 1)),
        "compress_ms_per_store": round(freeze_s / max(len(frozen), 1) * 1000, 3),
        "decode_ms_per_store": round(thaw_s * 1000, 3),
    }
    if events:
        print("[store_memory] chain: events through the worker", file=sys.stderr, flush=True)
        rate, collecting = through_worker(held, order, records)
        del held, order, frozen
        gc.collect()
        every, every_order, _ = held_chain(copies, ids, None)
        baseline, baseline_collecting = through_worker(every, every_order, records)
        out |= {
            "events": len(records),
            "events_per_s": round(rate),
            "gc_s": round(collecting, 2),
            "events_per_s_every_store_decoded": round(baseline),
            "gc_s_every_store_decoded": round(baseline_collecting, 2),
            "ratio": round(rate / baseline, 3),
        }
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--stores", type=int, default=50)
    p.add_argument("--days", type=float, default=7.0)
    p.add_argument("--events-per-store-day", type=float, default=1000.0)
    p.add_argument("--parts", action="store_true", help="what a store holds, by part")
    p.add_argument("--chain", type=int, default=0, help="a chain of this many stores (doc)")
    p.add_argument("--decoded", type=int, default=None, help="stores held decoded (doc)")
    p.add_argument("--events", type=int, default=0, help="chain events through the worker (doc)")
    args = p.parse_args()
    sample: list[StoreState] = []
    out = run(args.stores, args.days, args.events_per_store_day, args.parts, sample)
    if args.chain:
        keep = Settings().worker.stores_decoded if args.decoded is None else args.decoded or None
        out["chain"] = chain(sample, args.chain, keep, args.events)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
