"""A broker outage: the worker's log stays short, it does not spin, and it consumes again after.

Runs its own broker on free ports (the shared one on 19092 must never stop).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cxpulse import localkafka
from tests.helpers import feedback, line
from tests.integration.conftest import Env, environment, worker_vars
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
    with environment(worker_vars(broker.bootstrap, tmp_path), tmp_path) as e:
        yield e


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


def test_the_live_views_alerts_panel_says_when_its_broker_goes_away(
    broker: localkafka.Broker,
) -> None:
    """A reader whose broker is gone just stops receiving, which looks like a quiet shift: the
    panel must say that it is not reading."""
    from kafka import KafkaProducer

    from cxpulse.config import Settings
    from cxpulse.live import AlertTail
    from streams.topics import ensure_topics

    settings = Settings(kafka={"bootstrap": broker.bootstrap, "partitions": 1})
    ensure_topics(settings.kafka)
    tail = AlertTail(settings)
    tail.start()
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap)
    alert = {"status": "firing", "labels": {"store_id": "S1"}, "summary": {"zh": "满意度低"}}
    try:

        def reading() -> bool:
            # It reads from the topic's end once it has joined: send until one arrives.
            producer.send(settings.kafka.topic("alerts"), json.dumps(alert).encode())
            producer.flush()
            return bool(tail.recent)

        wait_for(reading, timeout=60, what="the panel reading the alerts topic")
        assert tail.error is None
        localkafka.stop(broker)
        wait_for(lambda: tail.error, timeout=60, what="the panel saying it cannot read")
        assert tail.is_alive()  # still trying
    finally:
        tail.stop.set()
        producer.close(timeout=1)
