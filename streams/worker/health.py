"""Is the worker still consuming? A process can stay alive while its agent reads nothing; then
no alert fires and nothing else says so. Health compares what waits on the broker with what the
agent has handled: messages waiting and no progress for ``stalled_after`` seconds is unhealthy.
The rollup agent is judged the same way on its own topic: its stop would silence every region,
city and brand alert while the stores' own went on. A partition whose records cannot be read
(``fetch.FetchThread`` sets it aside so the others go on) is unhealthy at once, by name, until
the worker reads past the offset it stopped at or the partition moves to another worker.

A thread (not the event loop the agent runs on, which may be what is stuck) reads the topics'
end offsets and the group's committed offsets every few seconds. ``/healthz`` on the metrics
port answers 200 or 503 with the reason, for a supervisor or a load balancer; the same verdict is
the ``cxpulse_worker_healthy`` gauge, for an alert rule.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from streams.config import KafkaConfig
from streams.fetched import Unreadable, unreadable_reason, unreadable_rows

log = logging.getLogger("cxpulse.worker.health")
CHECK_EVERY = 5.0
TopicPartition = tuple[str, int]


def offsets_of(events: Iterable[Any]) -> dict[TopicPartition, int]:
    """Each topic partition's newest offset among an agent's handled Faust events, as
    ``Health.consumed`` and ``Health.rollups_read`` take them."""
    out: dict[TopicPartition, int] = {}
    for ev in events:
        m = ev.message
        tp = (m.topic, m.partition)
        out[tp] = max(out.get(tp, m.offset), m.offset)
    return out


@dataclass
class Reader:
    """What one agent has handled of its topics, and when it last made progress."""

    name: str  # as the reason names it
    topics: list[str]
    progress: float  # when it last handled a message (or had nothing to do)
    positions: dict[TopicPartition, int] = field(default_factory=dict)  # next to handle
    lag: int | None = None  # messages waiting beyond them, at the last check

    def read(self, offsets: dict[TopicPartition, int], wall: float) -> None:
        for tp, offset in offsets.items():
            self.positions[tp] = max(self.positions.get(tp, 0), offset + 1)
        self.progress = wall

    def waiting(
        self,
        ends: dict[TopicPartition, int],
        committed: dict[TopicPartition, int],
        owned: frozenset[int] | None,
    ) -> int:
        mine = {tp for tp in ends if tp[0] in self.topics}
        if owned is not None:
            mine = {tp for tp in mine if tp[1] in owned}
        else:  # the assignment is not known yet: what this agent has handled, else all
            mine = {tp for tp in mine if tp in self.positions} or mine
        return sum(
            max(0, ends.get(tp, 0) - max(self.positions.get(tp, 0), committed.get(tp, 0)))
            for tp in mine
        )


class Health:
    def __init__(
        self,
        kafka: KafkaConfig,
        group: str,
        topics: list[str],
        registry: CollectorRegistry,
        stalled_after: float = 60.0,
        clock: Callable[[], float] = time.time,
        rollup_topic: str | None = None,
        metadata_max_age: float = 30.0,
        all_topics: list[str] | None = None,
        remake: Callable[[], list[str]] | None = None,
    ) -> None:
        self.kafka, self.group = kafka, group
        self.topics = [*topics, *([rollup_topic] if rollup_topic else [])]
        self.stalled_after = stalled_after
        self.metadata_max_age = metadata_max_age  # how soon a topic's new partitions count
        # The topics the worker reads and writes, and what makes one again that has gone.
        self.all_topics, self.remake = all_topics or [], remake
        self._looked = -math.inf  # when the broker was last asked which topics it has
        self.clock = clock
        self.events = Reader("messages", topics, clock())
        self.rollups = Reader("rollup messages", [rollup_topic], clock()) if rollup_topic else None
        # The partition numbers this worker owns now (every topic's partition of that number:
        # Faust assigns topics of equal partition counts together), from the worker's timer;
        # None until it first says.
        self.owned: frozenset[int] | None = None
        # (topic, partition) -> (the first offset not read, why), set aside by the fetcher
        self.unreadable: Unreadable = {}
        self.stalled: list[str] = []  # the agents' stalls found by the last check
        self.reason = "starting"
        self.healthy = True
        self._stop = threading.Event()
        self._client: Any = None  # kept: one connection, not one per check
        self.g_lag = Gauge(
            "cxpulse_consumer_lag",
            "Messages on the event topics not yet handled by this worker.",
            registry=registry,
        )
        self.c_remade = Counter(
            "cxpulse_topics_remade",
            "The worker's topics found gone (deleted while it ran) and made again.",
            ["topic"],
            registry=registry,
        )
        self.g_healthy = Gauge(
            "cxpulse_worker_healthy",
            "1 while the worker consumes (or has nothing to consume); 0 when it has stalled.",
            registry=registry,
        )
        self.g_last = Gauge(
            "cxpulse_last_consumed_timestamp_seconds",
            "Wall time at which the agent last handled a message.",
            registry=registry,
        )
        self.g_unreadable = Gauge(
            "cxpulse_partition_unreadable",
            "1 while a partition's records cannot be read (the worker reads its other "
            "partitions and nothing of this one past that offset).",
            ["topic", "partition"],
            registry=registry,
        )
        self.g_healthy.set(1)

    @property
    def lag(self) -> int | None:
        """Messages on the event topics not yet handled, at the last check."""
        return self.events.lag

    @property
    def rollup_lag(self) -> int | None:
        return self.rollups.lag if self.rollups is not None else None

    def consumed(self, offsets: dict[TopicPartition, int], wall: float) -> None:
        """Called by the store agent after each batch (cheap: no I/O)."""
        self.events.read(offsets, wall)
        self.g_last.set(wall)
        if self.unreadable:
            self._read_past(offsets)

    def set_aside(self, topic: str, partition: int, offset: int, why: str) -> None:
        """The fetcher could not read ``topic[partition]`` from ``offset`` (any thread)."""
        self.unreadable[(topic, partition)] = (offset, why)
        self.g_unreadable.labels(topic, str(partition)).set(1)
        self._decide()  # at once, not at the next check

    def _read_past(self, offsets: dict[TopicPartition, int]) -> None:
        for tp, (offset, _) in list(self.unreadable.items()):
            if offsets.get(tp, -1) >= offset:
                self._readable(tp)

    def _readable(self, tp: TopicPartition) -> None:
        self.unreadable.pop(tp, None)
        self.g_unreadable.labels(tp[0], str(tp[1])).set(0)

    def rollups_read(self, offsets: dict[TopicPartition, int], wall: float) -> None:
        """Called by the rollup agent after each batch."""
        if self.rollups is not None:
            self.rollups.read(offsets, wall)
        if self.unreadable:
            self._read_past(offsets)

    def assigned(self, partitions: frozenset[int]) -> None:
        """The partitions this worker owns now. Judged are these: one moved to another worker
        no longer counts here (its backlog is that worker's), and one taken over counts from
        the start, even before this worker has handled anything of it."""
        self.owned = partitions
        n = self.kafka.partitions  # a grown topic's partition p goes with p mod n (grown.py)
        for tp in [tp for tp in self.unreadable if tp[1] % n not in partitions]:
            self._readable(tp)  # another worker's to read now, and to report
        for reader in self._readers():
            for tp in [tp for tp in reader.positions if tp[1] % n not in partitions]:
                del reader.positions[tp]

    def judge(self, ends: dict[TopicPartition, int], committed: dict[TopicPartition, int]) -> None:
        """The verdict from the broker's view: what waits beyond what each agent handled."""
        now = self.clock()
        stalled = []
        owned = self.owned
        if owned is not None:  # and the extra partitions of grown topics that go with them
            owned = frozenset(p for _, p in ends if p % self.kafka.partitions in owned)
        for reader in self._readers():
            reader.lag = waiting = reader.waiting(ends, committed, owned)
            if waiting == 0:
                reader.progress = max(reader.progress, now)
            idle = now - reader.progress
            if waiting > 0 and idle > self.stalled_after:
                stalled.append(
                    f"{waiting} {reader.name} waiting and nothing handled for {idle:.0f} s"
                )
        self.stalled = stalled
        self._decide()
        self.g_lag.set(self.events.lag or 0)

    def _decide(self) -> None:
        """The verdict: partitions that cannot be read, then agents that stalled."""
        unreadable = unreadable_reason(self.unreadable)
        reasons = [unreadable, *self.stalled] if unreadable else self.stalled
        self.healthy = not reasons
        self.reason = "; ".join(reasons) or "ok"
        self.g_healthy.set(1 if self.healthy else 0)

    def _readers(self) -> list[Reader]:
        return [self.events, *([self.rollups] if self.rollups else [])]

    def check(self) -> None:
        from kafka import KafkaConsumer
        from kafka import TopicPartition as KTP

        if self._client is None:
            # In the worker's group but never subscribed: it joins nothing (no rebalance), it
            # only asks the group's coordinator what is committed.
            self._client = KafkaConsumer(
                bootstrap_servers=self.kafka.bootstrap,
                group_id=self.group,
                enable_auto_commit=False,
                metadata_max_age_ms=int(self.metadata_max_age * 1000),
            )
        client = self._client
        try:
            if self.remake is not None and self.clock() - self._looked >= self.metadata_max_age:
                # Asked of the broker: the client's cached metadata keeps a deleted topic.
                self._looked = self.clock()
                if not set(self.all_topics) <= set(client.topics()):
                    for topic in self.remake():
                        self.c_remade.labels(topic).inc()
            tps = [KTP(t, p) for t in self.topics for p in (client.partitions_for_topic(t) or ())]
            ends = {(tp.topic, tp.partition): o for tp, o in client.end_offsets(tps).items()}
            committed = {}
            for tp in tps:
                offset = client.committed(tp)
                if offset is not None and offset >= 0:
                    committed[(tp.topic, tp.partition)] = offset
        except Exception:
            self.close()  # connect afresh next time
            raise
        self.judge(ends, committed)

    def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close(autocommit=False)
            self._client = None

    def _run(self) -> None:
        while not self._stop.wait(CHECK_EVERY):
            try:
                self.check()
            except Exception as exc:  # the broker may be away; the verdict stands until back
                self.reason = f"broker not reachable for the health check: {type(exc).__name__}"

    def start(self) -> None:
        # kafka-python narrates every connection at INFO; the health check's are not news.
        logging.getLogger("kafka").setLevel(logging.WARNING)
        threading.Thread(target=self._run, name="cxpulse-health", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self.close()

    def as_json(self) -> dict[str, Any]:
        return {
            "healthy": self.healthy,
            "reason": self.reason,
            "lag": self.lag,
            "rollup_lag": self.rollup_lag,
            "unreadable": unreadable_rows(self.unreadable),
        }


def serve(
    host: str,
    port: int,
    registry: CollectorRegistry,
    health: Health,
    render: Callable[[], bytes] | None = None,
) -> ThreadingHTTPServer:
    """``/metrics`` (Prometheus text) and ``/healthz`` on one port, in a daemon thread.
    ``render``: the whole page (``Metrics.render``, faster); default: ``generate_latest``."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.startswith("/healthz"):
                body = json.dumps(health.as_json()).encode()
                self._answer(200 if health.healthy else 503, "application/json", body)
            elif self.path.startswith("/metrics") or self.path == "/":
                # ``name[]=`` selects families, as prometheus_client's own server does: a
                # poller that reads five counters must not make the worker render every
                # store's series (which took a sixth of a core at two polls a second).
                names = parse_qs(urlsplit(self.path).query).get("name[]")
                if names:
                    body = generate_latest(registry.restricted_registry(names))
                else:
                    body = render() if render is not None else generate_latest(registry)
                self._answer(200, CONTENT_TYPE_LATEST, body)
            else:
                self._answer(404, "text/plain", b"not found\n")

        def _answer(self, code: int, ctype: str, body: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # scrapes are not news
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="cxpulse-metrics", daemon=True).start()
    return server
