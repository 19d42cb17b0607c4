"""What one rollup checkpoint costs at chain scale: ``python -m bench.rollup_checkpoint``.

The rollup agent saves its whole state every ``CHECKPOINT_SECONDS`` on the worker's event loop
(``streams/worker/rollup.py``). This fills one rollup partition (one brand, as a single-brand
chain puts it) with contributions at a steady rate for some hours of event time, then times
the checkpoint's two steps: the state's JSON form (``Rollups.to_json``) and its bytes
(``orjson.dumps``), best of ``--repeat``; then the changelog bytes the worker's checkpoint
(``Runner``, on a table that only counts) sends the first time and the next; then what judging
one step boundary costs (the agent's loop is held that long). One JSON object.
It needs no broker.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Sequence
from typing import Any

import orjson

from streams.core.rollup.config import RollupConfig
from streams.core.rollup.model import Contribution
from streams.core.rollup.state import Rollups
from streams.worker.rollup import Runner

T0 = 1_796_000_000.0  # a fixed start: the figures do not depend on the day it runs
CITIES = 300  # about as many as a 10,000-store chain's simulator spreads it over
REGIONS = 8


def filled(stores: int, rate: float, hours: float, seed: int) -> Rollups:
    """A partition's rollups after `hours` of contributions at `rate` a second."""
    rng = random.Random(seed)
    ids = [f"S{i:06d}" for i in range(stores)]
    r = Rollups(RollupConfig(), partitions=1)
    ratings = [None, 1, 2, 3, 4, 5, 5, 5, 4]  # about one in nine a negative without a rating
    for k in range(int(rate * hours * 3600)):
        at = T0 + k / rate
        i = rng.randrange(stores)
        rating = rng.choice(ratings)
        negative = rating is None or rating <= 2
        r.add(
            Contribution(
                0, at, f"e{k}", ids[i], "B", f"R{i % REGIONS}", f"C{i % CITIES}", rating, negative
            )
        )
        if k % 1000 == 0:
            r.mark(0, at)
            r.advance()
    return r


def measure(r: Rollups, repeat: int) -> dict[str, Any]:
    to_json, dumps = [], []
    raw = b""
    for _ in range(repeat):
        t0 = time.perf_counter()
        state = r.to_json()
        t1 = time.perf_counter()
        raw = orjson.dumps(state)
        t2 = time.perf_counter()
        to_json.append(t1 - t0)
        dumps.append(t2 - t1)
    return {
        "bytes": len(raw),
        "bytes_by_part": {k: len(orjson.dumps(v)) for k, v in r.to_json().items()},
        "to_json_ms": round(min(to_json) * 1000, 1),
        "dumps_ms": round(min(dumps) * 1000, 1),
        "step_rows": sum(len(rows) for rows in r.stores.values()),
        "event_ids_held": sum(len(ids) for ids in r.seen.values()),
        "entities": len(r.entities),
    }


def judging(r: Rollups, steps: int) -> dict[str, Any]:
    """The next ``steps`` step boundaries judged one at a time, as a mark that passes each one
    judges it: what the rollup agent's loop is held for once per step of event time (and per
    step a backlog crosses). Run last: it moves the state on."""
    step, took = r.cfg.step, []
    at = r.marks[0]
    for _ in range(steps):
        at += step
        t0 = time.perf_counter()
        r.mark(0, at)
        r.advance()
        took.append(time.perf_counter() - t0)
    return {
        "judge_ms_median": round(statistics.median(took) * 1000, 1),
        "judge_ms_max": round(max(took) * 1000, 1),
    }


class _Table:
    """The rollup-state table, counting the changelog bytes a checkpoint sends."""

    def __init__(self) -> None:
        self.data: dict[bytes, Any] = {}
        self.sent = 0

    def send_changelog(self, partition: int, key: bytes, value: Any, **_: Any) -> None:
        self.sent += len(key) + len(value or b"")


def changelog_bytes(r: Rollups) -> dict[str, Any]:
    """What the worker's checkpoint sends: the first (every judged step, settled hour and
    the stores' labels too) and the next (those go once: only the open part again)."""
    table = _Table()
    runner = Runner(r.cfg, 1, table, alerts=None)
    runner.states[0], runner.applied[0] = r, 0
    sent = []
    for _ in range(2):
        t0 = time.perf_counter()
        runner.dirty.add(0)
        runner.checkpoint()
        sent.append((table.sent, time.perf_counter() - t0))
        table.sent = 0
    return {
        "changelog_bytes_first_checkpoint": sent[0][0],
        "changelog_bytes_next_checkpoint": sent[1][0],
        "save_ms_first": round(sent[0][1] * 1000, 1),
        "save_ms_next": round(sent[1][1] * 1000, 1),
    }


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.rollup_checkpoint", description=__doc__)
    p.add_argument("--stores", type=int, default=10_000)
    p.add_argument(
        "--rate", type=float, default=115.0, help="contributions a second (10M events a day)"
    )
    p.add_argument("--hours", type=float, default=2.0, help="event time filled (window: 1 h)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    if args.stores < 1 or args.rate <= 0 or args.hours <= 0 or args.repeat < 1:
        p.error("--stores, --rate, --hours and --repeat must be positive")
    t0 = time.perf_counter()
    r = filled(args.stores, args.rate, args.hours, args.seed)
    print(f"filled in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    result = {
        "stores": args.stores,
        "contributions": int(args.rate * args.hours * 3600),
        **measure(r, args.repeat),
        **changelog_bytes(r),
        **judging(r, 5),
        "command": " ".join(["python -m bench.rollup_checkpoint", *(argv or sys.argv[1:])]),
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
