"""The alerts topic → the lifecycle engine.

A plain aiokafka consumer (not Faust: there is no state to co-partition, the database is the
state). Offsets are committed only after the batch's events have been applied, so a crash
re-delivers them; the engine recognises an ``alert_event_id`` it has applied and does nothing,
so re-delivery never pages twice. A message that is not a valid ``AlertEvent`` is parked on the
dead-letter topic with the reason, like the worker's rejects, and never stops the consumer.

If the consumer itself fails (the broker away, the database down), no alert from the stream
reaches anyone, while the API and the console look well. So ``SourceState`` says whether it
reads: ``cxpulse_alerts_source_up`` for an alert rule, and the service's ``/healthz``
(``degraded``, with the error) for whoever looks.

A batch it cannot decode (corrupt, or in a codec no library here reads) would fail every
fetch from then on, and with it every partition's alerts. So that partition is set aside
(paused, from where it was) and the others are read on; the source counts as down, naming it,
until it is read again: tried every ``RETRY_ASIDE`` seconds (a fault of the broker's replica may
mend, or be mended, without a restart of this service), and by every restart.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord, TopicPartition
from prometheus_client import CollectorRegistry, Counter, Gauge
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from alerts.ports import ConcurrentUpdate
from alerts.settings import AlertsTopic
from schemas import deadletter as dl
from schemas.alerts import AlertEvent
from streams.core.errors import said
from streams.fetched import (
    Unreadable,
    broken_partition,
    positions,
    rewind,
    unreadable_reason,
    unreadable_rows,
)

log = logging.getLogger("alerts.source")
# Seconds before a partition set aside is tried again. Each try that fails again costs one
# failed fetch and one log line; alerts waiting behind a fault that has mended wait at most this.
RETRY_ASIDE = 300.0
Apply = Callable[[AlertEvent], Awaitable[None]]


class SourceState:
    """Whether the alerts topic is being read, since when, and what stopped it."""

    def __init__(
        self, registry: CollectorRegistry | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.clock = clock
        self.up = False
        self.since = clock()
        self.error: str | None = "starting"
        self.unreadable: Unreadable = {}
        self.aside_at: dict[tuple[str, int], float] = {}  # when each was set aside
        self.g_up = Gauge(
            "cxpulse_alerts_source_up",
            "1 while the alerts topic is read; 0 while its consumer fails or has not started.",
            registry=registry,
        )
        self.g_read = Gauge(
            "cxpulse_alerts_source_last_read_timestamp_seconds",
            "Wall time of the consumer's last read of the alerts topic (with or without news).",
            registry=registry,
        )
        self.events = Counter(
            "cxpulse_alerts_source_events",
            "Alert events taken from the alerts topic: applied, or dead-lettered.",
            ["outcome"],
            registry=registry,
        )
        self.failures = Counter(
            "cxpulse_alerts_source_failures",
            "Times the alerts topic's consumer failed (it is started again 5 s later) or set a "
            "partition aside.",
            registry=registry,
        )
        for outcome in ("applied", "dead_lettered"):
            self.events.labels(outcome)

    def reading(self) -> None:
        now = self.clock()
        if not self.up and not self.unreadable:
            self.up, self.since, self.error = True, now, None
            self.g_up.set(1)
        self.g_read.set(now)

    def failed(self, error: str) -> None:
        if self.up or self.error in (None, "starting"):
            self.since = self.clock()
        self.up, self.error = False, error[:300]
        self.g_up.set(0)
        self.failures.inc()

    def set_aside(self, topic: str, partition: int, offset: int, why: str) -> None:
        """A partition is no longer read (its other partitions are): down, saying which."""
        self.unreadable[(topic, partition)] = (offset, why)
        self.aside_at[(topic, partition)] = self.clock()
        self.failed(f"{unreadable_reason(self.unreadable)}; its other partitions are read")

    def restarted(self) -> None:
        """A new consumer tries every partition again."""
        self.unreadable.clear()
        self.aside_at.clear()

    def assigned(self, partitions: set[tuple[str, int]]) -> None:
        """A partition given to another replica is that replica's to read (or set aside)."""
        for gone in self.unreadable.keys() - partitions:
            del self.unreadable[gone]
            self.aside_at.pop(gone, None)

    def to_retry(self, after: float = RETRY_ASIDE) -> list[tuple[str, int]]:
        """The partitions set aside at least ``after`` seconds ago, taken off the list: the
        consumer reads them again, and a fetch that still fails sets them aside anew."""
        now = self.clock()
        due = [tp for tp, at in self.aside_at.items() if now - at >= after]
        for tp in due:
            del self.unreadable[tp], self.aside_at[tp]
        return due

    def as_json(self) -> dict[str, Any]:
        return {
            "up": self.up,
            "since": self.since,
            "error": self.error,
            "unreadable": unreadable_rows(self.unreadable),
        }


