"""The worker's merge buffer: event-time order across a partition's topics, bounded wait."""

from __future__ import annotations

from streams.worker.merge import Merge

FB, RV = "cx.feedback", "cx.review"


def test_an_event_waits_until_the_other_topic_is_read_past_it() -> None:
    highs = {(FB, 0): 10, (RV, 0): 10}
    m = Merge((FB, RV), max_wait=2.0, highwater=lambda t, p: highs[(t, p)])
    m.add(RV, 0, 0, at=300.0, event_id="r1", item="r1", wall=0.0)
    assert m.release(0.1) == []  # the feedback topic has more to read, maybe earlier
    m.add(FB, 0, 0, at=100.0, event_id="f1", item="f1", wall=0.1)
    m.add(FB, 0, 1, at=400.0, event_id="f2", item="f2", wall=0.1)
    assert m.release(0.2) == ["f1", "r1"]  # f2 waits: the review topic is not read past 400
    assert m.release(2.2) == ["f2"]  # its wait is over
    assert m.unordered == 1  # counted: only f2 went before the other topic was read past it
    assert m.unordered_by == {"max_wait": 1}


def test_a_topic_with_messages_left_is_waited_for_longer_than_max_wait() -> None:
    """A backlog: the review topic has 10 messages and one is read. Its next ones are coming
    (behind other work in the consumer's queue), so a feedback event past it waits for them
    beyond ``max_wait``, up to ``behind_wait``."""
    highs = {(FB, 0): 10, (RV, 0): 10}
    m = Merge((FB, RV), max_wait=2.0, behind_wait=30.0, highwater=lambda t, p: highs[(t, p)])
    m.add(RV, 0, 0, at=300.0, event_id="r1", item="r1", wall=0.0)
    m.add(FB, 0, 0, at=100.0, event_id="f1", item="f1", wall=0.0)
    m.add(FB, 0, 1, at=400.0, event_id="f2", item="f2", wall=0.0)
    assert m.release(0.0) == ["f1", "r1"]
    assert m.release(5.0) == [] and m.waiting(5.0) == []  # past max_wait, still waiting
    m.add(RV, 0, 1, at=350.0, event_id="r2", item="r2", wall=6.0)
    assert m.release(6.0) == ["r2"]  # the order a replay would see: r2 before f2
    assert m.waiting(30.0) == []  # the review topic moved at 6 s: 30 s from then
    assert m.waiting(36.0) == [0]
    assert m.release(36.0) == ["f2"] and m.unordered == 1  # the bound holds even so
    assert m.unordered_by == {"behind_wait": 1}


def test_a_topic_with_nothing_more_to_read_holds_nothing_back() -> None:
    highs = {(FB, 0): 1, (RV, 0): 0}
    m = Merge((FB, RV), max_wait=60.0, highwater=lambda t, p: highs[(t, p)])
    m.add(FB, 0, 0, at=100.0, event_id="f1", item="f1", wall=0.0)
    assert m.release(0.0) == ["f1"]


def test_an_unknown_high_watermark_waits_at_most_max_wait_and_partitions_are_separate() -> None:
    m = Merge((FB, RV), max_wait=2.0)
    m.add(FB, 0, 0, at=100.0, event_id="f1", item="f1", wall=0.0)
    m.add(FB, 1, 0, at=50.0, event_id="g1", item="g1", wall=1.0)
    assert m.release(1.0) == [] and m.waiting(1.5) == []
    assert m.waiting(2.0) == [0]
    assert m.release(2.0) == ["f1"]
    m.drop({1})
    assert m.release(10.0) == [] and m.count() == 0


def test_a_partition_is_drained_when_nothing_is_held_and_every_topic_is_read_to_its_end() -> None:
    highs = {(FB, 0): 5, (RV, 0): 0, (FB, 1): 3, (RV, 1): None}
    m = Merge((FB, RV), max_wait=60.0, highwater=lambda t, p: highs[(t, p)])
    m.add(FB, 0, 3, 100.0, "a", "A", 0.0)
    assert not m.drained(0)  # "A" is held, and offset 4 is still to read
    m.read_up_to(FB, 0, 4, 0.0)
    assert not m.drained(0)  # still held
    m.release(61.0)
    assert m.drained(0)  # the review topic is empty: nothing to wait for
    assert not m.drained(1)  # nothing read yet, and one high watermark not known


def test_one_offset_left_may_be_a_commit_marker_and_is_not_waited_for_long() -> None:
    """Read to one below the high watermark: with a transactional producer upstream that last
    offset is a commit marker, never a message, so only ``max_wait`` applies."""
    highs = {(FB, 0): 10, (RV, 0): 2}
    m = Merge((FB, RV), max_wait=2.0, behind_wait=30.0, highwater=lambda t, p: highs[(t, p)])
    m.add(RV, 0, 0, at=300.0, event_id="r1", item="r1", wall=0.0)
    m.add(FB, 0, 0, at=400.0, event_id="f1", item="f1", wall=0.0)
    assert m.release(0.0) == ["r1"]
    assert m.release(2.0) == ["f1"]


