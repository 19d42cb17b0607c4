"""Event topics given more partitions than ``kafka.partitions``: which extra partitions go with
which worker, and the events of an extra partition sent on to their stores' partitions."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from streams.worker.grown import HEADER_MOVED_FROM, _Capped, extras
from tests.unit.test_worker_shell import Ev, Msg, Store, ev, make


class Cluster:
    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts

    def partitions_for_topic(self, topic: str) -> set[int] | None:
        n = self.counts.get(topic)
        return None if n is None else set(range(n))


def test_a_grown_topic_is_grouped_with_the_others_at_the_deployments_count() -> None:
    capped = _Capped(Cluster({"cx.feedback": 6, "cx.call": 4, "leader": 1}), 4)
    assert capped.partitions_for_topic("cx.feedback") == {0, 1, 2, 3}
    assert capped.partitions_for_topic("cx.call") == {0, 1, 2, 3}
    assert capped.partitions_for_topic("leader") == {0}
    assert capped.partitions_for_topic("missing") is None
    assert capped.grown == {"cx.feedback": 6}


def test_each_extra_partition_goes_with_the_owner_of_its_number_modulo_the_count() -> None:
    grown = {"cx.feedback": 10}
    assert extras({"cx.feedback": [0, 3], "cx.call": [0, 3]}, grown, 4) == {
        "cx.feedback": [4, 7, 8]
    }
    assert extras({"cx.feedback": [1]}, grown, 4) == {"cx.feedback": [5, 9]}
    assert extras({"cx.call": [2]}, grown, 4) == {}  # not an owner of the grown topic


def test_an_event_of_an_extra_partition_is_sent_on_unchanged_and_handled_where_it_lands() -> None:
    w = make()
    sent: list[tuple[str, bytes | None, bytes | None, int, list[tuple[str, bytes]]]] = []
    assert w.mover is not None
    w.mover.send = lambda *a: sent.append(a)
    n = w.settings.kafka.partitions
    stray = Ev(replace(ev(1).message, partition=n + 1, offset=7))
    done = w.handle_batch([stray])
    assert done == [stray]  # acknowledged here: read again where it was sent
    assert w.table.changelog == []  # nothing handled on a partition with no changelog
    assert w.pipe.tally.consumed == {}
    ((topic, key, value, partition, headers),) = sent
    assert (topic, key, value, partition) == ("cx.feedback", b"S1", stray.message.value, 1)
    assert headers == [(HEADER_MOVED_FROM, f"cx.feedback/{n + 1}/7".encode())]
    assert w.metrics.moved.labels("cx.feedback")._value.get() == 1

    # Read there, it is an event like any other.
    w.handle_batch([Ev(replace(stray.message, partition=partition, offset=0))])
    assert w.table.changelog == [(1, b"S1")]


def test_a_store_this_worker_holds_is_sent_to_the_partition_it_holds_it_in() -> None:
    w = make()
    w.table.data = Store()  # keeps each key's partition, as the worker's memory store does
    sent: list[Any] = []
    assert w.mover is not None
    w.mover.send = lambda *a: sent.append(a)
    n = w.settings.kafka.partitions
    w.handle_batch([Ev(replace(ev(1).message, partition=2))])  # S1 held in partition 2
    w.handle_batch([Ev(replace(ev(2).message, partition=n + 3))])
    assert [s[3] for s in sent] == [2]  # not (n + 3) mod n


def test_a_clock_tick_on_an_extra_partition_is_dropped() -> None:
    w = make()
    sent: list[Any] = []
    assert w.mover is not None
    w.mover.send = lambda *a: sent.append(a)
    n = w.settings.kafka.partitions
    tick = Ev(Msg(w.topics.ticks, b"", b"1.0", partition=n))
    assert w.handle_batch([tick]) == [tick]
    assert sent == []
