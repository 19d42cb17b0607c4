"""A bounded log while the broker is away.

While Kafka is unreachable aiokafka logs every failed attempt of every client loop (the
consumer's fetcher and coordinator, the producer's sender, metadata refreshes) at ERROR, each
retrying after ``retry_backoff_ms``: tens of lines a second for as long as the outage lasts, each
the same few messages with other numbers. The worker keeps retrying, which is right; the log
only needs to say so once in a while.

``RateLimit`` lets the first record of each (logger, message template) through, then at most one
per interval, and that one says how many like it were held back. It is installed on the root
logger's handlers, since a filter on the ``aiokafka`` logger would not see the records of its
child loggers (``aiokafka.client``, ...); records of other libraries pass untouched.

The outage also spun a core. While the broker shuts down it answers metadata requests with no
leader for the partitions; a producer holding batches for them then asks for new metadata and
waits for the answer, but aiokafka's metadata update fails at once with the broker gone and has
no backoff of its own, so the sender loop turned thousands of times a second (each turn two
ERROR lines). ``Producer`` makes a failed metadata update wait ``retry_backoff_ms`` first.

``Producer`` also keeps one message the client refuses as too large from stopping the worker.
aiokafka refuses it as it is handed over, and Faust's producer buffer, which hands every
message of the process over in turn, would stop at that error, and the worker with it; a restart
would read the same input and stop again. Such a message can never be sent, whatever is retried:
it fails alone (its future holds the error, as a send the broker refuses does), and it is
logged and counted (``cxpulse_messages_too_large_total{topic}``).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka.errors import MessageSizeTooLargeError
from faust.exceptions import ProducerSendError
from faust.transport.drivers import aiokafka as driver

log = logging.getLogger("cxpulse.worker")

# The Kafka libraries, and cxpulse's own per-message lines (a rejected or failed message): a
# producer sending garbage would otherwise write a line per message; the dead-letter topic and
# the metrics keep every one of them.
LIBRARIES = ("aiokafka", "kafka", "faust", "mode", "cxpulse.worker", "cxpulse.step")
DIGITS = re.compile(r"\d+")
INTERVAL = 30.0  # seconds between two records of one kind: two or three per kind a minute


class RateLimit(logging.Filter):
    def __init__(
        self,
        interval: float = INTERVAL,
        names: tuple[str, ...] = LIBRARIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.interval = interval
        self.names = names
        self.clock = clock
        self._last: dict[tuple[str, str], float] = {}  # kind -> when one last went through
        self._held: dict[tuple[str, str], int] = {}  # kind -> records held back since

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(self.names):
            return True
        # Digits aside: some messages come with their numbers already formatted in.
        kind = (record.name, DIGITS.sub("#", str(record.msg)))
        now = self.clock()
        last = self._last.get(kind)
        if last is not None and now - last < self.interval:
            self._held[kind] = self._held.get(kind, 0) + 1
            return False
        self._last[kind] = now
        held = self._held.pop(kind, 0)
        if held and last is not None:
            # Formatted here, so a '%' in the arguments cannot break the appended note.
            record.msg = f"{record.getMessage()} [{held} more like this in {now - last:.0f} s]"
            record.args = ()  # not None: mode's formatter would wrap it into (None,)
        return True


def install(logger: logging.Logger, interval: float = INTERVAL) -> RateLimit:
    """Rate-limit the libraries' records on every handler of ``logger`` (the root logger)."""
    limit = RateLimit(interval)
    for handler in logger.handlers:
        handler.addFilter(limit)
    return limit


def pace_metadata(client: Any, backoff: float) -> None:
    """Make ``client`` (an ``aiokafka.AIOKafkaClient``) wait ``backoff`` s after a failed
    metadata update, so loops that wait for one do not spin while the broker is away."""
    update: Callable[..., Awaitable[bool]] = client._metadata_update

    async def paced(*args: Any) -> bool:
        ok = await update(*args)
        if not ok:
            await asyncio.sleep(backoff)
        return ok

    client._metadata_update = paced


class Producer(driver.Producer):
    def _new_producer(self, transactional_id: str | None = None) -> Any:
        producer = super()._new_producer(transactional_id)
        pace_metadata(producer.client, producer.client._retry_backoff)
        return producer

    async def send(self, topic: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().send(topic, *args, **kwargs)
        except ProducerSendError as exc:
            if not isinstance(exc.__cause__, MessageSizeTooLargeError):
                raise  # the broker away, say: the worker's retries and health deal with it
            log.error("a message to %s was too large to send and is dropped: %s", topic, exc)
            counted = getattr(self.transport.app, "on_too_large", None)  # set by main
            if counted is not None:
                counted(topic)
            failed: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            failed.set_exception(exc)
            return failed
