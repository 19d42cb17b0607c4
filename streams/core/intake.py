"""Admission of one message: bytes, key and arrival time in; a valid event or a rejection out.

The contract's own rules live in ``decode``; here are the rules that need the message's context:
the key that places a store in its partition, and how far an event's time may stray from when it
arrived. An event dated centuries ahead would otherwise become its store's clock (every later
event "late") and its partition's SLA clock (every open complaint breached at once).

Arrival is what the shell knows of "now": the worker passes the time the broker took the
message in (its own clock on a topic stamped by producers), the replay runner the newest event
time read so far from its file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from schemas.events import Envelope, event_time
from streams.core.decode import Rejection, decode

DAY = 86400.0


class IntakeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Upstream clocks drift by seconds, not minutes; five minutes of slack still catches a
    # wrong year, a wrong zone (8 h) or a wrong day, each of which would freeze a store's
    # windows or breach a partition's SLA clocks.
    max_ahead: Annotated[float, Field(gt=0)] = 300.0
    # Older than the longest window (28 d) plus its lateness, an event can move no signal; a
    # complaint that old would open SLA clocks already decades past. A backfill of older
    # history raises this for its run.
    max_behind: Annotated[float, Field(gt=0)] = 35 * DAY
    # The stores one process holds at most; an event that would add one more is parked as
    # store_limit. Not a domain figure: a safety bound, twice the largest chain the product is
    # sized for (100,000 stores, bench/README.md). An upstream that fills store_id with a fresh
    # value per event (a bug, or an attack) would add a store per event, about 13 KB of memory
    # each, without bound, until the worker that watches every other store too runs out.
    max_stores: Annotated[int, Field(ge=1)] = 200_000
    # A store with no event for this long (its partition's clock past its newest event) is
    # dropped, here and on its changelog, unless one of its alerts still fires; None: never.
    # A store that closed, or one made up by a producer's bug, would otherwise keep its state
    # and its place under max_stores for good. Not a domain figure: a quarter, longer than any
    # count a store keeps (the longest, week-vs-month with its hold, ~64 days; the settings
    # refuse a value below it). A store begun again loses only its spike baselines.
    forget_stores_after: Annotated[float, Field(gt=0)] | None = 90 * DAY


@dataclass(frozen=True, slots=True)
class Message:
    """One message as a shell hands it over. ``kind`` is the event type its topic carries
    (None: any, as in a file); ``keyed`` says whether the source has keys at all."""

    value: bytes | None
    key: bytes | None
    kind: str | None
    arrival: float
    keyed: bool = True
    decoded: Envelope | Rejection | None = None  # when the shell had to decode it already


def admit(msg: Message, cfg: IntakeConfig) -> Envelope | Rejection:
    if msg.keyed and msg.key is None:
        return Rejection(
            "no_key", "the message has no key; publish with key = store_id (the partitioning)"
        )
    result = msg.decoded or decode(
        msg.value, expected_type=msg.kind, key=msg.key if msg.keyed else None
    )
    if isinstance(result, Rejection):
        return result
    ts = event_time(result)
    if ts > msg.arrival + cfg.max_ahead:
        return Rejection(
            "from_the_future",
            f"occurred_at {result.occurred_at.isoformat()} is {_span(ts - msg.arrival)} after "
            f"the message arrived; at most {_span(cfg.max_ahead)} ahead is accepted "
            "(intake.max_ahead)",
        )
    if ts < msg.arrival - cfg.max_behind:
        return Rejection(
            "too_old",
            f"occurred_at {result.occurred_at.isoformat()} is {_span(msg.arrival - ts)} before "
            f"the message arrived; at most {_span(cfg.max_behind)} behind is accepted "
            "(intake.max_behind)",
        )
    return result


def _span(seconds: float) -> str:
    if seconds >= 2 * DAY:
        return f"{seconds / DAY:.0f} d"
    if seconds >= 7200:
        return f"{seconds / 3600:.0f} h"
    if seconds >= 120:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"
