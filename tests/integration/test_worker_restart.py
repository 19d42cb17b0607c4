"""A worker killed mid-stream and restarted commits its offsets up to the end again; two
workers starting on a backlog count every event.

Without it the restarted worker processed the whole backlog, but its committed offsets crept
forward one or two per commit, so the next crash would re-read it all; and in about one run
in ten a partition's commit stopped for a minute, after Faust set back an offset committed
during its seek (see streams/worker/offsets.py).
"""

from __future__ import annotations

import io
import json
import signal
from datetime import datetime, timedelta, timezone
from functools import partial

import pytest
from kafka import KafkaConsumer, TopicPartition

from cxpulse.live import scrape
from streams.simulate import SimConfig, Simulator, write_jsonl
from tests.helpers import feedback, line
from tests.integration.conftest import KINDS, Env, lag
from tests.waiting import free_port, wait_for

pytestmark = pytest.mark.kafka

# Every kind of event from many stores: enough state that recovering it after the restart
# takes seconds, and a backlog of seconds after that (the commit bookkeeping went wrong when
# table recovery ended while the backlog was being fetched).
STORES = 150
HOURS = 48
COMMIT_WINDOW = 15.0  # Faust commits every 2.8 s: a few chances to commit the last batch


def committed_past(env: Env, c: KafkaConsumer, count: float) -> bool:
    return lag(env, c)[0] > count


def consumed(env: Env) -> float:
    return sum(v for k, v in env.metrics().items() if k[0] == "cxpulse_events_consumed_total")


def test_offsets_reach_the_end_after_a_kill_mid_stream(env: Env, offsets: KafkaConsumer) -> None:
    start = datetime(2026, 11, 23, tzinfo=timezone(timedelta(hours=8)))
    buf = io.StringIO()
    write_jsonl(Simulator(SimConfig(stores=STORES)), start, start + timedelta(hours=HOURS), buf)
    events = [json.loads(ln) for ln in buf.getvalue().splitlines()]
    env.produce([(e["event_type"], e["store_id"].encode(), json.dumps(e).encode()) for e in events])
    worker = env.start_worker()
    # Killed mid-stream twice: whether the bookkeeping goes wrong depends on how the end of
    # table recovery meets the fetcher, so one restart does not always show it.
    for share in (0.3, 0.6):
        past = partial(committed_past, env, offsets, len(events) * share)
        wait_for(past, 60, f"{share:.0%} committed")
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        backlog = lag(env, offsets)[1]
        assert backlog > 0, "killed mid-stream"
        worker = env.start_worker()
    # The restarted worker reads again from the committed offsets (re-read events count too).
    wait_for(lambda: consumed(env) >= backlog, 120, f"{backlog} events read after the restart")
    wait_for(
        lambda: lag(env, offsets)[1] == 0,
        COMMIT_WINDOW,
        "the offsets to be committed",
        explain=lambda: f"{by_partition(env, offsets)}\n{env.state()}\n{env.log(tail=6000)}",
    )


def by_partition(env: Env, c: KafkaConsumer) -> str:
    """Each event partition's committed offset and end, for a failure message."""
    k = env.settings.kafka
    tps = [TopicPartition(k.topic(kind), p) for kind in KINDS for p in range(k.partitions)]
    end = c.end_offsets(tps)
    return ", ".join(f"{tp.topic}[{tp.partition}] {c.committed(tp)}/{end[tp]}" for tp in tps)


def applied(url: str) -> float:
    """Events a worker applied to its stores: taken in, less duplicates and late ones."""
    page = scrape(url)
    total = 0.0
    for (name, _), value in page.items():
        if name == "cxpulse_events_consumed_total":
            total += value
        elif name in ("cxpulse_events_duplicate_total", "cxpulse_events_late_total"):
            total -= value
    return total


def test_two_workers_starting_on_a_backlog_apply_every_event_once(env: Env) -> None:
    """The first worker to join reads under an assignment that the second one's join ends at
    once. What it fetched then and had not handled is dropped at the rebalance, and a partition
    with nothing committed yet must be read again from its start, not from where the fetch had
    got to; what it did handle is counted once, by whichever worker holds the store."""
    stores, each = 60, 40
    # In event-time order, a minute at a time across the stores: none is late.
    env.produce(
        [fb_event(i, store=f"S{s:02d}", minutes=i) for i in range(each) for s in range(stores)]
    )
    env.start_worker()
    port = free_port()
    env.start_worker(
        CXPULSE_WORKER__METRICS_PORT=str(port),
        CXPULSE_WORKER__DATA_DIR=str(env.tmp / "worker-b"),
    )
    urls = (env.metrics_url, f"http://127.0.0.1:{port}/metrics")
    wait_for(
        lambda: sum(applied(u) for u in urls) >= stores * each,
        timeout=150,
        what=f"{stores * each} events applied",
        retry=(OSError,),  # a worker's metrics server not up yet
        explain=lambda: f"{env.state()}\n{env.log(tail=4000)}",
    )
    # Nothing applied twice either, once both workers are done.
    wait_for(lambda: env.metric("cxpulse_consumer_lag") == 0, 60, "the first worker done")
    assert sum(applied(u) for u in urls) == stores * each


def fb_event(i: int, store: str, minutes: int) -> tuple[str, bytes, bytes]:
    body = feedback(i, 1 + i % 5, store=store, minutes=minutes)
    return ("feedback", store.encode(), line(body))
