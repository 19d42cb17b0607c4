"""Event-time order across the topics of a partition, with a bounded wait.

The four kinds arrive on four topics that the consumer fetches side by side, in chunks: after a
backlog, or when a day is published at once, the review topic's burst can be read an hour of
event time ahead of the feedback topic. The per-kind signals do not mind (each kind has its own
clock), but the rules that read several kinds (word of mouth, spikes, crisis) then see a mix no
time-ordered replay would see, and raise different values or resolve at different times.

So the worker holds each partition's events in a heap and hands them on in event-time order:
an event goes once every kind's topic of its partition has been read past its time, or has
nothing more to read (its position is at the high watermark), or once it has waited
``max_wait`` wall seconds (so a topic that is slow to fetch never stalls the others; then the
order is the arrival order, as it would be without this buffer). In a live stream the other
topics are caught up, so nothing waits. Held events are not acknowledged, so their offsets are
not committed: a crash re-reads them.

While a backlog is read (a restart, a takeover, a burst), the consumer fetches by bytes, so a
busy topic falls behind the others in event time and what they hold must wait for it; its
messages are known to be left (its position is below its high watermark) and are coming,
behind seconds of other work in the consumer's queue. With ``max_wait`` alone, a 10,000-store
burst (``bench.scale``) handed hundreds of events at a time on in arrival order, and crisis
alerts then named other evidence than a replay, one worker against two, and a takeover raised
other alerts than a crash-free run. So an event waits for a topic with messages known to be
left for as long as that topic moves, and gives up on it ``behind_wait`` after its last move
(a wait counted from the event's arrival broke the order whenever the worker was busy), and
the same for a topic whose end is not known yet (not fetched since it was assigned);
``max_wait`` for a topic with at most one offset left; at most ``hold_max`` events are held,
so a long backlog of very uneven topics costs bounded memory; and only topics this worker
reads are waited for.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

TopicPartition = tuple[str, int]
# (time, event id, arrival order, wall time it came, topic, offset, item)
Held = tuple[float, str, int, float, str, int, Any]


@dataclass
class Merge:
    topics: tuple[str, ...]  # the event topics, one per kind
    max_wait: float
    behind_wait: float = 0.0  # for a topic with messages left; below max_wait means max_wait
    hold_max: int = 0  # events held at most (memory); past it the earliest go anyway; 0: no cap
    # (topic, partition) -> the offset its high watermark is at, None when not known yet
    highwater: Callable[[str, int], int | None] = lambda t, p: None
    # The consumer's read offset, for a topic not read here since the last reset: Faust's is
    # the committed offset (the next to read) after a seek, and the last offset handed to the
    # stream after that. Either way a message at that offset may not have reached this
    # buffer yet, so it counts as still to come.
    read: Callable[[str, int], int | None] = lambda t, p: None
    heads: dict[TopicPartition, float] = field(default_factory=dict)  # newest time read
    positions: dict[TopicPartition, int] = field(default_factory=dict)  # next offset
    moved: dict[TopicPartition, float] = field(default_factory=dict)  # wall time it last moved
    # partition -> heap of the events held (``Held``), earliest event time first
    held: dict[int, list[Held]] = field(default_factory=dict)
    # Partition -> the event topics of it this worker reads, None until the assignment is
    # known: a topic of the partition that another worker reads (the assignment need not keep
    # a partition's topics together) is never fetched here, so nothing waits for it.
    here: dict[int, tuple[str, ...]] | None = None
    # Events handed on by a bound before the other topics were read past them (their order
    # across kinds was the arrival order, which a replay would not see), by that bound:
    # "hold_max", "behind_wait" or "max_wait"
    unordered_by: dict[str, int] = field(default_factory=dict)
    # Topic partitions whose records the fetcher cannot read (``fetch.FetchThread`` set them
    # aside): nothing more comes from them until they are read again, so nothing waits for them.
    aside: set[TopicPartition] = field(default_factory=set)
    _seq: itertools.count[int] = field(default_factory=itertools.count)

    def add(
        self,
        topic: str,
        partition: int,
        offset: int,
        at: float,
        event_id: str,
        item: Any,
        wall: float,
    ) -> None:
        tp = (topic, partition)
        self.heads[tp] = max(self.heads.get(tp, at), at)
        self.read_up_to(topic, partition, offset, wall)
        heap = self.held.setdefault(partition, [])
        heapq.heappush(heap, (at, event_id, next(self._seq), wall, topic, offset, item))

    def read_up_to(self, topic: str, partition: int, offset: int, wall: float) -> None:
        """Any message read, held or not (a rejected one too): the topic's position moves."""
        tp = (topic, partition)
        if self.aside:
            self.aside.discard(tp)  # read again: waited for again
        if offset + 1 > self.positions.get(tp, 0):
            self.positions[tp] = offset + 1
            self.moved[tp] = wall

    def release(self, wall: float) -> list[Any]:
        """Every held item that may go now, per partition in event-time order."""
        out: list[Any] = []
        over = self.count() - self.hold_max if self.hold_max else 0
        for partition, heap in self.held.items():
            while heap:
                at, _, _, since, topic, _, item = heap[0]
                if not self._read_past(partition, at, topic):
                    wait, bound, moved = self._bound(partition, at, topic)
                    if over <= 0 and wall - max(since, moved) < wait:
                        break
                    bound = "hold_max" if over > 0 else bound
                    self.unordered_by[bound] = self.unordered_by.get(bound, 0) + 1
                    over -= 1
                heapq.heappop(heap)
                out.append(item)
        return out

    def _read_past(self, partition: int, at: float, own: str) -> bool:
        return all(
            self._past(topic, partition, at, own) or self._at_end(topic, partition)
            for topic in self._read_here(partition)
        )

    def _past(self, topic: str, partition: int, at: float, own: str) -> bool:
        """Read past ``at``: strictly, for another topic than the event's own, since an event
        of the same instant may still come there, and a replay orders one instant's events
        by event id (an alert's evidence lists the events before it)."""
        head = self.heads.get((topic, partition), float("-inf"))
        return head >= at if topic == own else head > at

    @property
    def unordered(self) -> int:
        return sum(self.unordered_by.values())

    def assign(self, assigned: Iterable[TopicPartition]) -> None:
        """The (topic, partition) pairs this worker reads now."""
        here: dict[int, list[str]] = {}
        for topic, partition in assigned:
            if topic in self.topics:
                here.setdefault(partition, []).append(topic)
        self.here = {p: tuple(ts) for p, ts in here.items()}

    def set_aside(self, topic: str, partition: int) -> None:
        """The fetcher cannot read ``topic[partition]``: events of the partition's other topics
        go without waiting for it."""
        self.aside.add((topic, partition))

    def _read_here(self, partition: int) -> tuple[str, ...]:
        topics = self.topics if self.here is None else self.here.get(partition, ())
        if self.aside:
            topics = tuple(t for t in topics if (t, partition) not in self.aside)
        return topics

    def _bound(self, partition: int, at: float, own: str) -> tuple[float, str, float]:
        """How long an event at ``at`` may wait, which bound that is, and since when beyond
        its arrival: ``behind_wait`` while a topic it waits for is known to have messages
        left, counted from the last time such a topic moved. A topic read slowly (a busy
        worker catching up) keeps its events coming, so what waits for it keeps waiting; one
        that stopped moving is given up on after ``behind_wait``."""
        moved, behind = float("-inf"), False
        for topic in self._read_here(partition):
            tp = (topic, partition)
            if self._past(topic, partition, at, own):
                continue
            high, position = self.highwater(topic, partition), self._position(topic, partition)
            # Two offsets or more left: one alone may be a transaction's commit marker, which
            # reads as no message, and a live stream must not wait behind_wait for it. An end
            # not known yet is a partition not fetched since it was assigned: after a takeover
            # that is a backlog, and its first fetch can come seconds after the other topics'
            # events when the worker is busy. No position: nothing committed, read from the
            # start (offsets.py).
            if high is None or high - (position or 0) >= 2:
                behind = True
                moved = max(moved, self.moved.get(tp, float("-inf")))
        if behind and self.behind_wait > self.max_wait:
            return self.behind_wait, "behind_wait", moved
        return self.max_wait, "max_wait", float("-inf")

    def _position(self, topic: str, partition: int) -> int | None:
        position = self.positions.get((topic, partition))
        return self.read(topic, partition) if position is None else position

    def _at_end(self, topic: str, partition: int) -> bool:
        """Read to the high watermark (an empty partition: nothing to wait for)."""
        high = self.highwater(topic, partition)
        if high == 0:
            return True
        position = self._position(topic, partition)
        return high is not None and position is not None and position >= high

    def waiting(self, wall: float) -> list[int]:
        """Partitions whose oldest held item has waited its time out (the timer sends them
        a tick, so they go even if no other message comes)."""
        return [p for p, heap in self.held.items() if heap and self._due(p, heap[0], wall)]

    def _due(self, partition: int, first: Held, wall: float) -> bool:
        at, _, _, since, topic, _, _ = first
        wait, _, moved = self._bound(partition, at, topic)
        return max(since, moved) + wait <= wall

    def drop(self, partitions: set[int]) -> None:
        """Partitions taken away: their held events are another worker's now (unacked, so it
        reads them again)."""
        self.aside = {tp for tp in self.aside if tp[1] not in partitions}
        for p in partitions:
            self.held.pop(p, None)
            for tp in [tp for tp in self.positions if tp[1] == p]:
                self.positions.pop(tp, None)
                self.heads.pop(tp, None)
                self.moved.pop(tp, None)

    def reset(self) -> None:
        """A new assignment: the consumer reads every partition again from its committed offset,
        so what is held (unacknowledged) comes again, and positions read so far are void. What
        is set aside stays so: the fetcher still cannot read it (a partition taken away is
        ``drop``ped)."""
        self.held.clear()
        self.positions.clear()
        self.heads.clear()
        self.moved.clear()

    def drained(self, partition: int) -> bool:
        """Nothing held for ``partition`` and every event topic of it read to its end."""
        if self.held.get(partition):
            return False
        return all(self._at_end(topic, partition) for topic in self._read_here(partition))

    def lowest_held(self, topic: str, partition: int) -> int | None:
        """The lowest offset of ``topic``'s partition held here, not handled yet: the consumer
        must not commit past it, or a rebalance or crash would lose it unprocessed. Read at
        each commit (seconds apart), so a scan of the partition's held events."""
        return min(
            (o for _, _, _, _, t, o, _ in self.held.get(partition, ()) if t == topic), default=None
        )

    def count(self) -> int:
        return sum(len(h) for h in self.held.values())
