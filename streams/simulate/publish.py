"""Publishing the chain generator's events to Kafka, keyed by store, one topic per event kind.

aiokafka, not the kafka-python producer of ``cxpulse produce``: measured on the 2-core machine,
kafka-python sends about 4-5k events/s (pure-Python per-message work), aiokafka about 30k/s, and
the benches need a feed faster than the pipeline they measure.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

from .load import ChainGenerator

# Delivery is confirmed every this many sends: often enough that a broken broker stops the run
# early, rarely enough that the wait for acknowledgements does not throttle the producer.
CONFIRM_EVERY = 20_000


async def publish_chain(
    gen: ChainGenerator,
    start: datetime,
    end: datetime,
    bootstrap: str,
    topics: dict[str, str],
    speed: float,
) -> int:
    """Send [start, end) batch by batch, ``speed`` simulated seconds per real second (0: as
    fast as the producer goes); return the number of events acknowledged by the broker."""
    from aiokafka import AIOKafkaProducer

    prod = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        linger_ms=20,
        max_batch_size=512 * 1024,
        client_id="cxpulse-simulate",
    )
    await prod.start()
    sent = 0
    unconfirmed: list[asyncio.Future[object]] = []
    t0, origin = time.monotonic(), start.timestamp()
    try:
        for batch in gen.batches(start, end):
            if not batch:
                continue
            if speed > 0:
                due = t0 + (batch[0][0] - origin) / speed
                await asyncio.sleep(max(0.0, due - time.monotonic()))  # pacing a live feed
            for _, _, kind, store, line in batch:
                unconfirmed.append(
                    await prod.send(topics[kind], key=store.encode(), value=line.encode())
                )
            if len(unconfirmed) >= CONFIRM_EVERY:
                await asyncio.gather(*unconfirmed)  # raises the first failed delivery
                sent += len(unconfirmed)
                unconfirmed.clear()
        await prod.flush()
        await asyncio.gather(*unconfirmed)
        sent += len(unconfirmed)
    finally:
        await prod.stop()
    return sent
