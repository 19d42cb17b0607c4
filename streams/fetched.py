"""What aiokafka's fetcher holds, read where its API says nothing: which partition's fetched
batch could not be read, and where each partition will be read from next.

A record batch is decoded when a consumer takes its records. One it cannot decode (compressed
with a codec no library here reads, or corrupt) raises from the middle of a fetch of every
partition, and every later fetch raises the same way: a consumer that stops there stops
reading all its partitions for one partition's batch. The stream worker's consumer thread
(``streams.worker.fetch``) and the alerts service's consumer (``alerts.source``) both use
these to set that one partition aside and read the others on.

aiokafka is pinned below 0.15 for this: ``tests/unit/test_worker_fetch.py`` runs them on
aiokafka's own record readers, so a change of its internals fails a test, not a deployment.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any


def broken_partition(records: Mapping[Any, Any]) -> tuple[Any, int] | None:
    """The partition whose fetched records stopped on an error, and the offset they stopped at
    (the first one not read), among the fetcher's pending results; None when there is none.

    aiokafka reads a partition's fetched batches through a generator; the one that raised is
    finished (no frame) without having been run to its end, which clears it from its holder."""
    for tp, result in records.items():
        held: Any = getattr(result, "_partition_records", None)
        it = getattr(held, "_records_iterator", None)
        if it is not None and getattr(it, "gi_frame", True) is None:
            return tp, int(held.next_fetch_offset)
    return None


def positions(consumer: Any, partitions: Set[Any]) -> dict[Any, int]:
    """Where each of ``partitions`` will be read from next (those with a known position)."""
    subscription = consumer._subscription.subscription
    assignment = subscription.assignment if subscription is not None else None
    out = {}
    if assignment is not None:
        for tp in partitions:
            state = assignment.state_value(tp)
            if state is not None and state.has_valid_position:
                out[tp] = state.position
    return out


def rewind(consumer: Any, broken: Any, before: Mapping[Any, int]) -> list[Any]:
    """After a fetch that raised on ``broken``'s batch: drop what the fetcher holds of that
    partition, and put every assigned partition back where it was before the fetch, which
    returned nothing of what it took. The assigned partitions that had no position then (read
    for the first time) are returned: where they start is their caller's to say."""
    consumer._fetcher._records.pop(broken, None)
    unplaced = []
    for tp in consumer.assignment():
        if tp in before:
            consumer.seek(tp, before[tp])
        else:
            unplaced.append(tp)
    return unplaced


# (topic, partition) -> (the first offset not read, why): the partitions set aside
Unreadable = dict[tuple[str, int], tuple[int, str]]


def unreadable_reason(unreadable: Unreadable) -> str:
    """The partitions set aside, said in one line for a health answer."""
    return "; ".join(
        f"{t}[{p}] cannot be read from offset {o}: {why}"
        for (t, p), (o, why) in sorted(unreadable.items())
    )


def unreadable_rows(unreadable: Unreadable) -> list[dict[str, Any]]:
    """The partitions set aside, as a health answer's JSON lists them."""
    return [
        {"topic": t, "partition": p, "offset": o, "reason": why}
        for (t, p), (o, why) in sorted(unreadable.items())
    ]
