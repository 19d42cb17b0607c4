"""The scale bench's events: the incident it injects is there, and only when asked for."""

from __future__ import annotations

import json

from bench.chain_events import chain_records
from cxpulse.config import KafkaConfig
from streams.simulate import ChainConfig, ChainGenerator


def _share(records: list[tuple[str, bytes, bytes]], stores: set[str]) -> float:
    return sum(k.decode() in stores for _, k, _ in records) / len(records)


def test_the_burst_region_dominates_and_rates_badly() -> None:
    region = "东北"
    gen = ChainGenerator(ChainConfig(stores=300))
    members = {s.store_id for s in gen.stores if s.region == region}
    assert members
    quiet = chain_records(3000, 300, KafkaConfig(), None, 10.0)
    burst = chain_records(3000, 300, KafkaConfig(), region, 10.0)
    assert len(quiet) == len(burst) == 3000
    assert _share(burst, members) > 3 * _share(quiet, members)
    ratings = [
        e["rating"]
        for _, k, line in burst
        if k.decode() in members and "rating" in (e := json.loads(line))
    ]
    assert ratings and sum(r >= 4 for r in ratings) / len(ratings) < 0.5
