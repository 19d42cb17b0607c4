"""Faust's consumer thread, with three changes: fetches that wait to fill, only committed
transactions read, and a partition whose records cannot be read set aside instead of stopping
the worker.

An upstream that publishes in Kafka transactions (an outbox, an exactly-once sink) aborts one
when what it wrote did not happen: a complaint rolled back with its database transaction must
not start an SLA clock. Faust reads uncommitted records unless it runs exactly-once itself, so
the thread asks for committed ones. A transaction left open holds its partition's later
records back until it ends or the broker times it out (``transaction.max.timeout.ms``).

A record batch is read when the agent takes its records, in aiokafka's fetcher. If the batch
cannot be read (compressed with a codec no library here decodes, or corrupt), the fetcher
raises from the middle of a fetch of every partition, Faust's fetch loop dies with it, and the
whole worker stops: one partition's bad batch would blind every store. So the thread finds the
partition whose batch failed (``streams.fetched``), reads none of it any more, says so
(``app.on_unreadable``: the health check and a gauge) and carries on with the others.
Nothing of that partition is handed on past the failed batch, so nothing past its committed
offset is committed: a restart, or the worker it moves to, tries it again from there, and
once it reads, it is read in full.

Records of other partitions that the failed fetch had already taken are read again (they were
never handed on: the fetch returned nothing), so none is skipped.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from faust.transport.drivers import aiokafka as driver
from faust.types import TP

from streams.core.errors import said
from streams.fetched import broken_partition, positions, rewind

log = logging.getLogger("cxpulse.worker.fetch")


class FetchThread(driver.AIOKafkaConsumerThread):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unreadable: set[TP] = set()  # partitions set aside (``app.on_unreadable`` says why)

    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        consumer._isolation_level = "read_committed"  # read by aiokafka when it starts
        wait = getattr(self.app, "fetch_wait", None)  # set by streams.worker.main
        if wait is not None:
            # Read by aiokafka when the consumer starts: Faust passes no way to set them.
            consumer._fetch_min_bytes, consumer._fetch_max_wait_ms = wait
        return consumer

    async def _fetch_records(
        self,
        consumer: Any,
        active_partitions: set[TP],
        timeout: float | None = None,
        max_records: int | None = None,
    ) -> Any:
        readable = active_partitions
        if self.unreadable:
            # Partitions moved away, or paused by Faust, are forgotten: if one comes back it is
            # tried again, and set aside again if it still fails.
            self.unreadable &= active_partitions
            readable = active_partitions - self.unreadable
            if not readable:
                # aiokafka reads an empty set as "every partition": wait as a fetch would.
                await asyncio.sleep(timeout or 0)
                return {}
        before = positions(consumer, readable)
        try:
            return await super()._fetch_records(
                consumer, readable, timeout=timeout, max_records=max_records
            )
        except Exception as exc:
            broken = broken_partition(consumer._fetcher._records)
            if broken is None:
                raise  # not a batch that failed to read: Faust's own handling, as before
            self._set_aside(consumer, broken, exc, before)
            return {}

    def _set_aside(
        self, consumer: Any, broken: tuple[Any, int], exc: Exception, before: dict[Any, int]
    ) -> None:
        tp, offset = broken
        why = said(exc)
        self.unreadable.add(TP(tp.topic, tp.partition))
        # The failed fetch took records of other partitions that it never returned: read them
        # again from where they were (Faust has placed every partition it assigned).
        rewind(consumer, tp, before)
        log.error(
            "%s[%s] cannot be read from offset %s (%s); its other records wait, the other "
            "partitions go on",
            tp.topic,
            tp.partition,
            offset,
            why,
        )
        report = getattr(self.app, "on_unreadable", None)  # set by streams.worker.main
        if report is not None:
            report(tp.topic, tp.partition, offset, why)
