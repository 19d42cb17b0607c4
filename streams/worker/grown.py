"""Topics given more partitions than the deployment's count (``kafka.partitions``).

An upstream team that adds partitions to an event topic (to produce faster) sends some stores'
events to the new partitions from then on. Faust groups topics by partition count and assigns
each group on its own, so the grown topic's first partitions could go to a worker that does not
hold their stores' states, and an event of a new partition has no changelog partition to write
its store to: the worker would stop at the first one (``Unrecognized partition``), and a restart
would refuse the topic, every store unwatched for one team's change to one topic.

Here the worker keeps every store watched:

- ``Assignor`` assigns the first ``kafka.partitions`` partitions of a grown topic together with
  every other topic's (so partition *p* of every topic stays with one worker), and each extra
  partition *p* to the worker that owns partition ``p mod kafka.partitions``. The extras are in
  the Kafka assignment only: Faust's own record of it, which its tables, the stickiness of the
  next assignment and ``assigned_actives`` read, never holds them.
- ``Mover`` takes each event read from an extra partition and sends it, bytes, key and headers
  unchanged, to its store's partition: where this worker holds the store, else ``p mod
  kafka.partitions``, which is where the same key went before the topic grew whenever the new
  count is a multiple of the old (Kafka's partitioner takes the key's hash modulo the count).
  The copy is read there like any event; a copy sent twice (a crash between the send and the
  commit) is counted once by the store's event-id memory. Clock ticks on an extra partition are
  dropped: the worker sends its ticks to its own partitions only, and sends due ones again.

Each moved event is counted (``cxpulse_events_moved_total``) and ``CxpulseEventTopicGrown``
warns: the topic should be given back its count (README, Operations).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment
from faust.assignor import PartitionAssignor

log = logging.getLogger("cxpulse.worker")

HEADER_MOVED_FROM = "cxpulse.moved.from"  # "topic/partition/offset" of the message moved


class _Capped:
    """Cluster metadata in which a topic of more than ``partitions`` partitions has
    ``partitions``; the topics it capped, with their counts, are in ``grown``."""

    def __init__(self, cluster: Any, partitions: int) -> None:
        self._cluster, self._n = cluster, partitions
        self.grown: dict[str, int] = {}

    def partitions_for_topic(self, topic: str) -> set[int] | None:
        found: set[int] | None = self._cluster.partitions_for_topic(topic)
        if found is not None and len(found) > self._n:
            self.grown[topic] = len(found)
            return set(range(self._n))
        return found


def extras(
    actives: Mapping[str, list[int]], grown: Mapping[str, int], partitions: int
) -> dict[str, list[int]]:
    """The extra partitions of each grown topic that go with one worker's ``actives``: each
    *p* whose ``p mod partitions`` it owns in that topic."""
    out: dict[str, list[int]] = {}
    for topic, count in grown.items():
        owned = set(actives.get(topic, ()))
        more = [p for p in range(partitions, count) if p % partitions in owned]
        if more:
            out[topic] = more
    return out


class Assignor(PartitionAssignor):
    """Faust's assignor, with grown topics assigned as described above (installed with
    ``faust.App(..., PartitionAssignor=Assignor)``)."""

    def __init__(self, app: Any, replicas: int = 0) -> None:
        super().__init__(app, replicas=replicas)
        self._grown: dict[str, int] = {}  # topic -> its count, at the leader's last assignment

    def _perform_assignment(self, cluster: Any, member_metadata: Any) -> Any:
        # Faust reads the topics' counts from ``cluster`` alone, to group them.
        capped = _Capped(cluster, self.app.conf.topic_partitions)
        self._grown = capped.grown  # filled as the assignment reads the counts
        return super()._perform_assignment(capped, member_metadata)

    def on_assignment(self, assignment: ConsumerProtocolMemberAssignment) -> None:
        # Faust checks the Kafka assignment against its own record, which has no extras; the
        # consumer is handed the Kafka assignment as it came, extras and all.
        n = self.app.conf.topic_partitions
        super().on_assignment(
            ConsumerProtocolMemberAssignment(
                assignment.version,
                [(t, [p for p in ps if p < n]) for t, ps in assignment.assignment],
                assignment.user_data,
            )
        )

    def _protocol_assignments(
        self,
        assignments: Any,
        cl_distribution: Any,
        tp_distribution: Any,
        topic_groups: Any,
    ) -> MutableMapping[str, ConsumerProtocolMemberAssignment]:
        out: MutableMapping[str, ConsumerProtocolMemberAssignment] = super()._protocol_assignments(
            assignments, cl_distribution, tp_distribution, topic_groups
        )
        if not self._grown:
            return out
        n = self.app.conf.topic_partitions
        log.warning(
            "topics with more partitions than kafka.partitions (%d): %s; partition p of each "
            "is read with partition p mod %d, and its events are moved there",
            n,
            ", ".join(f"{t} ({c})" for t, c in sorted(self._grown.items())),
            n,
        )
        for client, answer in out.items():
            more = extras(assignments[client].actives, self._grown, n)
            if more:
                merged = {t: list(ps) for t, ps in answer.assignment}
                for topic, ps in more.items():
                    merged[topic] = sorted({*merged.get(topic, ()), *ps})
                out[client] = ConsumerProtocolMemberAssignment(
                    answer.version, sorted(merged.items()), answer.user_data
                )
        return out


@dataclass
class Mover:
    """Sends the events of extra partitions on to their stores' partitions."""

    partitions: int  # kafka.partitions
    event_topics: frozenset[str]
    send: Callable[[str, bytes | None, bytes | None, int, list[tuple[str, bytes]]], None]
    known: Callable[[], Mapping[bytes, int]]  # store key -> the partition this worker holds it in
    counted: Callable[[str], None]  # one moved event of a topic
    said: set[tuple[str, int]] = field(default_factory=set)

    def target(self, key: bytes | None, partition: int) -> int:
        held = self.known().get(key) if key is not None else None
        if held is not None and 0 <= held < self.partitions:
            return held
        return partition % self.partitions

    def move(self, msg: Any) -> None:
        """Send ``msg`` (of an extra partition) on, or drop it if it is not an event."""
        if msg.topic not in self.event_topics:
            return  # a clock tick: the worker sends those to its own partitions only
        to = self.target(msg.key, msg.partition)
        headers = [*(getattr(msg, "headers", None) or ()), (HEADER_MOVED_FROM, _origin(msg))]
        self.send(msg.topic, msg.key, msg.value, to, headers)
        self.counted(msg.topic)
        if (msg.topic, msg.partition) not in self.said:
            self.said.add((msg.topic, msg.partition))
            log.warning(
                "events on %s partition %d, beyond kafka.partitions (%d): moved to their "
                "stores' partitions; give the topic back its partition count (README)",
                msg.topic,
                msg.partition,
                self.partitions,
            )


def _origin(msg: Any) -> bytes:
    return f"{msg.topic}/{msg.partition}/{msg.offset}".encode()
