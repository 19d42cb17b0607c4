"""A bare Faust passthrough: the floor the cxpulse worker is compared with.

Same broker, same four event topics, same batching (``take_events(500, within=0.05)``), memory
store, raw serializers, no decoding and no state: it only counts. Run by ``bench.pipeline`` as a
subprocess; it reports through a JSON progress file (replaced atomically) and runs until killed::

    python -m bench.faust_passthrough --app-id ID --bootstrap HOST:PORT --expect N \
        --progress FILE --datadir DIR TOPIC [TOPIC ...]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import faust

PROGRESS_EVERY = 0.1  # seconds between progress-file writes (and always at the expected count)


def write_progress(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


def build(args: argparse.Namespace) -> faust.App:
    app = faust.App(
        args.app_id,
        broker=f"kafka://{args.bootstrap}",
        store="memory://",
        datadir=args.datadir,
        topic_partitions=args.partitions,
        topic_allow_declare=True,
        processing_guarantee="at_least_once",
        consumer_auto_offset_reset="earliest",
        table_standby_replicas=0,
        web_enabled=False,
        key_serializer="raw",
        value_serializer="raw",
    )
    source = app.topic(
        *args.topics,
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
    )
    progress = Path(args.progress)
    state: dict[str, Any] = {"count": 0, "first": None, "done_at": None, "pid": os.getpid()}
    last_write = 0.0

    @app.agent(source, concurrency=1)
    async def passthrough(stream: Any) -> None:
        nonlocal last_write
        async for batch in stream.take_events(args.batch_max, within=args.batch_within):
            now = time.time()
            if state["first"] is None:
                state["first"] = now
            state["count"] += len(batch)
            if state["count"] >= args.expect and state["done_at"] is None:
                state["done_at"] = now
            if state["done_at"] == now or now - last_write >= PROGRESS_EVERY:
                state["last"] = now
                write_progress(progress, state)
                last_write = now

    return app


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.faust_passthrough")
    p.add_argument("--app-id", required=True)
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--partitions", type=int, default=4)
    p.add_argument("--expect", type=int, required=True)
    p.add_argument("--progress", required=True)
    p.add_argument("--datadir", required=True)
    p.add_argument("--batch-max", type=int, default=500)
    p.add_argument("--batch-within", type=float, default=0.05)
    p.add_argument("topics", nargs="+")
    args = p.parse_args(argv)
    app = build(args)
    sys.argv = sys.argv[:1]  # faust.Worker must not see our options
    # The same Worker class as cxpulse: plain faust.Worker's spinner lowers the root logger to
    # DEBUG, which would handicap the baseline with log records nobody reads.
    from streams.worker.main import FaustWorker

    FaustWorker(app, loglevel="warning", quiet=True).execute_from_commandline()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
