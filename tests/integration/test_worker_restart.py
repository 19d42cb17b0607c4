"""A worker killed mid-stream and restarted commits its offsets up to the end again.

Without it the restarted worker processed the whole backlog, but its committed offsets crept
forward one or two per commit, so the next crash would re-read it all (see
streams/worker/offsets.py).
"""

from __future__ import annotations

import io
import json
import signal
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from functools import partial

import pytest
from kafka import KafkaConsumer, TopicPartition

from streams.simulate import SimConfig, Simulator, write_jsonl
from tests.integration.conftest import Env
from tests.waiting import wait_for

pytestmark = pytest.mark.kafka

# Every kind of event from many stores: enough state that recovering it after the restart
# takes seconds, and a backlog of seconds after that (the commit bookkeeping went wrong when
# table recovery ended while the backlog was being fetched).
STORES = 150
HOURS = 48
KINDS = ("feedback", "call", "review", "complaint")
COMMIT_WINDOW = 15.0  # Faust commits every 2.8 s: a few chances to commit the last batch


@pytest.fixture
def offsets(env: Env) -> Iterator[KafkaConsumer]:
    """Reads the worker group's committed offsets (it never joins the group)."""
    c = KafkaConsumer(
        bootstrap_servers=env.settings.kafka.bootstrap,
        group_id=env.settings.worker.app_id,  # Faust's consumer group is the app id
        enable_auto_commit=False,
    )
    yield c
    c.close()


def lag(env: Env, c: KafkaConsumer) -> tuple[int, int]:
    """(committed offsets summed, events not yet committed) on the event topics."""
    k = env.settings.kafka
    tps = [TopicPartition(k.topic(kind), p) for kind in KINDS for p in range(k.partitions)]
    end = c.end_offsets(tps)
    committed = {tp: c.committed(tp) or 0 for tp in tps}
    return sum(committed.values()), sum(end[tp] - committed[tp] for tp in tps)


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
    wait_for(lambda: lag(env, offsets)[1] == 0, COMMIT_WINDOW, "the offsets to be committed")
