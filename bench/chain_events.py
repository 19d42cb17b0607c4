"""The chain's events a ``bench.scale`` run produces: the ``streams.simulate`` chain generator's
traffic (any number of stores, heavy-tailed sizes) with one region's stores rating badly
(``--burst``), so that the runs it compares have alerts to compare.

A module apart from the run: ``bench.worker_step --chain`` feeds the worker these same events
without a broker, and needs nothing else of ``bench.scale``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bench.broker import Record
from cxpulse.config import KafkaConfig
from streams.simulate import ChainConfig, ChainGenerator, RegionBurst
from streams.topics import Topics

START = datetime.fromisoformat("2026-11-23T11:00:00+08:00")  # a Monday, before lunch


def chain_records(
    total_events: int,
    stores: int,
    cfg: KafkaConfig,
    burst: str | None,
    factor: float,
    start: datetime = START,
) -> list[Record]:
    """The chain's events from ``start`` (11:00), with ``burst``'s stores (a region) rating
    badly at ``factor`` times their traffic from a minute later for half an hour: a run without
    alerts would make "the alerts equal" true of nothing."""
    bursts: tuple[RegionBurst, ...] = ()
    if burst:
        bursts = (RegionBurst(burst, start + timedelta(minutes=1), timedelta(minutes=30), factor),)
    gen = ChainGenerator(ChainConfig(stores=stores, bursts=bursts))
    topics = Topics.from_config(cfg).events
    out: list[Record] = []
    for batch in gen.batches(start, start + timedelta(days=1)):
        for _, _, kind, store, line in batch:  # (event time, id, kind, store, JSON)
            out.append((topics[kind], store.encode(), line.encode()))
        if len(out) >= total_events:
            break
    return out[:total_events]