def decode(value: bytes | None) -> AlertEvent | str:
    """The event, or why it is not one."""
    if value is None:
        return "empty message"
    try:
        return AlertEvent.model_validate_json(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "message"
        return f"{where}: {first['msg']}"


async def consume(
    source: AlertsTopic, apply: Apply, stop: asyncio.Event, state: SourceState | None = None
) -> None:
    """Apply every alert event on the alerts topic until ``stop`` is set."""
    state = state or SourceState()
    consumer = AIOKafkaConsumer(
        source.topic,
        bootstrap_servers=source.bootstrap,
        group_id=source.group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    producer = AIOKafkaProducer(bootstrap_servers=source.bootstrap)
    await consumer.start()
    await producer.start()
    state.restarted()
    try:
        while not stop.is_set():
            assignment = consumer.assignment()
            if state.unreadable:
                state.assigned({(tp.topic, tp.partition) for tp in assignment})
                for topic, partition in state.to_retry():
                    log.info("%s[%s] set aside: trying it again", topic, partition)
                    consumer.resume(TopicPartition(topic, partition))
            before = positions(consumer, assignment)
            try:
                batches = await consumer.getmany(timeout_ms=500, max_records=500)
            except Exception as exc:
                broken = broken_partition(consumer._fetcher._records)
                if broken is None:
                    raise  # not a batch it could not read: start again, as for any failure
                await _set_aside(consumer, broken, said(exc), before, state)
                continue
            for records in batches.values():
                for record in records:
                    applied = await _one(record, apply, producer, source.dead_letter_topic)
                    state.events.labels("applied" if applied else "dead_lettered").inc()
            if batches:
                await consumer.commit()
            state.reading()  # after the commit: a failing database stops it first
    finally:
        await consumer.stop()
        await producer.stop()


async def _set_aside(
    consumer: AIOKafkaConsumer,
    broken: tuple[TopicPartition, int],
    why: str,
    before: dict[TopicPartition, int],
    state: SourceState,
) -> None:
    """Pause the partition whose batch could not be read, and read the failed fetch's other
    partitions again: it returned none of what it took of them. Every partition goes back to
    where it was before that fetch, the paused one too, so the commit after the next batch
    commits nothing of it that was not applied. A partition read for the first time had no
    position before it: it goes back to its committed offset (the earliest, with none)."""
    tp, offset = broken
    for other in rewind(consumer, tp, before):
        if (committed := await consumer.committed(other)) is not None:
            consumer.seek(other, committed)
        else:
            await consumer.seek_to_beginning(other)
    consumer.pause(tp)
    log.error(
        "%s[%s] cannot be read from offset %s (%s); its other alerts wait, the other partitions "
        "are read",
        tp.topic,
        tp.partition,
        offset,
        why,
    )
    state.set_aside(tp.topic, tp.partition, offset, why)


async def _one(
    record: ConsumerRecord[bytes, bytes], apply: Apply, producer: AIOKafkaProducer, dlq: str
) -> bool:
    """Apply one record (True), or park it on the dead-letter topic (False)."""
    event = decode(record.value)
    code: dl.ReasonCode
    if isinstance(event, str):
        code, reason = "invalid", event
    else:
        try:
            await apply(event)
            return True
        except (OSError, TimeoutError, DBAPIError, ConcurrentUpdate):
            # The database or the network, not the event: stop before the commit, so the
            # batch is read again once it is back (the engine skips what it already applied).
            raise
        except Exception as exc:  # a bug must not stop every later alert from paging
            log.exception("lifecycle failed on %s", event.alert_event_id)
            code, reason = "processing_error", f"{type(exc).__name__}: {exc}"
    log.warning("rejected %s[%s]@%s: %s", record.topic, record.partition, record.offset, reason)
    await producer.send_and_wait(
        dlq,
        **dl.record(
            code, reason, record.topic, record.partition, record.offset, record.key, record.value
        ),
    )
    return False
