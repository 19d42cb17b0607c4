"""A broker outage: the worker's log stays short, it does not spin, and it consumes again after.

Runs its own broker on free ports (the shared one on 19092 must never stop).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from cxpulse import localkafka
from cxpulse.config import load
from streams.topics import ensure_topics
from tests.helpers import feedback, line
from tests.integration.conftest import Env
from tests.waiting import free_port, wait_for

pytestmark = pytest.mark.kafka

OUTAGE = 30.0  # seconds: several reconnect cycles of every client loop and a summary interval
MAX_LINES = 100  # the unlimited log wrote ~70 lines a second
BUSY = 20_000  # events: the worker still works through them when the broker stops
MAX_CPU = 5.0  # CPU seconds in the outage (a spinning loop burns ~1 per second)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[localkafka.Broker]:
    b = localkafka.Broker(port=free_port(), controller_port=free_port(), root=tmp_path)
    localkafka.start(b, log=False)
    try:
        yield b
    finally:
        localkafka.stop(b)


@pytest.fixture
def outage_env(broker: localkafka.Broker, tmp_path: Path) -> Iterator[Env]:
    run = uuid.uuid4().hex[:8]
    vars = {
        "CXPULSE_KAFKA__BOOTSTRAP": broker.bootstrap,
        "CXPULSE_KAFKA__TOPIC_PREFIX": f"t{run}",
        "CXPULSE_KAFKA__PARTITIONS": "2",
        "CXPULSE_WORKER__APP_ID": f"cxpulse-test-{run}",
        "CXPULSE_WORKER__METRICS_PORT": str(free_port()),
        "CXPULSE_WORKER__DATA_DIR": str(tmp_path / "worker"),
        "CXPULSE_WORKER__SESSION_TIMEOUT": "6",
    }
    old = {k: os.environ.get(k) for k in vars}
    os.environ.update(vars)
    settings = load(None)
    ensure_topics(settings.kafka)
    e = Env(settings, vars, tmp_path)
    try:
        yield e
    finally:
        for p in e.procs:
            if p.poll() is None:
                p.kill()
                p.wait(10)
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def log_lines(env: Env) -> int:
    return sum(1 for _ in (env.tmp / "worker-0.log").open("rb"))


def consumed(env: Env) -> float | None:
    return env.metric("cxpulse_events_consumed_total", event_type="feedback")


def test_a_broker_outage_is_quiet_and_the_worker_resumes(
    broker: localkafka.Broker, outage_env: Env
) -> None:
    env = outage_env
    worker = env.start_worker()
    # The broker stops while the worker is busy and its producer holds batches: the state in
    # which aiokafka's sender spun when a metadata answer from the stopping broker named no
    # leader (that answer does not come on every stop; see streams/worker/quiet.py).
    stores = [f"S{i % 50}" for i in range(BUSY)]
    env.produce(
        [
            ("feedback", s.encode(), line(feedback(i, 5, store=s, minutes=i / 100)))
            for i, s in enumerate(stores)
        ]
    )
    wait_for(lambda: (consumed(env) or 0) > 1000, what="the worker busy")

    localkafka.stop(broker)
    lines, cpu = log_lines(env), cpu_seconds(worker.pid)
    time.sleep(OUTAGE)  # the outage itself, not a wait for something to happen
    lines, cpu = log_lines(env) - lines, cpu_seconds(worker.pid) - cpu
    localkafka.start(broker, log=False)

    assert lines < MAX_LINES, env.log()
    assert cpu < MAX_CPU
    wait_for(lambda: consumed(env) == BUSY, 120, "every event, after the outage")
    assert worker.poll() is None
