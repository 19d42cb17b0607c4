"""Which stores wait for their changelog write, and which offsets the commit may not pass.

A busy store changes with nearly every event, and its state is kilobytes of JSON: written after
every batch, a live stream of small batches sent one whole state per event (a 200-store run
spent more time writing than applying). So a changed store is written once its first unwritten
change is ``every`` seconds old, carrying every change since.

That is safe only if nothing unwritten is committed. Each applied event's offset is kept with
its store until the store is written; the commit rule (``offsets.Consumer``) never passes the
lowest of them, so a crash or a takeover reads those events again, and the store's event ids
count the ones already in its written state as duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Key = bytes


@dataclass
class Unwritten:
    every: float  # wall seconds a change may wait for its write; 0: after every batch
    # store -> (its partition, wall time of its first change since its last write), oldest first
    since: dict[Key, tuple[int, float]] = field(default_factory=dict)
    # partition -> store -> topic -> the lowest offset applied to the store since its write
    floors: dict[int, dict[Key, dict[str, int]]] = field(default_factory=dict)

    def applied(self, key: Key, topic: str, partition: int, offset: int) -> None:
        """An event of ``topic``'s ``partition`` at ``offset`` changed store ``key``. With
        ``every`` 0 the store is written in the event's own batch, before the event is
        acknowledged, so there is nothing to hold the commit for (and nothing to keep per
        event)."""
        if not self.every:
            return
        topics = self.floors.setdefault(partition, {}).setdefault(key, {})
        if offset < topics.get(topic, offset + 1):
            topics[topic] = offset

    def changed(self, key: Key, partition: int, wall: float) -> None:
        self.since.setdefault(key, (partition, wall))

    def due(self, wall: float) -> list[tuple[Key, int]]:
        """The stores whose first unwritten change is ``every`` seconds old, oldest first."""
        out = []
        for key, (partition, first) in self.since.items():
            if wall - first < self.every:
                break  # in order of first change: the rest are younger
            out.append((key, partition))
        return out

    def pending(self) -> list[tuple[Key, int]]:
        return [(key, partition) for key, (partition, _) in self.since.items()]

    def written(self, key: Key, partition: int) -> None:
        """Written (or given up on): its events' offsets may be committed."""
        self.since.pop(key, None)
        stores = self.floors.get(partition)
        if stores is not None:
            stores.pop(key, None)
            if not stores:
                del self.floors[partition]

    def lowest(self, topic: str, partition: int) -> int | None:
        """The lowest offset of ``topic``'s ``partition`` applied to a store not written yet."""
        return min(
            (t[topic] for t in self.floors.get(partition, {}).values() if topic in t),
            default=None,
        )
