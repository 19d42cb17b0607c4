"""The worker's health verdict: stalled only when messages wait and nothing is handled."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from prometheus_client import CollectorRegistry, Gauge

from streams.config import KafkaConfig
from streams.worker.health import Health, serve
from tests.helpers import Clock
from tests.waiting import free_port

TP = ("cx.feedback", 0)


def health(clock: Clock) -> Health:
    return Health(KafkaConfig(), "g", ["cx.feedback"], CollectorRegistry(), 60.0, clock)


def test_waiting_messages_and_no_progress_is_unhealthy_then_recovers() -> None:
    clock = Clock()
    h = health(clock)
    h.consumed({TP: 9}, clock.now)  # handled up to offset 9
    h.judge({TP: 50}, {})
    assert h.healthy and h.lag == 40
    clock.now += 61
    h.judge({TP: 60}, {})
    assert not h.healthy and "50 messages waiting" in h.reason
    h.consumed({TP: 59}, clock.now)
    h.judge({TP: 60}, {})
    assert h.healthy and h.lag == 0


def test_an_idle_topic_is_healthy_however_long_it_is_quiet() -> None:
    clock = Clock()
    h = health(clock)
    h.judge({TP: 0}, {})
    clock.now += 3600
    h.judge({TP: 0}, {})
    assert h.healthy


def test_committed_offsets_count_for_partitions_not_yet_read() -> None:
    clock = Clock()
    h = health(clock)
    h.judge({TP: 100}, {TP: 100})
    assert h.lag == 0 and h.healthy


def test_a_partition_moved_to_another_worker_no_longer_counts_here() -> None:
    clock = Clock()
    h = health(clock)
    moved = ("cx.feedback", 1)
    h.consumed({TP: 9, moved: 9}, clock.now)
    h.assigned(frozenset({0}))  # partition 1 is another worker's now, and it is behind
    clock.now += 61
    h.judge({TP: 10, moved: 500}, {moved: 20})
    assert h.healthy and h.lag == 0 and moved not in h.events.positions


def test_a_partition_taken_over_counts_before_anything_of_it_is_handled() -> None:
    clock = Clock()
    h = health(clock)
    taken = ("cx.feedback", 1)
    h.consumed({TP: 9}, clock.now)
    h.assigned(frozenset({0, 1}))
    clock.now += 61
    h.judge({TP: 10, taken: 300}, {taken: 100})  # nothing of partition 1 handled here yet
    assert not h.healthy and h.lag == 200


def test_a_grown_topics_extra_partition_counts_with_the_partition_it_goes_with() -> None:
    clock = Clock()
    h = health(clock)
    n = h.kafka.partitions
    mine, theirs = ("cx.feedback", n), ("cx.feedback", n + 1)  # extras of partitions 0 and 1
    h.consumed({TP: 9, mine: 4, theirs: 4}, clock.now)
    h.assigned(frozenset({0}))
    assert mine in h.events.positions and theirs not in h.events.positions
    clock.now += 61
    h.judge({TP: 10, mine: 35, theirs: 900}, {})
    assert not h.healthy and h.lag == 30  # events left unmoved on an extra partition wait


def test_healthz_answers_503_with_the_reason_when_stalled() -> None:
    clock = Clock()
    h = health(clock)
    port = free_port()
    server = serve("127.0.0.1", port, CollectorRegistry(), h)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as ok:
            assert ok.status == 200 and json.load(ok)["healthy"] is True
        h.consumed({TP: 0}, clock.now)
        clock.now += 120
        h.judge({TP: 10}, {})
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz")
            raise AssertionError("expected 503")
        except urllib.error.HTTPError as err:
            assert err.code == 503 and "waiting" in json.load(err)["reason"]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics") as page:
            assert page.status == 200
    finally:
        server.shutdown()


def test_metrics_renders_only_the_families_asked_for() -> None:
    registry = CollectorRegistry()
    Gauge("cxpulse_wanted", "read by a poller", registry=registry).set(1)
    many = Gauge("cxpulse_per_store", "one per store", ["store"], registry=registry)
    for i in range(50):
        many.labels(f"S{i:03d}").set(i)
    port = free_port()
    server = serve("127.0.0.1", port, registry, health(Clock()))
    try:
        base = f"http://127.0.0.1:{port}/metrics"
        with urllib.request.urlopen(base + "?name[]=cxpulse_wanted") as page:
            text = page.read().decode()
        assert "cxpulse_wanted 1.0" in text and "cxpulse_per_store" not in text
        with urllib.request.urlopen(base) as page:
            assert page.read().decode().count("cxpulse_per_store{") == 50
    finally:
        server.shutdown()


ROLLUP = ("cx.rollup", 0)


def test_a_stalled_rollup_agent_is_unhealthy_while_the_store_agent_goes_on() -> None:
    clock = Clock()
    h = Health(KafkaConfig(), "g", ["cx.feedback"], CollectorRegistry(), 60.0, clock, "cx.rollup")
    h.assigned(frozenset({0}))
    h.consumed({TP: 9}, clock.now)
    h.rollups_read({ROLLUP: 4}, clock.now)
    h.judge({TP: 10, ROLLUP: 5}, {ROLLUP: 2})
    assert h.healthy and h.lag == 0 and h.rollup_lag == 0
    clock.now += 61
    h.consumed({TP: 99}, clock.now)  # the stores go on; the rollups read nothing more
    h.judge({TP: 100, ROLLUP: 25}, {ROLLUP: 5})
    assert not h.healthy and h.lag == 0 and h.rollup_lag == 20
    assert h.reason == "20 rollup messages waiting and nothing handled for 61 s"
    assert h.as_json()["rollup_lag"] == 20
    h.rollups_read({ROLLUP: 24}, clock.now)
    h.judge({TP: 100, ROLLUP: 25}, {ROLLUP: 5})
    assert h.healthy and h.reason == "ok"


def test_rollup_messages_waiting_on_another_workers_partition_do_not_count() -> None:
    clock = Clock()
    h = Health(KafkaConfig(), "g", ["cx.feedback"], CollectorRegistry(), 60.0, clock, "cx.rollup")
    h.assigned(frozenset({0}))
    clock.now += 61
    h.judge({TP: 0, ROLLUP: 0, ("cx.rollup", 1): 500}, {})
    assert h.healthy and h.rollup_lag == 0


def test_the_offsets_handled_are_each_partitions_newest_whatever_the_order() -> None:
    # The merge hands a partition's events on in event-time order, not offset order.
    from types import SimpleNamespace

    from streams.worker.health import offsets_of

    def ev(topic: str, partition: int, offset: int) -> SimpleNamespace:
        return SimpleNamespace(
            message=SimpleNamespace(topic=topic, partition=partition, offset=offset)
        )

    got = offsets_of([ev("cx.feedback", 0, 7), ev("cx.feedback", 0, 5), ev("cx.review", 1, 2)])
    assert got == {("cx.feedback", 0): 7, ("cx.review", 1): 2}


def test_a_partition_set_aside_as_unreadable_is_unhealthy_by_name_until_read_past() -> None:
    clock = Clock()
    registry = CollectorRegistry()
    h = Health(KafkaConfig(), "g", ["cx.feedback"], registry, 60.0, clock)
    h.consumed({TP: 9}, clock.now)
    h.judge({TP: 20}, {})
    assert h.healthy  # messages wait, but the worker has just made progress
    why = "UnsupportedCodecError: no zstd"
    h.set_aside("cx.feedback", 0, 10, why)
    assert not h.healthy  # at once, not after stalled_after
    assert h.reason == f"cx.feedback[0] cannot be read from offset 10: {why}"
    h.judge({TP: 20}, {})
    assert not h.healthy and h.reason.startswith("cx.feedback[0] cannot be read")
    assert h.as_json()["unreadable"] == [
        {"topic": "cx.feedback", "partition": 0, "offset": 10, "reason": why}
    ]

    def read() -> float | None:
        labels = {"topic": "cx.feedback", "partition": "0"}
        return registry.get_sample_value("cxpulse_partition_unreadable", labels)

    assert read() == 1
    h.consumed({TP: 9}, clock.now)  # another batch, not past it
    assert h.unreadable
    h.consumed({TP: 10}, clock.now)  # read past: a worker that can read it
    h.judge({TP: 20}, {})
    assert h.healthy and h.as_json()["unreadable"] == [] and read() == 0
    h.set_aside("cx.feedback", 0, 11, "CorruptRecordException")
    h.assigned(frozenset({1}))  # partition 0 moved to another worker: it reports it now
    h.judge({TP: 20, ("cx.feedback", 1): 0}, {})
    assert h.healthy and read() == 0
