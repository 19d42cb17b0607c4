"""Writing Faust tables from a batch: the one place that touches the store's internals.

The agent writes ``table.data`` directly and sends the changelog itself (one message per key
per batch instead of one per assignment). That bypasses Faust's bookkeeping of which partition
each key came from, which the memory store keeps in ``_key_partition`` (filled on changelog
recovery) and uses to drop keys of partitions this worker lost. We fill it in here too, so the
store's own map serves both recovery and our timers, and no second map per key is needed
(with 100k open complaints a second dict cost ~80 bytes each).
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from schemas import deadletter as dl

log = logging.getLogger("cxpulse.worker.tables")


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


def set_aside(table: Any, key: bytes, stored: bytes, why: str, dlq: Any) -> bool:
    """Take a saved state that cannot be read out of the table (here only: the changelog keeps
    it until the key's next write replaces it) and park it, as recovered, on the dead-letter
    topic for whoever wants to look. False when not even that topic takes it."""
    name = getattr(getattr(table, "changelog_topic", None), "get_topic_name", lambda: "")()
    log.error("saved state %r of %s cannot be read (%s); it starts afresh", key, name, why)
    with contextlib.suppress(KeyError):
        del table.data[key]
    try:
        dlq.send_soon(
            **dl.record("state_unreadable", why, name or "changelog", -1, -1, key, stored)
        )
    except Exception:
        log.exception("could not dead-letter the saved state %r", key)
        return False
    return True
