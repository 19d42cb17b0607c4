"""Fixtures for tests against the real local Kafka broker (started once, or reused)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest

from cxpulse import localkafka
from cxpulse.config import Settings, load
from cxpulse.live import scrape
from streams.topics import ensure_topics
from tests.waiting import free_port, wait_for

REPO = Path(__file__).parents[2]


# (bootstrap, run id) of every test environment made in this session: their topics go at its end.
RUNS: list[tuple[str, str]] = []


@pytest.fixture(scope="session")
def kafka() -> Iterator[localkafka.Broker]:
    os.environ.setdefault("CXPULSE_HOME", str(REPO / ".cxpulse"))
    broker = localkafka.start(localkafka.Broker(), log=False)
    yield broker
    forget(broker.bootstrap, [run for at, run in RUNS if at == broker.bootstrap])


def forget(bootstrap: str, runs: list[str]) -> None:
    """Delete the topics of ``runs`` (each test's own dozen, changelogs included). The local
    broker is reused run after run, and with every test's topics kept it held thousands of
    partitions after a few runs and ran short of memory. Only this session's: another session
    may be using the same broker. Best effort: a broker gone by now keeps them."""
    from kafka import KafkaAdminClient

    if not runs:
        return
    prefixes = tuple(p for run in runs for p in (f"t{run}.", f"cxpulse-test-{run}-"))
    with contextlib.suppress(Exception):
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30_000)
        try:
            names = sorted(t for t in admin.list_topics() if t.startswith(prefixes))
            for i in range(0, len(names), 200):
                admin.delete_topics(names[i : i + 200], timeout_ms=30_000)
        finally:
            admin.close()


@dataclass
class Env:
    """An isolated deployment: its own topics, consumer group and state."""

    settings: Settings
    vars: dict[str, str]
    tmp: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.worker.metrics_port}/metrics"

    def start_worker(self, **overrides: str) -> subprocess.Popen[bytes]:
        """A worker of this test's group; ``overrides`` set more of its environment (a second
        worker beside the first needs its own metrics port and state directory)."""
        log = (self.tmp / f"worker-{len(self.procs)}.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "cxpulse.cli", "worker", "--loglevel", "info"],
            env={**os.environ, **self.vars, **overrides},
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.tmp,
        )
        self.procs.append(proc)
        return proc

    def health(self) -> dict[str, Any]:
        """The worker's ``/healthz`` verdict, healthy (200) or not (503: the same JSON)."""
        url = self.metrics_url.replace("/metrics", "/healthz")
        try:
            with urlopen(url) as page:
                answer: dict[str, Any] = json.load(page)
        except HTTPError as unhealthy:
            answer = json.loads(unhealthy.read())
        return answer

    def metrics(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        return scrape(self.metrics_url)

    def metric(self, name: str, **labels: str) -> float | None:
        # By name: the worker answers that from its live counters. The whole page is built
        # every 2 s while scraped, so a read right after another wait could be 2 s behind.
        url = f"{self.metrics_url}?name[]={name}"
        return scrape(url).get((name, tuple(sorted(labels.items()))))

    def produce(self, records: Sequence[tuple[str, bytes | None, bytes]]) -> None:
        from kafka import KafkaProducer

        prod = KafkaProducer(bootstrap_servers=self.settings.kafka.bootstrap, acks="all")
        for topic, key, value in records:
            prod.send(self.settings.kafka.topic(topic), key=key, value=value)
        prod.flush()
        prod.close()

    def consume(self, topic: str, count: int, timeout: float = 60.0) -> list[Any]:
        from kafka import KafkaConsumer

        consumer = KafkaConsumer(
            self.settings.kafka.topic(topic),
            bootstrap_servers=self.settings.kafka.bootstrap,
            auto_offset_reset="earliest",
            consumer_timeout_ms=500,
        )
        got: list[Any] = []
        try:

            def more() -> bool:
                got.extend(consumer)
                return len(got) >= count

            wait_for(
                more,
                timeout,
                f"{count} messages on {topic}",
            )
        finally:
            consumer.close()
        return got

    def newest(self, table: str) -> dict[bytes, bytes | None]:
        """Each key's newest value on a state table's changelog (``store-state`` ...); None for
        a tombstone."""
        from kafka import KafkaConsumer

        consumer = KafkaConsumer(
            f"{self.settings.worker.app_id}-{table}-changelog",
            bootstrap_servers=self.settings.kafka.bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            consumer_timeout_ms=3000,
        )
        try:
            return {m.key: m.value for m in consumer}
        finally:
            consumer.close()

    def state(self) -> str:
        """What a failed wait needs to tell a stuck worker from a slow one: its counters of
        events read, held for order, skipped as stale and let go out of order, what it has
        still to read, and the partitions it read again."""
        try:
            page = self.metrics()
        except Exception as exc:  # the worker is down: that is the answer
            return f"metrics unreadable: {exc!r}"
        wanted = (
            "cxpulse_events_consumed_total",
            "cxpulse_events_held_for_order",
            "cxpulse_events_stale_total",
            "cxpulse_events_released_unordered_total",
            "cxpulse_events_duplicate_total",
            "cxpulse_event_latency_seconds_count",
            "cxpulse_consumer_lag",  # still to read (a stuck fetch) against read, not committed
            "cxpulse_partitions_reread_total",
        )
        shown = [f"{n}{dict(lb)} = {v}" for (n, lb), v in page.items() if n.startswith(wanted)]
        return "\n".join(sorted(shown)) or "no counters yet"

    def log(self, tail: int | None = 3000) -> str:
        """The workers' logs, the last ``tail`` characters of each (None: all of it)."""
        return "\n".join(
            p.read_text(errors="replace")[-tail if tail else 0 :]
            for p in self.tmp.glob("worker-*.log")
        )


def worker_vars(bootstrap: str, tmp_path: Path) -> dict[str, str]:
    """The environment of a worker of one test: its own topics, group, port and state dir."""
    run = uuid.uuid4().hex[:8]
    RUNS.append((bootstrap, run))
    return {
        "CXPULSE_KAFKA__BOOTSTRAP": bootstrap,
        "CXPULSE_KAFKA__TOPIC_PREFIX": f"t{run}",
        "CXPULSE_KAFKA__PARTITIONS": "2",
        "CXPULSE_WORKER__APP_ID": f"cxpulse-test-{run}",
        "CXPULSE_WORKER__METRICS_PORT": str(free_port()),
        "CXPULSE_WORKER__DATA_DIR": str(tmp_path / "worker"),
        "CXPULSE_WORKER__SESSION_TIMEOUT": "6",  # the broker's minimum: fast takeover
    }


@contextlib.contextmanager
def environment(vars: dict[str, str], tmp_path: Path) -> Iterator[Env]:
    """``vars`` set in this process (the settings, and the workers it starts, read them), the
    topics made; afterwards every worker started is killed and the environment restored."""
    old = {k: os.environ.get(k) for k in vars}
    os.environ.update(vars)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        # Inside the try: a broker that fails here must not leave these settings to every
        # later test of the run.
        settings = load(None)
        ensure_topics(settings.kafka)
        e = Env(settings, vars, tmp_path, procs)
        yield e
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(10)
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture
def env(kafka: localkafka.Broker, tmp_path: Path) -> Iterator[Env]:
    vars = {
        **worker_vars(kafka.bootstrap, tmp_path),
        "CXPULSE_SATISFACTION__CONFIDENCE_Z": "0",
        "CXPULSE_SATISFACTION__MIN_SAMPLES": "10",  # hand-made streams of 10-25 ratings
        # Tests replay fixed historical days, whatever day they run on.
        "CXPULSE_INTAKE__MAX_BEHIND": str(20 * 365 * 86400),
    }
    with environment(vars, tmp_path) as e:
        yield e


# The event kinds, each a topic of the worker's.
KINDS = ("feedback", "call", "review", "complaint")


@pytest.fixture
def offsets(env: Env) -> Iterator[Any]:
    """Reads the worker group's committed offsets (it never joins the group)."""
    from kafka import KafkaConsumer

    c = KafkaConsumer(
        bootstrap_servers=env.settings.kafka.bootstrap,
        group_id=env.settings.worker.app_id,  # Faust's consumer group is the app id
        enable_auto_commit=False,
    )
    yield c
    c.close()


def lag(env: Env, c: Any) -> tuple[int, int]:
    """(committed offsets summed, events not yet committed) on the event topics, read with
    the ``offsets`` consumer ``c``."""
    from kafka import TopicPartition

    k = env.settings.kafka
    tps = [TopicPartition(k.topic(kind), p) for kind in KINDS for p in range(k.partitions)]
    end = c.end_offsets(tps)
    committed = {tp: c.committed(tp) or 0 for tp in tps}
    return sum(committed.values()), sum(end[tp] - committed[tp] for tp in tps)