def test_past_hold_max_the_earliest_go_whatever_they_wait_for() -> None:
    highs = {(FB, 0): 100, (RV, 0): 100}
    m = Merge(
        (FB, RV), max_wait=2.0, behind_wait=300.0, hold_max=2, highwater=lambda t, p: highs[(t, p)]
    )
    m.add(RV, 0, 0, at=100.0, event_id="r1", item="r1", wall=0.0)
    m.add(RV, 0, 1, at=200.0, event_id="r2", item="r2", wall=0.0)
    assert m.release(0.0) == []  # the feedback topic has 100 messages to come
    m.add(RV, 0, 2, at=300.0, event_id="r3", item="r3", wall=0.0)
    assert m.release(0.0) == ["r1"] and m.count() == 2 and m.unordered == 1
    assert m.unordered_by == {"hold_max": 1}


def test_a_topic_another_worker_reads_is_not_waited_for() -> None:
    """The review topic's partition 0 is read by another worker: it never arrives here."""
    highs = {(FB, 0): 100, (RV, 0): 100}
    m = Merge((FB, RV), max_wait=2.0, behind_wait=300.0, highwater=lambda t, p: highs[(t, p)])
    m.add(FB, 0, 0, at=400.0, event_id="f1", item="f1", wall=0.0)
    assert m.release(0.0) == []  # assignment not known yet: the review topic counts
    m.assign([(FB, 0), (RV, 1)])
    assert m.release(0.1) == ["f1"] and m.unordered == 0


def test_a_topic_read_slowly_is_waited_for_while_it_moves() -> None:
    """A busy worker catching up reads the review topic slowly but steadily: the feedback
    event past it keeps waiting as long as the review topic moves, and goes ``behind_wait``
    after it stopped moving."""
    highs = {(FB, 0): 100, (RV, 0): 100}
    m = Merge((FB, RV), max_wait=2.0, behind_wait=30.0, highwater=lambda t, p: highs[(t, p)])
    m.add(FB, 0, 0, at=1000.0, event_id="f1", item="f1", wall=0.0)
    for i in range(5):  # a review every 20 s, each still before the feedback event
        wall = 20.0 * (i + 1)
        m.add(RV, 0, i, at=100.0 * (i + 1), event_id=f"r{i}", item=f"r{i}", wall=wall)
        assert m.release(wall) == [f"r{i}"]
        assert m.waiting(wall + 25.0) == []
    assert m.unordered == 0 and m.count() == 1  # 100 s after it came, still in order
    assert m.release(100.0 + 29.0) == []
    assert m.waiting(100.0 + 30.0) == [0]
    assert m.release(100.0 + 30.0) == ["f1"]  # the review topic stopped 30 s ago
    assert m.unordered_by == {"behind_wait": 1}


def test_the_lowest_held_offset_is_known_per_topic_partition() -> None:
    """The commit rule reads it: nothing at or past a held event is committed."""
    highs = {(FB, 0): 100, (RV, 0): 100}
    m = Merge((FB, RV), max_wait=2.0, highwater=lambda t, p: highs[(t, p)])
    m.add(FB, 0, 7, at=300.0, event_id="f7", item="f7", wall=0.0)
    m.add(FB, 0, 8, at=100.0, event_id="f8", item="f8", wall=0.0)
    assert m.lowest_held(FB, 0) == 7 and m.lowest_held(RV, 0) is None
    m.add(RV, 0, 0, at=200.0, event_id="r0", item="r0", wall=0.0)
    assert m.release(0.0) == ["f8", "r0"]  # f8: earlier in event time, later in offset
    assert m.lowest_held(FB, 0) == 7
    m.add(RV, 0, 1, at=400.0, event_id="r1", item="r1", wall=0.0)
    assert m.release(0.0) == ["f7"]
    assert m.lowest_held(FB, 0) is None and m.lowest_held(RV, 0) == 1
    m.reset()
    assert m.lowest_held(RV, 0) is None


def test_events_of_one_instant_go_in_event_id_order_as_a_replay_orders_them() -> None:
    """Another topic read up to the same instant may still hold an event of that instant."""
    highs = {(FB, 0): 100, (RV, 0): 100}
    m = Merge((FB, RV), max_wait=2.0, behind_wait=30.0, highwater=lambda t, p: highs[(t, p)])
    m.add(FB, 0, 0, at=100.0, event_id="b1", item="b1", wall=0.0)
    m.add(RV, 0, 0, at=100.0, event_id="c1", item="c1", wall=0.0)
    assert m.release(0.0) == []  # the review topic is at 100, not past it
    m.add(RV, 0, 1, at=100.0, event_id="a1", item="a1", wall=0.0)
    m.add(RV, 0, 2, at=150.0, event_id="x1", item="x1", wall=0.0)
    m.add(FB, 0, 1, at=160.0, event_id="y1", item="y1", wall=0.0)
    assert m.release(0.0) == ["a1", "b1", "c1", "x1"]
    assert m.unordered == 0


