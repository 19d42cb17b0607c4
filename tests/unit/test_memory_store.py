"""The worker's table store: it knows the changelog offset its copy reflects, keeps standby
copies, and forgets a partition's keys and offset together."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import faust
from faust.types import TP

from streams.core.store import StoreState
from streams.worker import memory_store
from streams.worker.compressed import CompressedJson, thaw


@dataclass
class _Message:
    tp: TP
    offset: int
    value: Any

    @property
    def partition(self) -> int:
        return self.tp.partition


@dataclass
class _Event:
    key: bytes
    value: Any
    message: _Message


def _store() -> tuple[memory_store.OffsetMemoryStore, str]:
    app = faust.App("cx-memory-test", broker="kafka://127.0.0.1:1", store=memory_store.register())
    table = app.Table("state", default=None, partitions=4, key_type=bytes)
    store = table.data
    assert isinstance(store, memory_store.OffsetMemoryStore)
    return store, table.changelog_topic.get_topic_name()


def _rebalance(store: memory_store.OffsetMemoryStore, assigned: set[TP], owned: set[TP]) -> None:
    store.app.assignor.assigned_actives = lambda: owned  # type: ignore[method-assign]
    asyncio.run(store.on_rebalance(assigned, set(), assigned))


def _apply(store: memory_store.OffsetMemoryStore, tp: TP, offset: int, key: bytes) -> None:
    event = _Event(key, {"n": offset}, _Message(tp, offset, b"x"))
    store.apply_changelog_batch([event], lambda k: k, lambda v: v)


def test_a_copy_knows_the_offset_it_reflects_from_reading_and_writing() -> None:
    store, topic = _store()
    p0, p1 = TP(topic, 0), TP(topic, 1)
    _rebalance(store, {p0, p1}, {p0, p1})
    assert store.persisted_offset(p0) is None  # nothing read: recovery starts at the start
    _apply(store, p0, 0, b"S1")
    _apply(store, p0, 7, b"S2")
    assert store.persisted_offset(p0) == 7
    store.set_persisted_offset(p0, 12)  # a write of ours acknowledged at 12
    store.set_persisted_offset(p0, 9)  # an earlier write acknowledged late: no step back
    assert store.persisted_offset(p0) == 12
    assert store.persisted_offset(p1) is None
    assert store.data[b"S2"] == {"n": 7}


def test_standby_copies_are_kept_when_recovery_completes() -> None:
    store, topic = _store()
    active, standby = TP(topic, 0), TP(topic, 1)
    _rebalance(store, {active, standby}, {active})
    _apply(store, active, 3, b"A")
    _apply(store, standby, 5, b"B")
    asyncio.run(store.on_recovery_completed({active}, {standby}))
    # Faust's own memory store drops b"B" here, so a takeover started from a cut copy.
    assert set(store.data) == {b"A", b"B"}
    assert store.persisted_offset(standby) == 5
    # Our own write to the standby partition (its owner's messages before it may be unread
    # here) does not move its offset; a write to the partition we own does.
    store.set_persisted_offset(standby, 50)
    store.set_persisted_offset(active, 60)
    assert store.persisted_offset(standby) == 5 and store.persisted_offset(active) == 60


def test_a_partition_that_leaves_takes_its_keys_and_offset_with_it() -> None:
    store, topic = _store()
    p0, p1 = TP(topic, 0), TP(topic, 1)
    _rebalance(store, {p0, p1}, {p0, p1})
    _apply(store, p0, 3, b"A")
    _apply(store, p1, 4, b"B")
    _rebalance(store, {p0}, {p0})
    assert set(store.data) == {b"A"} and store._key_partition == {b"A": 0}
    assert store.persisted_offset(p1) is None  # taken back later: read from the start
    # A write to the partition that left, acknowledged after it left, vouches for nothing.
    store.set_persisted_offset(p1, 40)
    assert store.persisted_offset(p1) is None
    assert store.persisted_offset(p0) == 3


def test_offsets_of_other_topics_partitions_do_not_keep_a_partition() -> None:
    store, topic = _store()
    mine, theirs = TP(topic, 0), TP("cx.feedback", 1)
    _rebalance(store, {mine, theirs}, {mine, theirs})
    _apply(store, mine, 1, b"A")
    assert store.kept == {0}
    store.set_persisted_offset(TP(topic, 1), 9)
    assert store.persisted_offset(TP(topic, 1)) is None


def test_the_store_tables_recovered_states_are_held_compressed() -> None:
    """Recovery and standby reading leave each store's newest state compressed, not its JSON."""
    app = faust.App("cx-memory-test", broker="kafka://127.0.0.1:1", store=memory_store.register())
    table = app.Table(
        "stores", default=None, partitions=4, key_type=bytes, store=memory_store.COMPRESSED_URL
    )
    store = table.data
    assert isinstance(store, memory_store.CompressedMemoryStore)
    older, newer = StoreState("S1"), StoreState("S1", labels={"region": "华东"})
    tp = TP(table.changelog_topic.get_topic_name(), 1)
    batch = [
        _Event(b"S1", older.to_wire(), _Message(tp, 0, b"x")),
        _Event(b"S1", newer.to_wire(), _Message(tp, 1, b"x")),
        _Event(b"S2", StoreState("S2").to_wire(), _Message(tp, 2, b"x")),
        _Event(b"S2", None, _Message(tp, 3, None)),  # a tombstone: the store was dropped
    ]
    store.apply_changelog_batch(batch, lambda k: k, lambda v: v)
    assert set(store.data) == {b"S1"}
    assert type(store.data[b"S1"]) is CompressedJson
    assert thaw(store.data[b"S1"]) == newer
    assert store.persisted_offset(tp) is None  # no assignment yet: nothing vouched for
