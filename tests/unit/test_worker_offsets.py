"""The committable run of offsets: each offset counted once, gaps filled only behind the acks."""

from __future__ import annotations

import pytest
from intervaltree import IntervalTree

from streams.worker.offsets import advance


def test_a_gap_over_acknowledged_offsets_commits_them_in_one_run() -> None:
    # After a restart: 100..199 were delivered and acknowledged, and also recorded as a gap.
    acked = list(range(100, 300))
    gap = IntervalTree.from_tuples([(101, 200)])
    run = advance(acked, gap, committed=100)
    assert run == list(range(100, 300))
    assert acked == [] and not gap


def test_a_real_gap_counts_as_done() -> None:
    acked = [10, 11, 15, 16]
    run = advance(acked, IntervalTree.from_tuples([(12, 15)]), committed=10)
    assert run == [10, 11, 12, 13, 14, 15, 16]


def test_a_gap_is_not_filled_past_the_newest_ack() -> None:
    """A wrongly recorded gap may cover messages still in the agent's buffer."""
    acked = list(range(100, 150))
    gap = IntervalTree.from_tuples([(101, 400)])
    assert advance(acked, gap, committed=100)[-1] == 149
    assert sorted(gap) == sorted(IntervalTree.from_tuples([(150, 400)]))
    acked.extend(range(150, 400))
    assert advance(acked, gap, committed=150) == list(range(150, 400))


def test_offsets_missing_at_the_head_hold_the_commit_back() -> None:
    acked = [53, 54]
    assert advance(acked, IntervalTree(), committed=50) == []
    assert acked == [53, 54]
    acked.extend([50, 51, 52])
    assert advance(acked, IntervalTree(), committed=50) == [50, 51, 52, 53, 54]


def test_one_run_per_call_and_nothing_when_nothing_is_acked() -> None:
    acked = [1, 2, 3, 7, 8]
    assert advance(acked, IntervalTree(), committed=None) == [1, 2, 3]
    assert acked == [7, 8]
    assert advance([], IntervalTree(), committed=5) == []


def test_never_past_an_event_held_for_order() -> None:
    """Events handed on in event-time order are acknowledged past one still held: the commit
    stops before the held one, also at a first start (no committed offset to check against)
    and with the one missing offset at the head the rule otherwise takes for a hole."""
    acked = [1, 2, 3, 5, 6]
    assert advance(acked, IntervalTree(), committed=None, held=0) == []
    assert sorted(acked) == [1, 2, 3, 5, 6]  # kept for later
    acked = [101, 102, 103]
    assert advance(acked, IntervalTree(), committed=100, held=100) == []
    assert advance(acked, IntervalTree(), committed=100, held=None) == [101, 102, 103]
    acked = [0, 1, 2, 4, 5]
    assert advance(acked, IntervalTree(), committed=None, held=3) == [0, 1, 2]
    assert acked == [4, 5]


def test_partitions_never_committed_go_back_to_the_start_at_a_seek() -> None:
    # aiokafka's seek leaves a partition with no committed offset (or 0) where it was read
    # to: messages fetched and dropped at the rebalance would never be read again.
    from faust.types import TP

    from streams.worker.offsets import never_committed

    committed = {
        TP("t.feedback", 0): None,
        TP("t.feedback", 1): 0,
        TP("t.review", 0): 42,
        TP("app-store-state-changelog", 0): None,
    }
    assert never_committed(committed, {"app-store-state-changelog"}) == [
        TP("t.feedback", 0),
        TP("t.feedback", 1),
    ]


def test_a_seek_keeps_what_this_consumer_committed_while_the_broker_answered() -> None:
    # Events handled during the seek were committed (9618) before the broker's answer, asked
    # for earlier (9491), arrived: setting the committed offset back to 9491 made the commit
    # rule wait for offsets already committed.
    from faust.types import TP

    from streams.worker.offsets import advance, newest_committed

    fb, rv, cl, new = TP("t.feedback", 1), TP("t.review", 0), TP("t.call", 0), TP("t.call", 1)
    fetched = {fb: 9491, rv: 1200, cl: 0, new: 0}
    ours = {fb: 9618, rv: 1100, cl: 35}  # new: nothing committed here yet
    seek = newest_committed(fetched, ours)
    assert seek == {fb: 9618, rv: 1200, cl: 35, new: 0}
    # With the broker's stale answer the next commit never comes; with the newest it does.
    assert advance([9618, 9619, 9620], IntervalTree(), committed=fetched[fb]) == []
    assert advance([9618, 9619, 9620], IntervalTree(), committed=seek[fb]) == [9618, 9619, 9620]


def test_offsets_missing_at_the_head_with_later_ones_done_and_none_held_are_found() -> None:
    from streams.worker.offsets import missing_head

    none = IntervalTree()
    assert missing_head([1080, 1081], none, committed=1061, held=None)
    assert missing_head([], IntervalTree.from_tuples([(1070, 1075)]), committed=1061, held=None)
    assert missing_head([1080], none, committed=1061, held=1090)  # held behind: not why
    assert not missing_head([1080], none, committed=1061, held=1061)  # held for order: wait
    assert not missing_head([1062, 1063], none, committed=1061, held=None)  # Faust's one hole
    assert not missing_head([1061, 1070], none, committed=1061, held=None)  # the run commits
    assert not missing_head([5, 6], none, committed=None, held=None)  # nothing committed yet
    assert not missing_head([], none, committed=1061, held=None)  # nothing done past it


def test_a_partition_missing_its_head_long_enough_is_due_a_reread_once() -> None:
    from faust.types import TP

    from streams.worker.offsets import HeadWatch

    tp, other = TP("t.call", 1), TP("t.call", 2)
    watch = HeadWatch(after=60.0)
    assert not watch.due(tp, True, now=100.0)
    assert not watch.due(other, True, now=130.0)
    assert not watch.due(tp, True, now=159.0)
    assert watch.due(tp, True, now=160.0)
    assert not watch.due(tp, True, now=161.0)  # counted afresh after the re-read
    assert not watch.due(other, False, now=180.0)  # its head arrived: forgotten
    assert not watch.due(other, True, now=200.0) and watch.due(other, True, now=260.0)


def test_a_partition_due_a_reread_is_sought_to_its_committed_offset_after_the_commit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import asyncio
    from types import SimpleNamespace

    from faust.transport.drivers import aiokafka as driver
    from faust.types import TP

    from streams.worker.offsets import Consumer

    stuck, gone = TP("t.call", 1), TP("t.call", 2)
    calls: list[object] = []

    async def commit(self: object, *args: object, **kwargs: object) -> bool:
        calls.append("commit")
        return True

    async def seek(tp: TP, offset: int) -> None:
        calls.append((tp, offset))

    monkeypatch.setattr(driver.Consumer, "commit", commit)
    c = object.__new__(Consumer)  # the parts commit reads, without a broker
    c._reread = {stuck, gone}
    c._committed_offset = {stuck: 1061, gone: 7}
    c.assignment = lambda: {stuck}  # type: ignore[method-assign]
    c.seek = seek  # type: ignore[method-assign,assignment]
    c.app = SimpleNamespace(on_reread=lambda topic, _p: calls.append(topic))  # type: ignore[assignment]
    assert asyncio.run(c.commit()) is True
    assert calls == ["commit", "t.call", (stuck, 1061)]  # a partition moved away: left alone
    assert c._reread == set()
