"""What the broker's time stamps bound in the worker, where the worker's own clock may be wrong.

The event and tick topics are stamped by the broker (``LogAppendTime``, set by
``streams.topics``): each record carries the time the broker took it in, by the broker's
clock. A worker's host may have its clock minutes slow or a day fast (a VM restored from a
snapshot, a step of NTP); the broker's stamps keep that from refusing live events, admitting
future ones, or breaching SLA clocks early. On a topic stamped by producers the stamp is the
producer's to set, so there the worker's clock is used, as before.
"""

from __future__ import annotations

from typing import Any

LOG_APPEND_TIME = 1  # Kafka's timestamp type of a record the broker stamped
# How far past the broker's stamp a clock tick may move the SLA clocks: more than hosts' clocks
# differ under NTP, less than an SLA's minute-level precision would notice. Operational
# default, not from domain.md.
TICK_AHEAD = 30.0


def broker_stamp(msg: Any) -> float | None:
    """The broker's stamp on ``msg`` in seconds, or None where the producer stamped it."""
    if getattr(msg, "timestamp_type", None) == LOG_APPEND_TIME and msg.timestamp:
        return float(msg.timestamp)
    return None


def arrival(msg: Any, wall: float) -> float:
    """When a message reached Kafka, which bounds how far ahead its event may be dated
    (``intake.max_ahead``): the broker's stamp, not the worker's clock. One minutes slow would
    refuse every live event, one a day fast would let events dated up to a day ahead take over
    their stores' clocks; and the same message is judged the same whenever it is read."""
    stamp = broker_stamp(msg)
    return wall if stamp is None else stamp


def tick_time(sent: float, stamp: float | None) -> float:
    """The SLA clock a tick moves its partition to: the time it was sent with (the worker's
    clock, or its partition's newest event), but no later than ``TICK_AHEAD`` past the broker's
    ``stamp`` on it (``broker_stamp``). A host clock that jumps a day ahead would otherwise
    breach every open complaint due within that day at once, each a page."""
    return sent if stamp is None else min(sent, stamp + TICK_AHEAD)
