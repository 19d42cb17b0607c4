"""Writing Faust tables from a batch: the one place that touches the store's internals.

The agent writes ``table.data`` directly and sends the changelog itself (one message per key
per batch instead of one per assignment). That bypasses Faust's bookkeeping of which partition
each key came from, which the memory store keeps in ``_key_partition`` (filled on changelog
recovery) and uses to drop keys of partitions this worker lost. We fill it in here too, so the
store's own map serves both recovery and our timers, and no second map per key is needed
(with 100k open complaints a second dict cost ~80 bytes each).
"""

from __future__ import annotations

from typing import Any


def key_partitions(table: Any) -> dict[Any, int]:
    """The key -> partition map of a table's store (empty for stores that have none)."""
    kp: dict[Any, int] | None = getattr(table.data, "_key_partition", None)
    return kp if kp is not None else {}


def write(
    table: Any, partition: int, key: bytes, value: Any, wire: Any, serializer: str | None = None
) -> None:
    """Put ``value`` in the table and ``wire`` (its JSON form, or with ``serializer="raw"``
    that form already serialised) on the changelog."""
    hold(table, partition, key, value)
    if serializer is None:
        table.send_changelog(partition, key, wire)
    else:
        table.send_changelog(partition, key, wire, value_serializer=serializer)


def hold(table: Any, partition: int, key: bytes, value: Any) -> None:
    """Put ``value`` in the table without a changelog message (it could not be encoded)."""
    table.data[key] = value
    kp = getattr(table.data, "_key_partition", None)
    if kp is not None:
        kp[key] = partition


def delete(table: Any, partition: int, key: bytes) -> None:
    """Drop a key here and on the changelog (a tombstone: recovery drops it too)."""
    table.data.pop(key, None)
    kp = getattr(table.data, "_key_partition", None)
    if kp is not None:
        kp.pop(key, None)
    table.send_changelog(partition, key, None, value_serializer="raw")


def repack(table: Any, key: Any, value: Any) -> None:
    """Hold an existing key's value in another in-memory form: same state, so no changelog."""
    table.data[key] = value
