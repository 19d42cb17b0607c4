"""Changelog writes that wait: which stores are due, and the offsets the commit may not pass."""

from __future__ import annotations

from streams.worker.writes import Unwritten


def test_stores_fall_due_in_the_order_of_their_first_unwritten_change() -> None:
    u = Unwritten(every=2.0)
    u.changed(b"S1", 0, wall=10.0)
    u.changed(b"S2", 1, wall=11.0)
    u.changed(b"S1", 0, wall=11.5)  # a later change keeps the first one's place
    assert u.due(11.9) == []
    assert u.due(12.0) == [(b"S1", 0)]
    assert u.due(13.0) == [(b"S1", 0), (b"S2", 1)]
    u.written(b"S1", 0)
    u.changed(b"S1", 0, wall=13.0)  # changed again after its write: the back of the line
    assert u.pending() == [(b"S2", 1), (b"S1", 0)]


def test_the_lowest_unwritten_offset_is_kept_per_topic_partition_until_the_store_is_written() -> (
    None
):
    u = Unwritten(every=2.0)
    u.applied(b"S1", "cx.feedback", 0, 40)
    u.applied(b"S1", "cx.feedback", 0, 38)  # handed on out of offset order (event-time merge)
    u.applied(b"S2", "cx.feedback", 0, 45)
    u.applied(b"S2", "cx.call", 0, 7)
    u.applied(b"S3", "cx.feedback", 1, 3)
    assert u.lowest("cx.feedback", 0) == 38
    assert u.lowest("cx.call", 0) == 7
    assert u.lowest("cx.review", 0) is None
    u.written(b"S1", 0)
    assert u.lowest("cx.feedback", 0) == 45
    u.written(b"S2", 0)
    assert u.lowest("cx.feedback", 0) is None and u.lowest("cx.feedback", 1) == 3
