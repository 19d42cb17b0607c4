"""What the worker hands to the outside besides alerts: the core's tally as Prometheus
counters, and a refused message onto the dead-letter topic."""

from __future__ import annotations

import logging
from typing import Any

from schemas import deadletter as dl
from streams.core.decode import Rejection
from streams.core.step import Tally
from streams.metrics import Metrics

log = logging.getLogger("cxpulse.worker")


def export_tally(t: Tally, reported: Tally, m: Metrics) -> None:
    """Add to the counters what the core counted since the last export (``reported`` is the
    part already added; the core's tally only grows)."""
    for now, before, counter in (
        (t.consumed, reported.consumed, m.consumed),
        (t.duplicates, reported.duplicates, m.duplicates),
        (t.late, reported.late, m.late),
        (t.rejected, reported.rejected, m.invalid),
    ):
        for label, n in now.items():
            if n != before[label]:
                counter.labels(label).inc(n - before[label])
                before[label] = n
    if t.stores_forgotten != reported.stores_forgotten:
        m.stores_forgotten.inc(t.stores_forgotten - reported.stores_forgotten)
        reported.stores_forgotten = t.stores_forgotten
    for pairs, done, labelled in (
        (t.alerts, reported.alerts, m.alerts),
        (t.sla_events, reported.sla_events, m.sla_events),
    ):
        for labels, n in pairs.items():
            if n != done[labels]:
                labelled.labels(*labels).inc(n - done[labels])
                done[labels] = n


def dead_letter(dlq: Any, m: Metrics, msg: Any, rejection: Rejection) -> None:
    """The message, its place and the reason onto the dead-letter topic; never raises."""
    log.warning(
        "rejected %s[%s]@%s: %s: %s",
        msg.topic,
        msg.partition,
        msg.offset,
        rejection.code,
        rejection.reason,
    )
    try:
        dlq.send_soon(
            **dl.record(
                rejection.code,
                rejection.reason,
                msg.topic,
                msg.partition,
                msg.offset,
                msg.key,
                msg.value,
            )
        )
    except Exception:
        # Not even the dead-letter topic takes it: say so and move on, never retry forever.
        log.exception("could not dead-letter %s[%s]@%s", msg.topic, msg.partition, msg.offset)
        m.undeliverable.inc()