def test_a_topic_not_read_since_its_seek_counts_its_next_offset_as_still_to_come() -> None:
    """After a rebalance the consumer's read offset of a partition is the committed offset, the
    next one to read, until a message of it arrives. With one message left there (say a
    feedback event written just before a crash), a review event of the same partition must
    wait for it, or the new owner applies the two in another order than the old one did."""
    highs = {(FB, 0): 5, (RV, 0): 10}
    seeked = {(FB, 0): 4, (RV, 0): 9}  # committed: feedback offset 4 is still to read
    m = Merge(
        (FB, RV),
        max_wait=2.0,
        highwater=lambda t, p: highs[(t, p)],
        read=lambda t, p: seeked[(t, p)],
    )
    m.add(RV, 0, 9, at=300.0, event_id="r1", item="r1", wall=0.0)
    assert m.release(0.0) == []
    m.add(FB, 0, 4, at=298.0, event_id="f1", item="f1", wall=0.1)
    assert m.release(0.1) == ["f1", "r1"]
    assert m.unordered == 0
    assert m.drained(0)


def test_a_topic_not_fetched_since_it_was_assigned_is_waited_for_as_a_backlog() -> None:
    """Just after a takeover a busy worker may fetch one topic of a partition seconds after
    another: its end is not known yet, and its events may be earlier than those already here."""
    highs: dict[tuple[str, int], int | None] = {(FB, 0): None, (RV, 0): 10}
    m = Merge((FB, RV), max_wait=2.0, behind_wait=30.0, highwater=lambda t, p: highs[(t, p)])
    m.add(RV, 0, 0, at=300.0, event_id="r1", item="r1", wall=0.0)
    assert m.release(5.0) == [] and m.waiting(5.0) == []  # past max_wait, still waiting
    highs[(FB, 0)] = 3
    m.add(FB, 0, 0, at=299.0, event_id="f1", item="f1", wall=6.0)
    m.add(FB, 0, 1, at=301.0, event_id="f2", item="f2", wall=6.0)
    assert m.release(6.0) == ["f1", "r1"] and m.unordered == 0
    assert m.waiting(29.0) == [] and m.waiting(36.0) == [0]  # f2: the review topic moved at 0


def test_an_empty_topic_never_read_makes_no_wait_longer() -> None:
    """The feedback topic is empty and nothing was ever read or committed there; the call
    topic has one offset left (maybe a commit marker): the review event waits ``max_wait``."""
    cl = "cx.call"
    highs = {(FB, 0): 0, (RV, 0): 10, (cl, 0): 1}
    m = Merge((FB, RV, cl), max_wait=2.0, behind_wait=30.0, highwater=lambda t, p: highs[(t, p)])
    m.add(RV, 0, 0, at=300.0, event_id="r1", item="r1", wall=0.0)
    assert m.release(1.0) == []
    assert m.release(2.0) == ["r1"] and m.unordered_by == {"max_wait": 1}


def test_a_topic_set_aside_as_unreadable_is_not_waited_for_until_it_is_read_again() -> None:
    """The fetcher cannot read the feedback topic of partition 0: reviews go at once, not after
    a bound, and not only until the next assignment; once feedback is read again, it is
    waited for again."""
    highs = {(FB, 0): 10, (RV, 0): 10, (FB, 1): 10, (RV, 1): 10}
    m = Merge((FB, RV), max_wait=2.0, behind_wait=30.0, highwater=lambda t, p: highs[(t, p)])
    m.set_aside(FB, 0)
    m.reset()  # a new assignment keeps it: the fetcher still cannot read it
    m.add(RV, 0, 0, at=300.0, event_id="r1", item="r1", wall=0.0)
    m.add(RV, 1, 0, at=300.0, event_id="r2", item="r2", wall=0.0)
    assert m.release(0.0) == ["r1"]  # partition 1's feedback topic is waited for as before
    assert m.unordered == 0
    m.add(FB, 0, 0, at=100.0, event_id="f1", item="f1", wall=1.0)  # readable again
    m.add(RV, 0, 1, at=400.0, event_id="r3", item="r3", wall=1.0)
    assert m.release(1.0) == ["f1"]  # r3 waits for the feedback topic again
    m.set_aside(FB, 1)
    m.drop({1})  # taken away: forgotten with the partition
    assert m.aside == set()
