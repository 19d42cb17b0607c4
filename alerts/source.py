"""The alerts topic → the lifecycle engine.

A plain aiokafka consumer (not Faust: there is no state to co-partition, the database is the
state). Offsets are committed only after the batch's events have been applied, so a crash
re-delivers them; the engine recognises an ``alert_event_id`` it has applied and does nothing,
so re-delivery never pages twice. A message that is not a valid ``AlertEvent`` is parked on the
dead-letter topic with the reason, like the worker's rejects, and never stops the consumer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from alerts.ports import ConcurrentUpdate
from alerts.settings import AlertsTopic
from schemas import deadletter as dl
from schemas.alerts import AlertEvent

log = logging.getLogger("alerts.source")
Apply = Callable[[AlertEvent], Awaitable[None]]


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


async def consume(source: AlertsTopic, apply: Apply, stop: asyncio.Event) -> None:
    """Apply every alert event on the alerts topic until ``stop`` is set."""
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
    try:
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=500, max_records=500)
            for records in batches.values():
                for record in records:
                    await _one(record, apply, producer, source.dead_letter_topic)
            if batches:
                await consumer.commit()
    finally:
        await consumer.stop()
        await producer.stop()


async def _one(
    record: ConsumerRecord[bytes, bytes], apply: Apply, producer: AIOKafkaProducer, dlq: str
) -> None:
    event = decode(record.value)
    code: dl.ReasonCode
    if isinstance(event, str):
        code, reason = "invalid", event
    else:
        try:
            await apply(event)
            return
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
        key=record.key,
        value=record.value,
        headers=dl.headers(code, reason, record.topic, record.partition, record.offset),
    )
